// The GitHub Issues tracker: issues of one repository, states read from labels, transitions
// written as label changes (plus close/reopen for terminal and active targets). Pull requests,
// which GitHub's issues endpoints mix in, are never treated as issues.
import { isNotFound, trackerError } from "../../domain/errors.ts";
import type { Issue, IssueComment } from "../../domain/issue.ts";
import type { RateLimitPause, TrackerAdapter, TrackerRateLimitStatus } from "../../domain/tracker.ts";
import type { TrackerLogger } from "../registry.ts";
import type { GitHubClient } from "./client.ts";
import { EtagCache } from "./etag-cache.ts";
import { toBlocker, toComment, toIssue, toParent } from "./normalize.ts";
import { type GitHubIssue, isPullRequest, labelNames } from "./payloads.ts";
import type { Repository } from "./project.ts";
import { currentStateLabel, deriveState, isKnownState, type StateLabels } from "./states.ts";

export interface GitHubTrackerOptions {
  client: GitHubClient;
  repository: Repository;
  states: StateLabels;
  /** GitHub search qualifiers; non-empty switches candidate fetches to the search API. */
  queryFilter: string;
  /** ETag cache entries for state lookups; 0 disables conditional requests. */
  etagCacheSize: number;
  logger: TrackerLogger;
}

/** A pause with its resource's latest counters, which /api/status shows next to it. */
export type CountedRateLimitPause = RateLimitPause & { limit: number | null; remaining: number | null };

/** Issue numbers are positive integers; any other key cannot name a GitHub issue. */
const ISSUE_NUMBER = /^[1-9]\d*$/;

export class GitHubTracker implements TrackerAdapter {
  readonly #client: GitHubClient;
  readonly #states: StateLabels;
  readonly #project: string;
  readonly #queryFilter: string;
  readonly #etags: EtagCache;
  readonly #logger: TrackerLogger;

  constructor(options: GitHubTrackerOptions) {
    this.#client = options.client;
    this.#states = options.states;
    this.#project = `${options.repository.owner}/${options.repository.repo}`;
    this.#queryFilter = options.queryFilter.trim();
    this.#etags = new EtagCache(options.etagCacheSize);
    this.#logger = options.logger;
  }

