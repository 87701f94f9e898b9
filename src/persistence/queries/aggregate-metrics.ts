// aggregate_metrics: lifetime totals under a key; the caller always passes absolute values.
import type { Kysely } from "kysely";
import type { AggregateMetricsRow, AggregateTotals } from "../rows.ts";
import type { Schema } from "../schema.ts";

export async function upsertAggregateMetrics(
  db: Kysely<Schema>,
  key: string,
  t: AggregateTotals,
  updatedAt: string,
): Promise<void> {
  await db
    .insertInto("aggregate_metrics")
    .values({
      key,
      input_tokens: t.inputTokens,
      output_tokens: t.outputTokens,
      total_tokens: t.totalTokens,
      cache_read_tokens: t.cacheReadTokens,
      seconds_running: t.secondsRunning,
      updated_at: updatedAt,
    })
    .onConflict((oc) =>
      oc.column("key").doUpdateSet((eb) => ({
        input_tokens: eb.ref("excluded.input_tokens"),
        output_tokens: eb.ref("excluded.output_tokens"),
        total_tokens: eb.ref("excluded.total_tokens"),
        cache_read_tokens: eb.ref("excluded.cache_read_tokens"),
        seconds_running: eb.ref("excluded.seconds_running"),
        updated_at: eb.ref("excluded.updated_at"),
      })),
    )
    .execute();
}

export async function loadAggregateMetrics(
  db: Kysely<Schema>,
  key: string,
): Promise<AggregateMetricsRow | undefined> {
  const r = await db
    .selectFrom("aggregate_metrics")
    .select([
      "key",
      "input_tokens",
      "output_tokens",
      "total_tokens",
      "cache_read_tokens",
      "seconds_running",
      "updated_at",
    ])
    .where("key", "=", key)
    .executeTakeFirst();
  if (r === undefined) return undefined;
  return {
    key: r.key,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    totalTokens: r.total_tokens,
    cacheReadTokens: r.cache_read_tokens,
    secondsRunning: r.seconds_running,
    updatedAt: r.updated_at,
  };
}
