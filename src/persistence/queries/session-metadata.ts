// session_metadata: the last session of each issue, for observability only.
import type { Kysely } from "kysely";
import type { SessionMetadataInput, SessionMetadataRow } from "../rows.ts";
import type { Schema } from "../schema.ts";

export async function upsertSessionMetadata(
  db: Kysely<Schema>,
  m: SessionMetadataInput,
  updatedAt: string,
): Promise<void> {
  await db
    .insertInto("session_metadata")
    .values({
      issue_id: m.issueId,
      session_id: m.sessionId,
      agent_pid: m.agentPid,
      input_tokens: m.inputTokens,
      output_tokens: m.outputTokens,
      total_tokens: m.totalTokens,
      cache_read_tokens: m.cacheReadTokens,
      model_name: m.modelName,
      api_request_count: m.apiRequestCount,
      updated_at: updatedAt,
    })
    .onConflict((oc) =>
      oc.column("issue_id").doUpdateSet((eb) => ({
        session_id: eb.ref("excluded.session_id"),
        agent_pid: eb.ref("excluded.agent_pid"),
        input_tokens: eb.ref("excluded.input_tokens"),
        output_tokens: eb.ref("excluded.output_tokens"),
        total_tokens: eb.ref("excluded.total_tokens"),
        cache_read_tokens: eb.ref("excluded.cache_read_tokens"),
        model_name: eb.ref("excluded.model_name"),
        api_request_count: eb.ref("excluded.api_request_count"),
        updated_at: eb.ref("excluded.updated_at"),
      })),
    )
    .execute();
}

function selectSessionMetadata(db: Kysely<Schema>) {
  return db
    .selectFrom("session_metadata")
    .select([
      "issue_id",
      "session_id",
      "agent_pid",
      "input_tokens",
      "output_tokens",
      "total_tokens",
      "cache_read_tokens",
      "model_name",
      "api_request_count",
      "updated_at",
    ]);
}

type Selected = Awaited<ReturnType<ReturnType<typeof selectSessionMetadata>["executeTakeFirstOrThrow"]>>;

function toRow(r: Selected): SessionMetadataRow {
  return {
    issueId: r.issue_id,
    sessionId: r.session_id,
    agentPid: r.agent_pid,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    totalTokens: r.total_tokens,
    cacheReadTokens: r.cache_read_tokens,
    modelName: r.model_name,
    apiRequestCount: r.api_request_count,
    updatedAt: r.updated_at,
  };
}

export async function loadSessionMetadata(
  db: Kysely<Schema>,
  issueId: string,
): Promise<SessionMetadataRow | undefined> {
  const r = await selectSessionMetadata(db).where("issue_id", "=", issueId).executeTakeFirst();
  return r === undefined ? undefined : toRow(r);
}

export async function loadAllSessionMetadata(db: Kysely<Schema>): Promise<SessionMetadataRow[]> {
  const rows = await selectSessionMetadata(db)
    .orderBy("updated_at", "desc")
    .orderBy("issue_id", "asc")
    .execute();
  return rows.map(toRow);
}

export async function deleteSessionMetadata(db: Kysely<Schema>, issueId: string): Promise<void> {
  await db.deleteFrom("session_metadata").where("issue_id", "=", issueId).execute();
}
