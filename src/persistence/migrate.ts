// Applies pending migrations with the Go original's bookkeeping: a `schema_migrations` table of
// applied versions, one transaction per migration, and a refusal to touch a newer schema.
import { type Kysely, sql } from "kysely";
import { rfc3339Seconds } from "../domain/time.ts";
import type { Migration } from "./migrations.ts";
import { diagnoseDatabaseFailure, PersistenceError, sqliteCode } from "./open-errors.ts";
import type { Schema } from "./schema.ts";

type Phase = "begin" | "execute" | "record" | "commit";

/** Returns the versions applied by this call (empty when the schema was current). */
export async function migrate(
  db: Kysely<Schema>,
  migrations: readonly Migration[],
  options: { path: string; now: () => Date },
): Promise<number[]> {
  const { path } = options;
  const fail = (message: string, err?: unknown) =>
    new PersistenceError("database_migration_error", `migrate database ${path}: ${message}`, {
      dbPath: path,
      hint: err === undefined ? undefined : diagnoseDatabaseFailure(path, err).hint,
      sqliteCode: sqliteCode(err),
    });

  const versions = migrations.map((m) => m.version);
  if (versions.some((v, i) => i > 0 && v <= (versions[i - 1] ?? 0))) {
    throw fail(`migrations are not sorted by version: [${versions.join(" ")}]`);
  }

  let applied: Set<number>;
  try {
    await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      applied_at TEXT    NOT NULL
    )`.execute(db);
    const rows = await db.selectFrom("schema_migrations").select("version").orderBy("version").execute();
    applied = new Set(rows.map((r) => Number(r.version)));
  } catch (err) {
    throw fail(`read applied migrations: ${messageOf(err)}`, err);
  }

  const max = versions.at(-1) ?? 0;
  for (const v of applied) {
    if (v > max) {
      throw new PersistenceError(
        "database_newer_schema",
        `migrate database ${path}: database has migration ${v}, but this binary only knows up to ${max} — refusing to run against a newer schema`,
        {
          dbPath: path,
          hint: "this database was last used by a newer sortie: run that version, or point SORTIE_DB_PATH at another file",
        },
      );
    }
  }

  const done: number[] = [];
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    await applyMigration(db, m, options.now, (phase, err) =>
      fail(`${phase} migration ${m.version} (${m.description}): ${messageOf(err)}`, err),
    );
    done.push(m.version);
  }
  return done;
}

async function applyMigration(
  db: Kysely<Schema>,
  m: Migration,
  now: () => Date,
  fail: (phase: Phase, err: unknown) => PersistenceError,
): Promise<void> {
  let trx: Awaited<ReturnType<ReturnType<Kysely<Schema>["startTransaction"]>["execute"]>>;
  try {
    trx = await db.startTransaction().execute();
  } catch (err) {
    throw fail("begin", err);
  }
  let phase: Phase = "execute";
  try {
    for (const statement of splitStatements(m.sql)) {
      await sql.raw(statement).execute(trx);
    }
    phase = "record";
    await trx
      .insertInto("schema_migrations")
      .values({ version: m.version, applied_at: rfc3339Seconds(now()) })
      .execute();
    phase = "commit";
    await trx.commit().execute();
  } catch (err) {
    try {
      await trx.rollback().execute();
    } catch {
      // The failed statement may already have ended the transaction; the original error matters.
    }
    throw fail(phase, err);
  }
}

/**
 * Splits migration text on `;` like the Go original does (the files contain no `;` inside string
 * literals or comments) and drops chunks that hold only whitespace and `--` comments.
 */
export function splitStatements(text: string): string[] {
  return text
    .split(";")
    .map((chunk) => chunk.trim())
    .filter((chunk) => chunk.split("\n").some((line) => line.trim() !== "" && !line.trim().startsWith("--")));
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
