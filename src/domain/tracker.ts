// The contract between the orchestrator and every issue-tracker adapter.
import type { Issue, IssueComment } from "./issue.ts";

export type TrackerOperation =
  | "fetch_candidates"
  | "fetch_issue"
  | "fetch_comments"
  | "fetch_by_states"
  | "fetch_states_by_ids"
  | "fetch_states_by_identifiers"
  | "transition"
  | "comment"
  | "add_label";

/** Self-instrumentation hook: one call per logical adapter operation. */
export interface TrackerMetrics {
  trackerRequest(operation: TrackerOperation, result: "success" | "error"): void;
}

/** A pause the adapter is observing because the remote API told it to slow down. */
export interface RateLimitPause {
  resource: string;
  until: Date;
  reason: string;
}

/** The latest rate-limit facts the remote API reported for one of its budgets (`core`, `search`, …). */
export interface TrackerRateLimitStatus {
  resource: string;
  limit: number | null;
  remaining: number | null;
  resetAt: Date | null;
  /** Calls to this resource currently fail fast. */
  paused: boolean;
}

export interface TrackerAdapter {
  /** Issues in active states. `comments` is null on every returned issue. */
  fetchCandidateIssues(signal?: AbortSignal): Promise<Issue[]>;
  /** One fully populated issue; missing → tracker_not_found. */
  fetchIssueById(issueId: string, signal?: AbortSignal): Promise<Issue>;
  fetchIssuesByStates(states: string[], signal?: AbortSignal): Promise<Issue[]>;
  /** id → state; unknown ids are omitted. */
  fetchIssueStatesByIds(ids: string[], signal?: AbortSignal): Promise<Map<string, string>>;
  /** identifier → state; unknown identifiers are omitted. */
  fetchIssueStatesByIdentifiers(identifiers: string[], signal?: AbortSignal): Promise<Map<string, string>>;
  fetchIssueComments(issueId: string, signal?: AbortSignal): Promise<IssueComment[]>;
  transitionIssue(issueId: string, targetState: string, signal?: AbortSignal): Promise<void>;
  commentIssue(issueId: string, text: string, signal?: AbortSignal): Promise<void>;
  addLabel(issueId: string, label: string, signal?: AbortSignal): Promise<void>;
  setMetrics?(metrics: TrackerMetrics | null): void;
  /** Current rate-limit pauses, for /api/status. */
  rateLimitPauses?(): RateLimitPause[];
  /** Rate-limit counters per resource, paused or not, for /api/status. */
  rateLimitStatus?(): TrackerRateLimitStatus[];
  close?(): Promise<void>;
}
