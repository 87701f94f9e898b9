// Counts one `trackerRequest(operation, result)` per logical adapter call, so adapters never
// count themselves. Errors pass through unchanged; calls that the adapter answers without I/O
// (empty input, no-op operations) are not counted, as the kind's policy says.
import type { Issue, IssueComment } from "../domain/issue.ts";
import type {
  RateLimitPause,
  TrackerAdapter,
  TrackerMetrics,
  TrackerOperation,
  TrackerRateLimitStatus,
} from "../domain/tracker.ts";

export interface MetricsPolicy {
  /** Operations whose calls with an empty input list are answered without I/O and not counted. */
  uncountedEmptyInput: readonly TrackerOperation[];
  /** Operations that are never counted (no-ops such as a tracker without labels). */
  uncounted: readonly TrackerOperation[];
}

/** The usual policy: the empty-input short-circuits of the list operations are not counted. */
export const DEFAULT_METRICS_POLICY: MetricsPolicy = {
  uncountedEmptyInput: ["fetch_by_states", "fetch_states_by_ids", "fetch_states_by_identifiers"],
  uncounted: [],
};

class InstrumentedTracker implements TrackerAdapter {
  readonly #inner: TrackerAdapter;
  readonly #uncountedEmpty: ReadonlySet<TrackerOperation>;
  readonly #uncounted: ReadonlySet<TrackerOperation>;
  #metrics: TrackerMetrics | null = null;

  constructor(inner: TrackerAdapter, policy: MetricsPolicy) {
    this.#inner = inner;
    this.#uncountedEmpty = new Set(policy.uncountedEmptyInput);
    this.#uncounted = new Set(policy.uncounted);
  }

  setMetrics(metrics: TrackerMetrics | null): void {
    this.#metrics = metrics;
  }

  rateLimitPauses(): RateLimitPause[] {
    return this.#inner.rateLimitPauses?.() ?? [];
  }

  rateLimitStatus(): TrackerRateLimitStatus[] {
    return this.#inner.rateLimitStatus?.() ?? [];
  }

  async close(): Promise<void> {
    await this.#inner.close?.();
  }

  fetchCandidateIssues(signal?: AbortSignal): Promise<Issue[]> {
    return this.#count("fetch_candidates", null, () => this.#inner.fetchCandidateIssues(signal));
  }

  fetchIssueById(issueId: string, signal?: AbortSignal): Promise<Issue> {
    return this.#count("fetch_issue", null, () => this.#inner.fetchIssueById(issueId, signal));
  }

  fetchIssuesByStates(states: string[], signal?: AbortSignal): Promise<Issue[]> {
    return this.#count("fetch_by_states", states, () => this.#inner.fetchIssuesByStates(states, signal));
  }

  fetchIssueStatesByIds(ids: string[], signal?: AbortSignal): Promise<Map<string, string>> {
    return this.#count("fetch_states_by_ids", ids, () => this.#inner.fetchIssueStatesByIds(ids, signal));
  }

  fetchIssueStatesByIdentifiers(identifiers: string[], signal?: AbortSignal): Promise<Map<string, string>> {
    return this.#count("fetch_states_by_identifiers", identifiers, () =>
      this.#inner.fetchIssueStatesByIdentifiers(identifiers, signal),
    );
  }

  fetchIssueComments(issueId: string, signal?: AbortSignal): Promise<IssueComment[]> {
    return this.#count("fetch_comments", null, () => this.#inner.fetchIssueComments(issueId, signal));
  }

  transitionIssue(issueId: string, targetState: string, signal?: AbortSignal): Promise<void> {
    return this.#count("transition", null, () => this.#inner.transitionIssue(issueId, targetState, signal));
  }

  commentIssue(issueId: string, text: string, signal?: AbortSignal): Promise<void> {
    return this.#count("comment", null, () => this.#inner.commentIssue(issueId, text, signal));
  }

  addLabel(issueId: string, label: string, signal?: AbortSignal): Promise<void> {
    return this.#count("add_label", null, () => this.#inner.addLabel(issueId, label, signal));
  }

  async #count<T>(
    operation: TrackerOperation,
    input: readonly string[] | null,
    call: () => Promise<T>,
  ): Promise<T> {
    const counted =
      !this.#uncounted.has(operation) &&
      !(input !== null && input.length === 0 && this.#uncountedEmpty.has(operation));
    if (!counted) return call();
    let result: T;
    try {
      result = await call();
    } catch (err) {
      this.#metrics?.trackerRequest(operation, "error");
      throw err;
    }
    this.#metrics?.trackerRequest(operation, "success");
    return result;
  }
}

/** Wraps an adapter so that `setMetrics` on the wrapper turns on per-call counting. */
export function instrumentTracker(
  inner: TrackerAdapter,
  policy: MetricsPolicy = DEFAULT_METRICS_POLICY,
): TrackerAdapter {
  return new InstrumentedTracker(inner, policy);
}
