// The Jira Cloud tracker: issues come from cursor-paged JQL searches, state lookups are batched
// JQL searches that ask for the status field only, transitions follow the workflow's offered
// transitions, and comments are written as ADF. After a 429 every call fails fast until the
// pause ends, so a rate-limited site costs one error per tick rather than a request storm.
import { errorMessage, findSortieError, isNotFound, trackerError } from "../../domain/errors.ts";
import type { Issue, IssueComment } from "../../domain/issue.ts";
import type { RateLimitPause, TrackerAdapter } from "../../domain/tracker.ts";
import type { HttpClient } from "../http/client.ts";
import { decodeBody } from "../http/decode.ts";
import { paginateToken } from "../http/paginate.ts";
import { apiPath } from "../http/path.ts";
import { RateLimiter, type RateLimitSnapshot } from "../http/rate-limit.ts";
import type { TrackerLogger } from "../registry.ts";
import { createJiraClient } from "./client.ts";
import { byIdsJql, byKeysJql, byStatesJql, candidatesJql, numericIds } from "./jql.ts";
import { toComment, toIssue } from "./normalize.ts";
import {
  CommentsPageSchema,
  IssueSchema,
  type JiraIssue,
  SearchPageSchema,
  TransitionsSchema,
} from "./schema.ts";
import type { JiraCredentials } from "./settings.ts";
import { textToAdf } from "./text-to-adf.ts";
import { pickTransition } from "./transitions.ts";

export interface JiraTrackerOptions {
  /** Site root without trailing slash, e.g. `https://your-org.atlassian.net`. */
  endpoint: string;
  credentials: JiraCredentials;
  /** Project key. */
  project: string;
  activeStates: readonly string[];
  /** Operator JQL added to candidate and by-state searches as `AND (<filter>)`; "" for none. */
  queryFilter: string;
  userAgent: string;
  fetch: typeof fetch;
  logger: TrackerLogger;
  now: () => Date;
  /** Per request; 30 s. */
  timeoutMs?: number;
}

/** Fields of a full issue fetch (search results and the issue detail); comments come separately. */
export const ISSUE_FIELDS =
  "summary,status,priority,labels,assignee,issuetype,parent,issuelinks,created,updated,description";
/** Fields of a state lookup. */
export const STATE_FIELDS = "status";

const SEARCH_PATH = "/rest/api/3/search/jql";
const PAGE_SIZE = 50;
/** Keys or ids per lookup search; keeps the JQL (and the URL) short. */
export const LOOKUP_BATCH_SIZE = 40;
/** Guard against a comment endpoint that never reaches its total. */
const MAX_COMMENT_PAGES = 1000;

export class JiraTracker implements TrackerAdapter {
  readonly #endpoint: string;
  readonly #project: string;
  readonly #activeStates: readonly string[];
  readonly #queryFilter: string;
  readonly #logger: TrackerLogger;
  readonly #limiter: RateLimiter;
  readonly #client: HttpClient;

