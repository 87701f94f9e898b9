// The counts behind the start-up log line: what the database restored, and whether it held
// anything at all (warm start) or not (cold start).
import { type Kysely, sql } from "kysely";
import { AGENT_TOTALS_KEY, type WarmStartStats } from "../rows.ts";
import type { Schema } from "../schema.ts";
import { loadAggregateMetrics } from "./aggregate-metrics.ts";
import { countRunHistory } from "./run-history.ts";

export async function warmStartStats(
  db: Kysely<Schema>,
  nowMs: number,
  hasActiveRunsTable: boolean,
): Promise<WarmStartStats> {
  const retries = await db
    .selectFrom("retry_entries")
    .select((eb) => [
      eb.fn.countAll<number>().as("total"),
      eb.fn.sum<number | null>(sql<number>`CASE WHEN due_at_ms <= ${nowMs} THEN 1 ELSE 0 END`).as("overdue"),
    ])
    .executeTakeFirst();
  const retriesRestored = Number(retries?.total ?? 0);
  const runHistoryEntries = await countRunHistory(db);
  const agentTotalsRestored = (await loadAggregateMetrics(db, AGENT_TOTALS_KEY)) !== undefined;
  const anyRow = async (
    table: "aggregate_metrics" | "session_metadata" | "reaction_fingerprints" | "active_runs",
  ) =>
    (await db.selectFrom(table).select(sql<number>`1`.as("one")).limit(1).executeTakeFirst()) !== undefined;
  const hasPersistedRows =
    retriesRestored > 0 ||
    runHistoryEntries > 0 ||
    agentTotalsRestored ||
    (await anyRow("aggregate_metrics")) ||
    (await anyRow("session_metadata")) ||
    (await anyRow("reaction_fingerprints")) ||
    (hasActiveRunsTable && (await anyRow("active_runs")));
  return {
    retriesRestored,
    retriesOverdue: Number(retries?.overdue ?? 0),
    runHistoryEntries,
    agentTotalsRestored,
    hasPersistedRows,
  };
}
