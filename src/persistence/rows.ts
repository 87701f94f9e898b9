// The plain data the Store reads and writes. Inputs take `Date`s (the store formats them);
// rows read back carry the stored text verbatim, because older rows may hold any string.

/** A pending retry as persisted in `retry_entries`. `dueAtMs` is epoch milliseconds. */
export interface RetryEntryRow {
  issueId: string;
  identifier: string;
  attempt: number;
  dueAtMs: number;
  /** Last error text; null when there was none. */
  error: string | null;
  /** Agent session to resume when the retry fires; null starts a fresh session. */
  sessionId: string | null;
}

/** A retry entry loaded at start-up, with the delay left until it is due (0 when overdue). */
export interface PendingRetryRow extends RetryEntryRow {
  remainingMs: number;
}

/** Status values this program writes into run history. Rows read back may hold others. */
export type RunStatus = "succeeded" | "failed" | "cancelled" | "ci_failed" | "timed_out";

/** Token counters of one run; null means unknown (an agent that reports no counts). */
export interface RunTokenCounts {
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
}

/** One run-history row to append. Optional fields default to NULL (turnsCompleted to 0). */
export interface RunHistoryInput extends Partial<RunTokenCounts> {
  issueId: string;
  identifier: string;
  displayIdentifier?: string | null;
  /** 1-based attempt of this run. */
  attempt: number;
  agentAdapter: string;
  /** Workspace path; '' when preparation failed. */
  workspace: string;
  startedAt: Date;
  completedAt: Date;
  status: RunStatus;
  error?: string | null;
  workflowFile?: string | null;
  turnsCompleted?: number;
  /** JSON text of the self-review record. */
  reviewMetadata?: string | null;
}

/** A run-history row as stored. Timestamps are the stored text. */
export interface RunHistoryRow extends RunTokenCounts {
  id: number;
  issueId: string;
  identifier: string;
  displayIdentifier: string | null;
  attempt: number;
  agentAdapter: string;
  workspace: string;
  startedAt: string;
  completedAt: string;
  status: string;
  error: string | null;
  workflowFile: string | null;
  turnsCompleted: number;
  reviewMetadata: string | null;
}

/** The last session of an issue, per worker (not cumulative across sessions). */
export interface SessionMetadataInput {
  issueId: string;
  sessionId: string;
  agentPid: string | null;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cacheReadTokens: number;
  modelName: string;
  apiRequestCount: number;
}

export interface SessionMetadataRow extends SessionMetadataInput {
  updatedAt: string;
}

/** Absolute lifetime totals (the caller keeps them in memory and passes them whole). */
export interface AggregateTotals {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cacheReadTokens: number;
  secondsRunning: number;
}

export interface AggregateMetricsRow extends AggregateTotals {
  key: string;
  updatedAt: string;
}

/** The key under which the orchestrator keeps its lifetime agent totals. */
export const AGENT_TOTALS_KEY = "agent_totals";

/** A running worker, recorded at dispatch so a crash can be accounted for at the next start. */
export interface ActiveRunInput {
  issueId: string;
  identifier: string;
  displayIdentifier: string | null;
  /** 1-based attempt of the run in progress. */
  attempt: number;
  sessionId: string | null;
  agentAdapter: string;
  /** Workspace path; '' until preparation has produced it. */
  workspace: string;
  workflowFile: string | null;
  /** Process group id of the agent, once spawned. */
  pgid: number | null;
  startedAt: Date;
}

export interface ActiveRunRow extends Omit<ActiveRunInput, "startedAt"> {
  startedAt: string;
}

/** Fields of an active run that become known while the worker runs. Absent fields are left as they are. */
export interface ActiveRunPatch {
  sessionId?: string | null;
  pgid?: number | null;
  workspace?: string;
}

export interface ReactionFingerprint {
  /** '' when there is no row. */
  fingerprint: string;
  dispatched: boolean;
}

/** What to do with the issue's retry row in the exit transaction. */
export type RetryChange = { kind: "save"; entry: RetryEntryRow } | { kind: "delete" };

/**
 * Everything a worker exit writes, committed together: the run-history row, the absolute
 * `agent_totals`, optionally the session metadata and a retry row change, and the removal of the
 * issue's active-run row.
 */
export interface WorkerExitRecord {
  run: RunHistoryInput;
  totals: AggregateTotals;
  session?: SessionMetadataInput;
  retry?: RetryChange;
}

/** An active run left behind by a process that did not exit cleanly, after its rows were written. */
export interface RecoveredRun {
  issueId: string;
  identifier: string;
  displayIdentifier: string | null;
  sessionId: string | null;
  /** Process group the agent ran in; the caller decides whether to kill it. */
  pgid: number | null;
  /** Attempt of the interrupted run, which is also the attempt of the retry scheduled for it. */
  attempt: number;
  agentAdapter: string;
  workspace: string;
  workflowFile: string | null;
  startedAt: string;
  /** Id of the `timed_out` run-history row written for it. */
  runHistoryId: number;
  /** False when a retry row with an equal or higher attempt already existed and was kept. */
  retryScheduled: boolean;
}

/** Counts behind the warm-start / cold-start log line. */
export interface WarmStartStats {
  retriesRestored: number;
  /** Retry rows whose due time is not after `now`. */
  retriesOverdue: number;
  runHistoryEntries: number;
  agentTotalsRestored: boolean;
  /** True when any table held a row: a warm start; false: a cold start. */
  hasPersistedRows: boolean;
}

/** Sessions finished and tokens used in one time bucket. */
export interface TokenUsageBucket {
  /** Start of the bucket, epoch ms, a multiple of the bucket size. */
  startMs: number;
  sessions: number;
  /** Sessions per stored status. */
  sessionsByStatus: Record<string, number>;
  /** Input + output tokens of the runs with known counts. */
  tokens: number;
  /** Sessions whose token counts are unknown (counted in `sessions`, not in `tokens`). */
  sessionsWithUnknownTokens: number;
}

/** Result of a WAL checkpoint: pages in the log and pages moved to the database. */
export interface CheckpointResult {
  busy: boolean;
  logFrames: number;
  checkpointedFrames: number;
}
