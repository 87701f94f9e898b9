// retry_entries: one pending retry per issue, upserted whole.
import type { Kysely } from "kysely";
import type { RetryEntryRow } from "../rows.ts";
import type { Schema } from "../schema.ts";

export async function saveRetryEntry(db: Kysely<Schema>, e: RetryEntryRow): Promise<void> {
  await db
    .insertInto("retry_entries")
    .values({
      issue_id: e.issueId,
      identifier: e.identifier,
      attempt: e.attempt,
      due_at_ms: Math.trunc(e.dueAtMs),
      // The original stores NULL, never '', for "no error" and "no session".
      error: e.error || null,
      session_id: e.sessionId || null,
    })
    .onConflict((oc) =>
      oc.column("issue_id").doUpdateSet((eb) => ({
        identifier: eb.ref("excluded.identifier"),
        attempt: eb.ref("excluded.attempt"),
        due_at_ms: eb.ref("excluded.due_at_ms"),
        error: eb.ref("excluded.error"),
        session_id: eb.ref("excluded.session_id"),
      })),
    )
    .execute();
}

export async function deleteRetryEntry(db: Kysely<Schema>, issueId: string): Promise<void> {
  await db.deleteFrom("retry_entries").where("issue_id", "=", issueId).execute();
}

export async function loadRetryEntries(db: Kysely<Schema>): Promise<RetryEntryRow[]> {
  const rows = await db
    .selectFrom("retry_entries")
    .select(["issue_id", "identifier", "attempt", "due_at_ms", "error", "session_id"])
    .orderBy("due_at_ms", "asc")
    .orderBy("issue_id", "asc")
    .execute();
  return rows.map((r) => ({
    issueId: r.issue_id,
    identifier: r.identifier,
    attempt: r.attempt,
    dueAtMs: r.due_at_ms,
    error: r.error,
    sessionId: r.session_id,
  }));
}

export async function retryAttempt(db: Kysely<Schema>, issueId: string): Promise<number | undefined> {
  const row = await db
    .selectFrom("retry_entries")
    .select("attempt")
    .where("issue_id", "=", issueId)
    .executeTakeFirst();
  return row?.attempt;
}
