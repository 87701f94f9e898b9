// reaction_fingerprints: what a CI or review reaction last saw per issue, so a restart does not
// dispatch the same fix twice.
import { type Kysely, sql } from "kysely";
import type { ReactionFingerprint } from "../rows.ts";
import type { Schema } from "../schema.ts";

export async function upsertReactionFingerprint(
  db: Kysely<Schema>,
  issueId: string,
  kind: string,
  fingerprint: string,
  updatedAt: string,
): Promise<void> {
  await db
    .insertInto("reaction_fingerprints")
    .values({ issue_id: issueId, kind, fingerprint, dispatched: 0, updated_at: updatedAt })
    .onConflict((oc) =>
      oc.columns(["issue_id", "kind"]).doUpdateSet({
        fingerprint: sql`excluded.fingerprint`,
        // Only a changed value resets the dispatched flag; the same value keeps it.
        dispatched: sql`CASE WHEN excluded.fingerprint != reaction_fingerprints.fingerprint THEN 0 ELSE reaction_fingerprints.dispatched END`,
        updated_at: sql`excluded.updated_at`,
      }),
    )
    .execute();
}

export async function getReactionFingerprint(
  db: Kysely<Schema>,
  issueId: string,
  kind: string,
): Promise<ReactionFingerprint> {
  const r = await db
    .selectFrom("reaction_fingerprints")
    .select(["fingerprint", "dispatched"])
    .where("issue_id", "=", issueId)
    .where("kind", "=", kind)
    .executeTakeFirst();
  return r === undefined
    ? { fingerprint: "", dispatched: false }
    : { fingerprint: r.fingerprint, dispatched: r.dispatched !== 0 };
}

export async function markReactionDispatched(
  db: Kysely<Schema>,
  issueId: string,
  kind: string,
  updatedAt: string,
): Promise<void> {
  await db
    .updateTable("reaction_fingerprints")
    .set({ dispatched: 1, updated_at: updatedAt })
    .where("issue_id", "=", issueId)
    .where("kind", "=", kind)
    .execute();
}

export async function deleteReactionFingerprint(
  db: Kysely<Schema>,
  issueId: string,
  kind: string,
): Promise<void> {
  await db
    .deleteFrom("reaction_fingerprints")
    .where("issue_id", "=", issueId)
    .where("kind", "=", kind)
    .execute();
}

export async function deleteReactionFingerprintsByIssue(db: Kysely<Schema>, issueId: string): Promise<void> {
  await db.deleteFrom("reaction_fingerprints").where("issue_id", "=", issueId).execute();
}
