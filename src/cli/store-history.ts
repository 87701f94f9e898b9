// Serves the dashboard's run history from the store (once it is open).
import type { Store } from "../persistence/index.ts";
import type { RunHistoryReader } from "../server/history.ts";

export function storeHistory(store: () => Store | null): RunHistoryReader {
  return {
    recentRuns: async (limit) => (await store()?.queryRecentRunHistory(limit)) ?? [],
    tokenUsageSeries: async (since, bucketMs) => {
      const buckets = (await store()?.tokenUsageSeries(since, bucketMs)) ?? [];
      return buckets.map((b) => ({
        start: new Date(b.startMs),
        sessionsByStatus: b.sessionsByStatus,
        tokens: b.tokens,
      }));
    },
  };
}
