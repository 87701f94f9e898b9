// active_runs: one row per running worker, so runs cut off by a crash are found at the next start.
import type { Kysely } from "kysely";
import type { ActiveRunPatch, ActiveRunRow } from "../rows.ts";
import type { Schema } from "../schema.ts";

export async function upsertActiveRun(db: Kysely<Schema>, r: ActiveRunRow): Promise<void> {
  await db
    .insertInto("active_runs")
    .values({
      issue_id: r.issueId,
      identifier: r.identifier,
      display_identifier: r.displayIdentifier,
      attempt: r.attempt,
      session_id: r.sessionId || null,
      agent_adapter: r.agentAdapter,
      workspace: r.workspace,
      workflow_file: r.workflowFile,
      pgid: r.pgid,
      started_at: r.startedAt,
    })
    .onConflict((oc) =>
      oc.column("issue_id").doUpdateSet((eb) => ({
        identifier: eb.ref("excluded.identifier"),
        display_identifier: eb.ref("excluded.display_identifier"),
        attempt: eb.ref("excluded.attempt"),
        session_id: eb.ref("excluded.session_id"),
        agent_adapter: eb.ref("excluded.agent_adapter"),
        workspace: eb.ref("excluded.workspace"),
        workflow_file: eb.ref("excluded.workflow_file"),
        pgid: eb.ref("excluded.pgid"),
        started_at: eb.ref("excluded.started_at"),
      })),
    )
    .execute();
}

export async function updateActiveRun(
  db: Kysely<Schema>,
  issueId: string,
  patch: ActiveRunPatch,
): Promise<void> {
  const set: { session_id?: string | null; pgid?: number | null; workspace?: string } = {};
  if (patch.sessionId !== undefined) set.session_id = patch.sessionId || null;
  if (patch.pgid !== undefined) set.pgid = patch.pgid;
  if (patch.workspace !== undefined) set.workspace = patch.workspace;
  if (Object.keys(set).length === 0) return;
  await db.updateTable("active_runs").set(set).where("issue_id", "=", issueId).execute();
}

export async function deleteActiveRun(db: Kysely<Schema>, issueId: string): Promise<void> {
  await db.deleteFrom("active_runs").where("issue_id", "=", issueId).execute();
}

export async function loadActiveRuns(db: Kysely<Schema>): Promise<ActiveRunRow[]> {
  const rows = await db
    .selectFrom("active_runs")
    .select([
      "issue_id",
      "identifier",
      "display_identifier",
      "attempt",
      "session_id",
      "agent_adapter",
      "workspace",
      "workflow_file",
      "pgid",
      "started_at",
    ])
    .orderBy("started_at", "asc")
    .orderBy("issue_id", "asc")
    .execute();
  return rows.map((r) => ({
    issueId: r.issue_id,
    identifier: r.identifier,
    displayIdentifier: r.display_identifier,
    attempt: r.attempt,
    sessionId: r.session_id,
    agentAdapter: r.agent_adapter,
    workspace: r.workspace,
    workflowFile: r.workflow_file,
    pgid: r.pgid,
    startedAt: r.started_at,
  }));
}
