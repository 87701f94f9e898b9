// What the dashboard reads from persisted run history. The persistence layer adapts its store to
// this small interface; bucketUsage turns plain rows into the chart series for stores that prefer
// to aggregate in memory.

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

export interface UsageRun {
  completedAt: string | Date;
  status: string;
  /** null = unknown; such runs count as sessions only. */
  inputTokens: number | null;
  outputTokens: number | null;
}

/** Aligned bucket start for an instant. */
export function bucketStart(time: number, bucketMs: number): number {
  return Math.floor(time / bucketMs) * bucketMs;
}

/** Groups runs completed at or after `since` into aligned buckets, oldest first, empty ones left out. */
export function bucketUsage(runs: Iterable<UsageRun>, since: Date, bucketMs: number): UsageBucket[] {
  const buckets = new Map<number, UsageBucket>();
  for (const run of runs) {
    const completed =
      run.completedAt instanceof Date ? run.completedAt.getTime() : Date.parse(run.completedAt);
    if (!Number.isFinite(completed) || completed < since.getTime()) continue;
    const start = bucketStart(completed, bucketMs);
    let bucket = buckets.get(start);
    if (!bucket) {
      bucket = { start: new Date(start), sessionsByStatus: {}, tokens: 0 };
      buckets.set(start, bucket);
    }
    bucket.sessionsByStatus[run.status] = (bucket.sessionsByStatus[run.status] ?? 0) + 1;
    bucket.tokens += (run.inputTokens ?? 0) + (run.outputTokens ?? 0);
  }
  return [...buckets.values()].sort((a, b) => a.start.getTime() - b.start.getTime());
}

/** A reader for deployments without persistence (and for tests): no history at all. */
export const NO_HISTORY: RunHistoryReader = {
  recentRuns: async () => [],
  tokenUsageSeries: async () => [],
};
