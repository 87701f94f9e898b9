// The file tracker: issues live in a local JSON file that is re-read on every call, so hand edits
// apply on the next poll. Transitions and comments are written back into the file atomically;
// when the file cannot be written they are kept in memory and laid over every read instead.
import { readFile, stat } from "node:fs/promises";
import { errorMessage, trackerError } from "../../domain/errors.ts";
import type { Issue, IssueComment } from "../../domain/issue.ts";
import { rfc3339Seconds } from "../../domain/time.ts";
import type { TrackerAdapter } from "../../domain/tracker.ts";
import { stateSet } from "../normalize.ts";
import type { TrackerLogger } from "../registry.ts";
import { writeFileAtomic } from "./atomic-write.ts";
import {
  type FileIssue,
  type IssuesFile,
  parseIssuesFile,
  type RawIssue,
  serialiseIssuesFile,
} from "./format.ts";
import { toIssue } from "./normalize.ts";

export interface FileTrackerOptions {
  /** Absolute path of the issues file. */
  path: string;
  /** Empty: every issue is a candidate. */
  activeStates: readonly string[];
  now: () => Date;
  logger: TrackerLogger;
}

/** Author of comments the file tracker writes. */
export const COMMENT_AUTHOR = "sortie";

/**
 * Everything tied to one file rather than one adapter instance: adapters rebuilt on a workflow
 * reload share the write queue, the in-memory fallback layers and the once-per-path warning.
 */
interface SharedFileState {
  /** Tail of the write queue: writes to one file run one at a time. */
  tail: Promise<void>;
  warned: boolean;
  stateOverrides: Map<string, string>;
  commentAppends: Map<string, IssueComment[]>;
  /** The file's issues as last parsed, with the stat that identifies that version of the file. */
  parsed: { version: string; issues: Issue[] } | null;
}

const SHARED_BY_PATH = new Map<string, SharedFileState>();

function sharedState(path: string): SharedFileState {
  let state = SHARED_BY_PATH.get(path);
  if (state === undefined) {
    state = {
      tail: Promise.resolve(),
      warned: false,
      stateOverrides: new Map(),
      commentAppends: new Map(),
      parsed: null,
    };
    SHARED_BY_PATH.set(path, state);
  }
  return state;
}

export class FileTracker implements TrackerAdapter {
  readonly #path: string;
  readonly #active: ReadonlySet<string>;
  readonly #now: () => Date;
  readonly #logger: TrackerLogger;
  readonly #shared: SharedFileState;

  constructor(options: FileTrackerOptions) {
    this.#path = options.path;
    this.#active = stateSet(options.activeStates);
    this.#now = options.now;
    this.#logger = options.logger;
    this.#shared = sharedState(options.path);
  }

  async fetchCandidateIssues(signal?: AbortSignal): Promise<Issue[]> {
    const issues = await this.#readIssues(signal);
    return issues
      .filter((issue) => this.#active.size === 0 || this.#active.has(issue.state.toLowerCase()))
      .map((issue) => ({ ...issue, comments: null }));
  }

  async fetchIssueById(issueId: string, signal?: AbortSignal): Promise<Issue> {
    const issue = (await this.#readIssues(signal)).find((candidate) => candidate.id === issueId);
    if (issue === undefined) throw notFound(issueId);
    return { ...issue, comments: this.#commentsOf(issue) };
  }

  async fetchIssuesByStates(states: string[], signal?: AbortSignal): Promise<Issue[]> {
    if (states.length === 0) return [];
    const wanted = stateSet(states);
    const issues = await this.#readIssues(signal);
    return issues
      .filter((issue) => wanted.has(issue.state.toLowerCase()))
      .map((issue) => ({ ...issue, comments: null }));
  }

  async fetchIssueStatesByIds(ids: string[], signal?: AbortSignal): Promise<Map<string, string>> {
    return this.#statesBy(ids, (issue) => issue.id, signal);
  }

  async fetchIssueStatesByIdentifiers(
    identifiers: string[],
    signal?: AbortSignal,
  ): Promise<Map<string, string>> {
    return this.#statesBy(identifiers, (issue) => issue.identifier, signal);
  }

  async fetchIssueComments(issueId: string, signal?: AbortSignal): Promise<IssueComment[]> {
    const issue = (await this.#readIssues(signal)).find((candidate) => candidate.id === issueId);
    if (issue === undefined) throw notFound(issueId);
    return this.#commentsOf(issue);
  }

  transitionIssue(issueId: string, targetState: string, signal?: AbortSignal): Promise<void> {
    return this.#writeBack(issueId, signal, {
      apply: (raw) => {
        raw.state = targetState;
      },
      written: () => {
        // The file holds the state now; an older in-memory override must not mask it.
        this.#shared.stateOverrides.delete(issueId);
      },
      keepInMemory: () => {
        this.#shared.stateOverrides.set(issueId, targetState);
      },
    });
  }

  commentIssue(issueId: string, text: string, signal?: AbortSignal): Promise<void> {
    const createdAt = rfc3339Seconds(this.#now());
    return this.#writeBack(issueId, signal, {
      apply: (raw, file) => {
        const comment = {
          id: String(nextCommentId(file)),
          author: COMMENT_AUTHOR,
          body: text,
          created_at: createdAt,
        };
        if (Array.isArray(raw.comments)) raw.comments.push(comment);
        else raw.comments = [comment];
      },
      written: () => {},
      keepInMemory: () => {
        const appended = this.#shared.commentAppends.get(issueId) ?? [];
        appended.push({ id: "", author: "", body: text, createdAt });
        this.#shared.commentAppends.set(issueId, appended);
      },
    });
  }

  /** The file format has labels but the tracker has no label operation to mirror: a no-op. */
  async addLabel(_issueId: string, _label: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
  }

  async #statesBy(
    keys: readonly string[],
    keyOf: (issue: Issue) => string,
    signal: AbortSignal | undefined,
  ): Promise<Map<string, string>> {
    const states = new Map<string, string>();
    if (keys.length === 0) return states;
    const wanted = new Set(keys);
    for (const issue of await this.#readIssues(signal)) {
      const key = keyOf(issue);
      if (wanted.has(key)) states.set(key, issue.state);
    }
    return states;
  }

