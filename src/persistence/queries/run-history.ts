// run_history: one row per finished run, appended and never updated.
import { type Kysely, type SelectQueryBuilder, sql } from "kysely";
import { rfc3339Seconds } from "../../domain/time.ts";
import type { RunHistoryRow, TokenUsageBucket } from "../rows.ts";
import type { RunHistoryTable, Schema } from "../schema.ts";

/** Column values of a new row: a stored row without its id (timestamps already formatted). */
export type RunHistoryValues = Omit<RunHistoryRow, "id">;

/** Budget queries bind one parameter per id; SQLite's limit is far above this. */
const BUDGET_CHUNK = 500;

export async function insertRunHistory(db: Kysely<Schema>, v: RunHistoryValues): Promise<number> {
  const row = await db
    .insertInto("run_history")
    .values({
      issue_id: v.issueId,
      identifier: v.identifier,
      display_identifier: v.displayIdentifier,
      attempt: v.attempt,
      agent_adapter: v.agentAdapter,
      workspace: v.workspace,
      started_at: v.startedAt,
      completed_at: v.completedAt,
      status: v.status,
      error: v.error,
      workflow_file: v.workflowFile,
      turns_completed: v.turnsCompleted,
      review_metadata: v.reviewMetadata,
      input_tokens: v.inputTokens,
      output_tokens: v.outputTokens,
      cache_read_tokens: v.cacheReadTokens,
      cache_write_tokens: v.cacheWriteTokens,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function countRunHistoryByIssue(db: Kysely<Schema>, issueId: string): Promise<number> {
  const row = await db
    .selectFrom("run_history")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("issue_id", "=", issueId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function countRunHistory(db: Kysely<Schema>): Promise<number> {
  const row = await db
    .selectFrom("run_history")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function budgetExhaustedIssues(
  db: Kysely<Schema>,
  issueIds: readonly string[],
  maxSessions: number,
): Promise<Set<string>> {
  const exhausted = new Set<string>();
  const unique = [...new Set(issueIds)];
  for (let i = 0; i < unique.length; i += BUDGET_CHUNK) {
    const chunk = unique.slice(i, i + BUDGET_CHUNK);
    const rows = await db
      .selectFrom("run_history")
      .select("issue_id")
      .where("issue_id", "in", chunk)
      .groupBy("issue_id")
      .having((eb) => eb.fn.countAll(), ">=", maxSessions)
      .execute();
    for (const r of rows) exhausted.add(r.issue_id);
  }
  return exhausted;
}

/**
 * Selects every column in RunHistoryRow order. A database the Go binary created and this one only
 * reads (read-only mode, no migrations) lacks the per-run token columns: they read as NULL there.
 */
export function selectRunHistory(
  db: Kysely<Schema>,
  hasTokenColumns: boolean,
): SelectQueryBuilder<Schema, "run_history", RunHistorySelection> {
  const base = db
    .selectFrom("run_history")
    .select([
      "id",
      "issue_id",
      "identifier",
      "display_identifier",
      "attempt",
      "agent_adapter",
      "workspace",
      "started_at",
      "completed_at",
      "status",
      "error",
      "workflow_file",
      "turns_completed",
      "review_metadata",
    ]);
  if (hasTokenColumns) {
    return base.select(["input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"]);
  }
  return base.select([
    sql<number | null>`NULL`.as("input_tokens"),
    sql<number | null>`NULL`.as("output_tokens"),
    sql<number | null>`NULL`.as("cache_read_tokens"),
    sql<number | null>`NULL`.as("cache_write_tokens"),
  ]);
}

type RunHistorySelection = {
  [K in Exclude<keyof RunHistoryTable, "id" | "turns_completed">]: RunHistoryTable[K];
} & { id: number; turns_completed: number };

export function toRunHistoryRow(r: RunHistorySelection): RunHistoryRow {
  return {
    id: Number(r.id),
    issueId: r.issue_id,
    identifier: r.identifier,
    displayIdentifier: r.display_identifier,
    attempt: r.attempt,
    agentAdapter: r.agent_adapter,
    workspace: r.workspace,
    startedAt: r.started_at,
    completedAt: r.completed_at,
    status: r.status,
    error: r.error,
    workflowFile: r.workflow_file,
    turnsCompleted: r.turns_completed,
    reviewMetadata: r.review_metadata,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    cacheReadTokens: r.cache_read_tokens,
    cacheWriteTokens: r.cache_write_tokens,
  };
}

export async function tokenUsageSeries(
  db: Kysely<Schema>,
  hasTokenColumns: boolean,
  since: Date,
  until: Date,
  bucketMs: number,
): Promise<TokenUsageBucket[]> {
  if (!(bucketMs > 0) || !Number.isFinite(bucketMs))
    throw new RangeError("bucketMs must be a positive number");
  const firstStart = Math.floor(since.getTime() / bucketMs) * bucketMs;
  const lastStart = Math.floor(until.getTime() / bucketMs) * bucketMs;
  const buckets: TokenUsageBucket[] = [];
  for (let start = firstStart; start <= lastStart; start += bucketMs) {
    buckets.push({
      startMs: start,
      sessions: 0,
      sessionsByStatus: {},
      tokens: 0,
      sessionsWithUnknownTokens: 0,
    });
  }
  if (buckets.length === 0) return buckets;

  const tokenColumn = (name: "input_tokens" | "output_tokens") =>
    (hasTokenColumns ? sql<number | null>`${sql.ref(name)}` : sql<number | null>`NULL`).as(name);
  // Stored timestamps are fixed-width UTC text, so a string comparison selects the window; rows
  // are parsed again below because older rows may hold other formats.
  const rows = await db
    .selectFrom("run_history")
    .select(["completed_at", "status"])
    .select([tokenColumn("input_tokens"), tokenColumn("output_tokens")])
    .where("completed_at", ">=", rfc3339Seconds(new Date(firstStart)))
    .execute();

  const endMs = lastStart + bucketMs;
  for (const r of rows) {
    const at = Date.parse(r.completed_at);
    if (!Number.isFinite(at) || at < firstStart || at >= endMs) continue;
    const bucket = buckets[Math.floor((at - firstStart) / bucketMs)];
    if (!bucket) continue;
    bucket.sessions += 1;
    bucket.sessionsByStatus[r.status] = (bucket.sessionsByStatus[r.status] ?? 0) + 1;
    if (r.input_tokens === null && r.output_tokens === null) {
      bucket.sessionsWithUnknownTokens += 1;
    } else {
      bucket.tokens += (r.input_tokens ?? 0) + (r.output_tokens ?? 0);
    }
  }
  return buckets;
}
