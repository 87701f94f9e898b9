// What the dashboard reads from persisted run history: a small interface the CLI adapts the store
// to (the store buckets the chart series in SQL), so the server never imports persistence.

export interface RecentRun {
  issueId: string;
  identifier: string;
  /** null or "" when the tracker has no separate display form. */
  displayIdentifier: string | null;
  /** 1-based attempt number of the run. */
  attempt: number;
  /** Stored terminal status (`succeeded`, `failed`, `cancelled`, `timed_out`, ...). */
  status: string;
  /** Stored RFC 3339 strings, shown verbatim. */
  startedAt: string;
  completedAt: string;
  turnsCompleted: number;
  workflowFile: string | null;
  error: string | null;
}

export interface UsageBucket {
  /** Bucket start; buckets are aligned to multiples of the bucket length since the epoch. */
  start: Date;
  /** Sessions that finished in the bucket, by stored status. */
  sessionsByStatus: Record<string, number>;
  /** input + output tokens of the bucket's runs whose counters are known. */
  tokens: number;
}

export interface RunHistoryReader {
  /** Newest first. */
  recentRuns(limit: number): Promise<RecentRun[]>;
  /** Runs completed at or after `since`, bucketed by completion time; empty buckets may be left out. */
  tokenUsageSeries(since: Date, bucketMs: number): Promise<UsageBucket[]>;
}

/** Aligned bucket start for an instant. */
export function bucketStart(time: number, bucketMs: number): number {
  return Math.floor(time / bucketMs) * bucketMs;
}

/** A reader for deployments without persistence (and for tests): no history at all. */
export const NO_HISTORY: RunHistoryReader = {
  recentRuns: async () => [],
  tokenUsageSeries: async () => [],
};