  constructor(options: JiraTrackerOptions) {
    this.#endpoint = options.endpoint;
    this.#project = options.project;
    this.#activeStates = options.activeStates;
    this.#queryFilter = options.queryFilter;
    this.#logger = options.logger;
    this.#limiter = new RateLimiter({ now: options.now, logger: options.logger });
    this.#client = createJiraClient({
      endpoint: options.endpoint,
      credentials: options.credentials,
      userAgent: options.userAgent,
      fetch: options.fetch,
      logger: options.logger,
      limiter: this.#limiter,
      timeoutMs: options.timeoutMs,
    });
  }

  async fetchCandidateIssues(signal?: AbortSignal): Promise<Issue[]> {
    const jql = candidatesJql(this.#project, this.#activeStates, this.#queryFilter);
    return (await this.#search(jql, ISSUE_FIELDS, signal)).map((raw) => toIssue(raw, this.#endpoint));
  }

  async fetchIssueById(issueId: string, signal?: AbortSignal): Promise<Issue> {
    const response = await this.#notFoundAs(issueId, () =>
      this.#client.request({
        path: apiPath`/rest/api/3/issue/${issueId}`,
        query: { fields: ISSUE_FIELDS },
        signal,
        parseErrorMessage: "failed to parse issue response",
      }),
    );
    const raw = decodeIssue(response.body);
    const comments = await this.fetchIssueComments(issueId, signal);
    return { ...toIssue(raw, this.#endpoint), comments };
  }

  async fetchIssuesByStates(states: string[], signal?: AbortSignal): Promise<Issue[]> {
    if (states.length === 0) return [];
    const jql = byStatesJql(this.#project, states, this.#queryFilter);
    return (await this.#search(jql, ISSUE_FIELDS, signal)).map((raw) => toIssue(raw, this.#endpoint));
  }

  async fetchIssueStatesByIds(ids: string[], signal?: AbortSignal): Promise<Map<string, string>> {
    const states = new Map<string, string>();
    for (const batch of batches(numericIds(ids), LOOKUP_BATCH_SIZE)) {
      signal?.throwIfAborted();
      const jql = byIdsJql(batch);
      if (jql === null) continue;
      const issues = await this.#lookup(jql, signal, { issue_ids: batch.join(",") });
      for (const raw of issues) states.set(raw.id, raw.fields?.status?.name ?? "");
    }
    return states;
  }

  async fetchIssueStatesByIdentifiers(
    identifiers: string[],
    signal?: AbortSignal,
  ): Promise<Map<string, string>> {
    const states = new Map<string, string>();
    for (const batch of batches(identifiers, LOOKUP_BATCH_SIZE)) {
      signal?.throwIfAborted();
      const issues = await this.#lookup(byKeysJql(batch), signal, { issue_identifiers: batch.join(",") });
      for (const raw of issues) {
        if (raw.key) states.set(raw.key, raw.fields?.status?.name ?? "");
      }
    }
    return states;
  }

  /**
   * Offset paging: advance by the number of comments received (servers may return fewer than
   * asked), stop at an empty page or once `total` is reached.
   */
  async fetchIssueComments(issueId: string, signal?: AbortSignal): Promise<IssueComment[]> {
    const comments: IssueComment[] = [];
    let startAt = 0;
    for (let page = 0; page < MAX_COMMENT_PAGES; page++) {
      signal?.throwIfAborted();
      const response = await this.#notFoundAs(issueId, () =>
        this.#client.request({
          path: apiPath`/rest/api/3/issue/${issueId}/comment`,
          query: { orderBy: "created", maxResults: PAGE_SIZE, startAt },
          signal,
          parseErrorMessage: "failed to parse comments response",
        }),
      );
      const body = decodeBody(CommentsPageSchema, response.body, "failed to parse comments response");
      const received = body.comments ?? [];
      comments.push(...received.map(toComment));
      if (received.length === 0) break;
      startAt += received.length;
      if (typeof body.total === "number" && startAt >= body.total) break;
    }
    return comments;
  }

  async transitionIssue(issueId: string, targetState: string, signal?: AbortSignal): Promise<void> {
    const path = apiPath`/rest/api/3/issue/${issueId}/transitions`;
    const response = await this.#client.request({
      path,
      signal,
      parseErrorMessage: "failed to parse transitions response",
    });
    const body = decodeBody(TransitionsSchema, response.body, "failed to parse transitions response");
    const transition = pickTransition(body.transitions ?? [], targetState, issueId);
    await this.#client.request({
      method: "POST",
      path,
      json: { transition: { id: transition.id } },
      signal,
    });
  }

  async commentIssue(issueId: string, text: string, signal?: AbortSignal): Promise<void> {
    await this.#client.request({
      method: "POST",
      path: apiPath`/rest/api/3/issue/${issueId}/comment`,
      json: { body: textToAdf(text) },
      signal,
      responseType: "text",
    });
  }

  /** Jira labels cannot contain spaces; Jira itself rejects such a label with a 400. */
  async addLabel(issueId: string, label: string, signal?: AbortSignal): Promise<void> {
    await this.#client.request({
      method: "PUT",
      path: apiPath`/rest/api/3/issue/${issueId}`,
      json: { update: { labels: [{ add: label }] } },
      signal,
      responseType: "text",
    });
  }

  rateLimitPauses(): RateLimitPause[] {
    return this.#limiter.pauses();
  }

  /** Latest rate-limit counters, for status pages. */
  rateLimitSnapshots(): RateLimitSnapshot[] {
    return this.#limiter.snapshots();
  }

  /** Every page of a JQL search, in order. */
  async #search(jql: string, fields: string, signal: AbortSignal | undefined): Promise<JiraIssue[]> {
    const issues: JiraIssue[] = [];
    const first = {
      path: SEARCH_PATH,
      query: { jql, fields, maxResults: PAGE_SIZE },
      signal,
      parseErrorMessage: "failed to parse search response",
    };
    for await (const response of paginateToken(this.#client, first)) {
      const page = decodeBody(SearchPageSchema, response.body, "failed to parse search response");
      issues.push(...(page.issues ?? []));
    }
    return issues;
  }

  /**
   * One lookup batch. Jira may answer a `key IN (…)` naming a key that no longer exists with a
   * 400 for the whole query, so a rejected batch is logged before the error propagates.
   */
  async #lookup(
    jql: string,
    signal: AbortSignal | undefined,
    batch: Record<string, string>,
  ): Promise<JiraIssue[]> {
    try {
      return await this.#search(jql, STATE_FIELDS, signal);
    } catch (err) {
      // Only a rejected query names the batch usefully; transport errors and rate-limit pauses
      // are reported by the caller once per tick already.
      if (findSortieError(err, "tracker")?.kind === "tracker_payload_error") {
        this.#logger.warn("tracker state lookup failed", { ...batch, error: errorMessage(err) });
      }
      throw err;
    }
  }

  /** Runs a request for one issue, turning a 404 into `issue not found: <id>`. */
  async #notFoundAs<T>(issueId: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (isNotFound(err)) throw trackerError("tracker_not_found", `issue not found: ${issueId}`);
      throw err;
    }
  }
}

function decodeIssue(body: unknown): JiraIssue {
  return decodeBody(IssueSchema, body, "failed to parse issue response");
}

function batches<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}