  /** File comments (null ⇒ []) plus comments kept in memory. */
  #commentsOf(issue: Issue): IssueComment[] {
    const appended = this.#shared.commentAppends.get(issue.id) ?? [];
    return [...(issue.comments ?? []), ...appended.map((comment) => ({ ...comment }))];
  }

  /**
   * Normalized issues with in-memory state overrides applied; file comments untouched. The file is
   * re-read whenever it changed (its inode, size or times differ), so edits apply on the next call,
   * but an unchanged file is not parsed again on every tick and state refresh.
   */
  async #readIssues(signal: AbortSignal | undefined): Promise<Issue[]> {
    signal?.throwIfAborted();
    const version = await this.#version();
    let parsed = this.#shared.parsed;
    if (parsed === null || version === null || parsed.version !== version) {
      const file = await this.#load();
      const issues = file.issues.filter((raw): raw is FileIssue => raw !== null).map(toIssue);
      parsed = { version: version ?? "", issues };
      this.#shared.parsed = version === null ? null : parsed;
    }
    return parsed.issues.map((issue) => {
      const override = this.#shared.stateOverrides.get(issue.id);
      return override === undefined ? { ...issue } : { ...issue, state: override };
    });
  }

  /** Identifies the file's current content without reading it; null when it cannot be stat'ed. */
  async #version(): Promise<string | null> {
    try {
      const st = await stat(this.#path, { bigint: true });
      return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    } catch {
      return null;
    }
  }

  async #load(): Promise<IssuesFile> {
    let source: string;
    try {
      source = await readFile(this.#path, "utf8");
    } catch (err) {
      throw trackerError("tracker_payload_error", `failed to read file: ${this.#path}`, err);
    }
    return parseIssuesFile(source, this.#path);
  }

  /**
   * One write, queued behind the file's other writes: re-read the current file (keeping hand
   * edits made meanwhile), change only the target issue, replace the file atomically. A file
   * that cannot be read or parsed fails the call untouched; one that cannot be written keeps
   * the change in memory.
   */
  #writeBack(issueId: string, signal: AbortSignal | undefined, change: WriteChange): Promise<void> {
    const shared = this.#shared;
    const run = shared.tail.then(async () => {
      signal?.throwIfAborted();
      const file = await this.#load();
      const index = file.issues.findIndex((issue) => issue !== null && (issue.id ?? "") === issueId);
      if (index === -1) throw notFound(issueId);
      change.apply(file.raw[index] as RawIssue, file);
      try {
        await writeFileAtomic(this.#path, serialiseIssuesFile(file.raw));
      } catch (err) {
        change.keepInMemory();
        this.#warnWriteFailed(err);
        return;
      }
      change.written();
    });
    shared.tail = run.catch(() => {});
    return run;
  }

  #warnWriteFailed(err: unknown): void {
    if (this.#shared.warned) return;
    this.#shared.warned = true;
    this.#logger.warn("file tracker write-back failed, keeping change in memory", {
      path: this.#path,
      error: errorMessage(err),
    });
  }
}

interface WriteChange {
  /** Mutates the target issue's raw object in the freshly read file. */
  apply(raw: RawIssue, file: IssuesFile): void;
  /** After the file was replaced. */
  written(): void;
  /** When the file could not be written. */
  keepInMemory(): void;
}

/** One more than the largest integer comment id anywhere in the file; 1 for the first. */
function nextCommentId(file: IssuesFile): number {
  let max = 0;
  for (const issue of file.issues) {
    for (const comment of issue?.comments ?? []) {
      const id = comment?.id ?? "";
      if (/^\d+$/.test(id)) max = Math.max(max, Number.parseInt(id, 10));
    }
  }
  return max + 1;
}

function notFound(issueId: string): Error {
  return trackerError("tracker_not_found", `issue not found: ${issueId}`);
}
