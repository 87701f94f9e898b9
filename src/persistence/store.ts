// The persistence contract the rest of the program depends on. Every method is async so that a
// store over a networked database can implement it later; the SQLite store completes each call
// without yielding to other I/O, so no transaction is ever held open across unrelated work.
import type {
  ActiveRunInput,
  ActiveRunPatch,
  ActiveRunRow,
  AggregateMetricsRow,
  AggregateTotals,
  CheckpointResult,
  PendingRetryRow,
  ReactionFingerprint,
  RecoveredRun,
  RetryEntryRow,
  RunHistoryInput,
  RunHistoryRow,
  SessionMetadataInput,
  SessionMetadataRow,
  TokenUsageBucket,
  WarmStartStats,
  WorkerExitRecord,
} from "./rows.ts";

export interface Store {
  /** The database location this store was opened on. */
  readonly path: string;
  readonly readonly: boolean;

  // Retry entries
  /** Upsert on issue id, replacing every column. */
  saveRetryEntry(entry: RetryEntryRow): Promise<void>;
  /** No-op when absent. */
  deleteRetryEntry(issueId: string): Promise<void>;
  /** All rows, ordered by due time then issue id. */
  loadRetryEntries(): Promise<RetryEntryRow[]>;
  /** All rows in the same order, each with `remainingMs = max(dueAtMs - nowMs, 0)`. */
  loadRetryEntriesForRecovery(nowMs: number): Promise<PendingRetryRow[]>;

  // Run history
  /** Inserts one row and returns its id. */
  appendRunHistory(run: RunHistoryInput): Promise<number>;
  countRunHistoryByIssue(issueId: string): Promise<number>;
  /** The ids among `issueIds` that have at least `maxSessions` run-history rows (any status). */
  queryBudgetExhaustedIssues(issueIds: readonly string[], maxSessions: number): Promise<Set<string>>;
  /** Newest first. */
  queryRunHistoryByIssue(issueId: string): Promise<RunHistoryRow[]>;
  /** Newest first, at most `limit` (≥ 1) rows; with `afterId > 0` only rows with a smaller id (paging). */
  queryRecentRunHistory(limit: number, afterId?: number): Promise<RunHistoryRow[]>;
  /**
   * Sessions finished and tokens used per `bucketMs` bucket from `since` up to `until` (default: the
   * store clock), by `completed_at`. Buckets are aligned to multiples of `bucketMs` and returned
   * oldest first, empty ones included.
   */
  tokenUsageSeries(since: Date, bucketMs: number, until?: Date): Promise<TokenUsageBucket[]>;

  // Session metadata (observability only)
  upsertSessionMetadata(meta: SessionMetadataInput): Promise<void>;
  loadSessionMetadata(issueId: string): Promise<SessionMetadataRow | undefined>;
  /** Most recently updated first, then by issue id. */
  loadAllSessionMetadata(): Promise<SessionMetadataRow[]>;
  deleteSessionMetadata(issueId: string): Promise<void>;

  // Aggregate metrics
  /** Stores the absolute totals given under `key` (the orchestrator uses `agent_totals`). */
  upsertAggregateMetrics(key: string, totals: AggregateTotals): Promise<void>;
  loadAggregateMetrics(key: string): Promise<AggregateMetricsRow | undefined>;

  // Active runs
  /** Upsert on issue id. */
  insertActiveRun(run: ActiveRunInput): Promise<void>;
  /** Updates the given fields; no-op without a row. */
  updateActiveRun(issueId: string, patch: ActiveRunPatch): Promise<void>;
  deleteActiveRun(issueId: string): Promise<void>;
  loadActiveRuns(): Promise<ActiveRunRow[]>;

  // Reaction fingerprints
  /** Insert undispatched; on conflict a changed value resets `dispatched`; `updated_at` always moves. */
  upsertReactionFingerprint(issueId: string, kind: string, fingerprint: string): Promise<void>;
  /** `{fingerprint: "", dispatched: false}` when there is no row. */
  getReactionFingerprint(issueId: string, kind: string): Promise<ReactionFingerprint>;
  /** No-op without a row. */
  markReactionDispatched(issueId: string, kind: string): Promise<void>;
  deleteReactionFingerprint(issueId: string, kind: string): Promise<void>;
  deleteReactionFingerprintsByIssue(issueId: string): Promise<void>;

  // Composite operations
  /** Writes everything a worker exit records in one transaction; returns the run-history id. */
  recordWorkerExit(exit: WorkerExitRecord): Promise<number>;
  /**
   * Turns every leftover active run into a `timed_out` run-history row plus a retry due at `now`
   * that keeps its session (unless a retry with an equal or higher attempt exists), one
   * transaction per run. Killing leftover agent processes is the caller's job.
   */
  recoverInterruptedRuns(now: Date): Promise<RecoveredRun[]>;
  /** Counts for the start-up log line; `now` (default: the store clock) decides what is overdue. */
  warmStartStats(now?: Date): Promise<WarmStartStats>;

  // Lifecycle
  /** A trivial read; rejects when the database cannot be read. */
  ping(): Promise<void>;
  /** `wal_checkpoint(TRUNCATE)`, so the next start finds an empty WAL. No-op on a read-only store. */
  checkpoint(): Promise<CheckpointResult>;
  /** Closes the connection; further calls reject. Safe to call twice. */
  close(): Promise<void>;
}