  async fetchCandidateIssues(signal?: AbortSignal): Promise<Issue[]> {
    const raw =
      this.#queryFilter === ""
        ? await this.#client.listOpenIssues(signal)
        : await this.#search(`repo:${this.#project} type:issue state:open ${this.#queryFilter}`, signal);
    const active = new Set(this.#states.active);
    return this.#issues(raw).filter((issue) => active.has(issue.state));
  }

  async fetchIssueById(issueId: string, signal?: AbortSignal): Promise<Issue> {
    const number = this.#number(issueId);
    const raw = await this.#readIssue(number, signal);
    const issue = toIssue(raw, this.#states, this.#project);

    let blockers: GitHubIssue[];
    try {
      blockers = await this.#client.listBlockedBy(number, signal);
    } catch (err) {
      // Repositories without issue dependencies answer 404: no blockers.
      if (!isNotFound(err)) throw err;
      blockers = [];
    }

    let parent: Issue["parent"] = null;
    try {
      parent = toParent(await this.#client.getParent(number, signal));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }

    const comments = await this.#comments(number, signal);
    return {
      ...issue,
      blockedBy: blockers.map((blocker) => toBlocker(blocker, this.#states)),
      parent,
      comments,
    };
  }

  async fetchIssuesByStates(states: string[], signal?: AbortSignal): Promise<Issue[]> {
    if (states.length === 0) return [];
    const wanted = new Set(states.map((state) => state.toLowerCase()));
    const terminal = [...wanted].filter((state) => this.#states.terminal.includes(state));
    const open = [...wanted].filter((state) => !this.#states.terminal.includes(state));

    const found = new Map<string, Issue>();
    const add = (issues: Issue[]) => {
      for (const issue of issues) if (!found.has(issue.identifier)) found.set(issue.identifier, issue);
    };
    if (open.length > 0) {
      const issues = this.#issues(await this.#client.listOpenIssues(signal));
      add(issues.filter((issue) => wanted.has(issue.state)));
    }
    // Closed issues are found by their terminal label only: a closed issue without one is not.
    for (const label of terminal) {
      signal?.throwIfAborted();
      const q = `repo:${this.#project} type:issue state:closed label:"${label}"`;
      add(this.#issues(await this.#search(q, signal)));
    }
    return [...found.values()];
  }

  fetchIssueStatesByIds(ids: string[], signal?: AbortSignal): Promise<Map<string, string>> {
    return this.#statesOf(ids, signal);
  }

  fetchIssueStatesByIdentifiers(identifiers: string[], signal?: AbortSignal): Promise<Map<string, string>> {
    return this.#statesOf(identifiers, signal);
  }

  fetchIssueComments(issueId: string, signal?: AbortSignal): Promise<IssueComment[]> {
    return this.#comments(this.#number(issueId), signal);
  }

  async transitionIssue(issueId: string, targetState: string, signal?: AbortSignal): Promise<void> {
    const target = targetState.trim().toLowerCase();
    if (!isKnownState(target, this.#states)) {
      throw trackerError(
        "tracker_payload_error",
        `invalid target state "${targetState}": not an active, terminal or handoff state`,
      );
    }
    const number = this.#number(issueId);
    const raw = await this.#readIssue(number, signal);
    const current = currentStateLabel(labelNames(raw), this.#states);
    if (current !== "" && current !== target) {
      try {
        await this.#client.removeLabel(number, current, signal);
      } catch (err) {
        // Already gone (removed by hand meanwhile): the goal is reached.
        if (!isNotFound(err)) throw err;
      }
    }
    if (current !== target) await this.#client.addLabels(number, [target], signal);

    // Handoff targets never change open/closed.
    if (this.#states.terminal.includes(target) && raw.state === "open") {
      await this.#client.close(number, signal);
    } else if (this.#states.active.includes(target) && raw.state === "closed") {
      await this.#client.reopen(number, signal);
    }
  }

  async commentIssue(issueId: string, text: string, signal?: AbortSignal): Promise<void> {
    await this.#client.createComment(this.#number(issueId), text, signal);
  }

  async addLabel(issueId: string, label: string, signal?: AbortSignal): Promise<void> {
    await this.#client.addLabels(this.#number(issueId), [label], signal);
  }

  /** Pauses in force, with the latest counters of their resource. */
  rateLimitPauses(): CountedRateLimitPause[] {
    const counters = new Map(this.#client.limiter.snapshots().map((s) => [s.resource, s]));
    return this.#client.limiter.pauses().map((pause) => ({
      ...pause,
      limit: counters.get(pause.resource)?.limit ?? null,
      remaining: counters.get(pause.resource)?.remaining ?? null,
    }));
  }

  /** The latest X-RateLimit-* facts per resource (`core`, `search`), paused or not. */
  rateLimitStatus(): TrackerRateLimitStatus[] {
    return this.#client.limiter.snapshots();
  }

  /** Candidate search; an incomplete answer (GitHub's search timed out) is used as it is. */
  async #search(q: string, signal: AbortSignal | undefined): Promise<GitHubIssue[]> {
    const result = await this.#client.searchIssues(q, signal);
    if (result.incomplete) {
      this.#logger.warn("tracker search results incomplete", { query: q, returned: result.items.length });
    }
    return result.items;
  }

  /** List entries without pull requests, normalized, comments not fetched. */
  #issues(raw: readonly GitHubIssue[]): Issue[] {
    return raw
      .filter((entry) => !isPullRequest(entry))
      .map((entry) => toIssue(entry, this.#states, this.#project));
  }

  /** G4 for one issue: 404 and pull requests are "issue not found". */
  async #readIssue(number: string, signal: AbortSignal | undefined): Promise<GitHubIssue> {
    let raw: GitHubIssue;
    try {
      raw = await this.#client.getIssue(number, signal);
    } catch (err) {
      if (isNotFound(err)) throw notFound(number);
      throw err;
    }
    if (isPullRequest(raw)) {
      throw trackerError("tracker_not_found", `resource is a pull request, not an issue: ${number}`);
    }
    return raw;
  }

  async #comments(number: string, signal: AbortSignal | undefined): Promise<IssueComment[]> {
    try {
      return (await this.#client.listComments(number, signal)).map(toComment);
    } catch (err) {
      if (isNotFound(err)) throw notFound(number);
      throw err;
    }
  }

  /**
   * Current states by issue number, one conditional request each: an unchanged issue is
   * answered from the ETag cache by a 304, which costs no rate-limit budget. Missing issues,
   * pull requests and keys that are not issue numbers are omitted; any other error fails the
   * whole call.
   */
  async #statesOf(keys: readonly string[], signal: AbortSignal | undefined): Promise<Map<string, string>> {
    const states = new Map<string, string>();
    for (const key of keys) {
      signal?.throwIfAborted();
      if (!ISSUE_NUMBER.test(key)) continue;
      const path = this.#client.issuePath(key);
      // Captured before the request: a concurrent call may evict the entry meanwhile.
      const cached = this.#etags.get(path);
      let answer: Awaited<ReturnType<GitHubClient["getIssueIfChanged"]>>;
      try {
        answer = await this.#client.getIssueIfChanged(key, cached?.etag, signal);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        this.#etags.delete(path);
        continue;
      }
      if (answer.status === "not_modified") {
        if (cached === undefined) continue;
        this.#etags.touch(path);
        states.set(key, cached.state);
        continue;
      }
      if (isPullRequest(answer.issue)) continue;
      const state = deriveState(labelNames(answer.issue), answer.issue.state ?? "", this.#states);
      if (answer.etag !== null) this.#etags.set(path, { etag: answer.etag, state });
      states.set(key, state);
    }
    return states;
  }

  /** The issue number for a request path; keys that cannot be one are "not found" without I/O. */
  #number(issueId: string): string {
    if (!ISSUE_NUMBER.test(issueId)) throw notFound(issueId);
    return issueId;
  }
}

function notFound(issueId: string): Error {
  return trackerError("tracker_not_found", `issue not found: ${issueId}`);
}
