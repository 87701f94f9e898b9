import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { closeConnection, openConnection } from "../../../src/persistence/db.ts";
import { migrate, splitStatements } from "../../../src/persistence/migrate.ts";
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from "../../../src/persistence/migrations.ts";
import { PersistenceError } from "../../../src/persistence/open-errors.ts";
import { openStore } from "../../../src/persistence/sqlite-store.ts";
import { appliedVersions, type ColumnInfo, fixedClock, inspect, tableInfo, tempDirs } from "./helpers.ts";

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

function col(name: string, type: string, notnull = 0, dflt: string | null = null, pk = 0): ColumnInfo {
  return { name, type, notnull, dflt_value: dflt, pk };
}

// The schema every database must have after migrating, written out from the documented DDL
// rather than read from the migration files, so a drifting migration file is caught.
const EXPECTED_TABLES: Record<string, ColumnInfo[]> = {
  schema_migrations: [col("version", "INTEGER", 0, null, 1), col("applied_at", "TEXT", 1)],
  retry_entries: [
    col("issue_id", "TEXT", 0, null, 1),
    col("identifier", "TEXT", 1),
    col("attempt", "INTEGER", 1),
    col("due_at_ms", "INTEGER", 1),
    col("error", "TEXT"),
    col("session_id", "TEXT"),
  ],
  run_history: [
    col("id", "INTEGER", 0, null, 1),
    col("issue_id", "TEXT", 1),
    col("identifier", "TEXT", 1),
    col("attempt", "INTEGER", 1),
    col("agent_adapter", "TEXT", 1),
    col("workspace", "TEXT", 1),
    col("started_at", "TEXT", 1),
    col("completed_at", "TEXT", 1),
    col("status", "TEXT", 1),
    col("error", "TEXT"),
    col("workflow_file", "TEXT"),
    col("turns_completed", "INTEGER", 1, "0"),
    col("display_identifier", "TEXT"),
    col("review_metadata", "TEXT"),
    col("input_tokens", "INTEGER"),
    col("output_tokens", "INTEGER"),
    col("cache_read_tokens", "INTEGER"),
    col("cache_write_tokens", "INTEGER"),
  ],
  session_metadata: [
    col("issue_id", "TEXT", 0, null, 1),
    col("session_id", "TEXT", 1),
    col("agent_pid", "TEXT"),
    col("input_tokens", "INTEGER", 1, "0"),
    col("output_tokens", "INTEGER", 1, "0"),
    col("total_tokens", "INTEGER", 1, "0"),
    col("updated_at", "TEXT", 1),
    col("cache_read_tokens", "INTEGER", 1, "0"),
    col("model_name", "TEXT", 1, "''"),
    col("api_request_count", "INTEGER", 1, "0"),
  ],
  aggregate_metrics: [
    col("key", "TEXT", 0, null, 1),
    col("input_tokens", "INTEGER", 1, "0"),
    col("output_tokens", "INTEGER", 1, "0"),
    col("total_tokens", "INTEGER", 1, "0"),
    col("seconds_running", "REAL", 1, "0"),
    col("updated_at", "TEXT", 1),
    col("cache_read_tokens", "INTEGER", 1, "0"),
  ],
  reaction_fingerprints: [
    col("issue_id", "TEXT", 1, null, 1),
    col("kind", "TEXT", 1, null, 2),
    col("fingerprint", "TEXT", 1),
    col("dispatched", "INTEGER", 1, "0"),
    col("updated_at", "TEXT", 1),
  ],
  active_runs: [
    col("issue_id", "TEXT", 0, null, 1),
    col("identifier", "TEXT", 1),
    col("display_identifier", "TEXT"),
    col("attempt", "INTEGER", 1),
    col("session_id", "TEXT"),
    col("agent_adapter", "TEXT", 1),
    col("workspace", "TEXT", 1, "''"),
    col("workflow_file", "TEXT"),
    col("pgid", "INTEGER"),
    col("started_at", "TEXT", 1),
  ],
};

function schemaOf(path: string) {
  return inspect(path, (db) => {
    const tables = db
      .query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => r.name);
    const indexes = db
      .query<{ name: string; tbl_name: string; sql: string | null }, []>(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
      )
      .all();
    const columns = Object.fromEntries(tables.map((t) => [t, tableInfo(db, t)]));
    const autoincrement = db
      .query<{ sql: string }, []>("SELECT sql FROM sqlite_master WHERE name = 'run_history'")
      .get()
      ?.sql.includes("AUTOINCREMENT");
    return { tables, indexes, columns, autoincrement };
  });
}

/** Builds a database at schema version `k` using only the first `k` migrations. */
async function databaseAtVersion(path: string, k: number): Promise<void> {
  const conn = openConnection(path);
  try {
    await migrate(conn.db, MIGRATIONS.slice(0, k), { path, now: () => new Date("2025-01-01T00:00:00Z") });
  } finally {
    await closeConnection(conn);
  }
}

describe("migrations", () => {
  test("registry holds versions 1 to 10 in order with the exact descriptions", () => {
    expect(MIGRATIONS.map((m) => [m.version, m.description])).toEqual([
      [1, "core persistence tables"],
      [2, "extended token metrics"],
      [3, "workflow file in run history"],
      [4, "run_history issue_id index"],
      [5, "turns completed in run history"],
      [6, "display identifier in run history"],
      [7, "self-review metadata in run history"],
      [8, "reaction fingerprints for cross-restart dedup"],
      [9, "session ID in retry entries for cross-retry resume"],
      [10, "active runs and per-run token usage"],
    ]);
    expect(LATEST_SCHEMA_VERSION).toBe(10);
  });

  test("an empty database gets every table, column, default and index of the documented schema", async () => {
    const path = join(dirs.make(), "fresh.db");
    const clock = fixedClock("2026-03-29T10:00:01.789Z");
    const store = await openStore(path, { now: clock.now });
    await store.close();

    const schema = schemaOf(path);
    expect(schema.tables).toEqual([...Object.keys(EXPECTED_TABLES), "sqlite_sequence"].sort());
    for (const [table, columns] of Object.entries(EXPECTED_TABLES)) {
      expect({ table, columns: schema.columns[table] }).toEqual({ table, columns });
    }
    expect(schema.autoincrement).toBe(true);
    expect(schema.indexes).toEqual([
      {
        name: "idx_run_history_issue_id",
        tbl_name: "run_history",
        sql: "CREATE INDEX idx_run_history_issue_id ON run_history(issue_id)",
      },
    ]);
    const applied = inspect(path, (db) =>
      db.query<{ version: number; applied_at: string }, []>("SELECT * FROM schema_migrations").all(),
    );
    expect(applied).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((version) => ({ version, applied_at: "2026-03-29T10:00:01Z" })),
    );
  });

  for (let k = 0; k < LATEST_SCHEMA_VERSION; k++) {
    test(`a database at version ${k} migrates to the same schema as a fresh one, keeping its rows`, async () => {
      const dir = dirs.make();
      const fresh = join(dir, "fresh.db");
      await (await openStore(fresh)).close();

      const path = join(dir, `v${k}.db`);
      await databaseAtVersion(path, k);
      expect(inspect(path, appliedVersions)).toEqual(MIGRATIONS.slice(0, k).map((m) => m.version));
      if (k >= 1) {
        inspect(path, (db) => {
          db.run(
            "INSERT INTO run_history (issue_id, identifier, attempt, agent_adapter, workspace, started_at, completed_at, status, error) VALUES ('i1', 'P-1', 1, 'claude-code', '/w', '2025-01-01T00:00:00Z', '2025-01-01T00:01:00Z', 'failed', 'boom')",
          );
          db.run(
            "INSERT INTO retry_entries (issue_id, identifier, attempt, due_at_ms, error) VALUES ('i1', 'P-1', 2, 1735689600000, 'boom')",
          );
        });
      }

      const store = await openStore(path);
      try {
        expect(schemaOf(path)).toEqual(schemaOf(fresh));
        expect(inspect(path, appliedVersions)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        if (k >= 1) {
          const [run] = await store.queryRunHistoryByIssue("i1");
          expect(run).toMatchObject({
            issueId: "i1",
            status: "failed",
            error: "boom",
            turnsCompleted: 0,
            workflowFile: null,
            displayIdentifier: null,
            reviewMetadata: null,
            inputTokens: null,
            outputTokens: null,
            cacheReadTokens: null,
            cacheWriteTokens: null,
          });
          expect(await store.loadRetryEntries()).toEqual([
            {
              issueId: "i1",
              identifier: "P-1",
              attempt: 2,
              dueAtMs: 1735689600000,
              error: "boom",
              sessionId: null,
            },
          ]);
        }
      } finally {
        await store.close();
      }
    });
  }

  test("opening a current database again applies nothing and keeps the recorded times", async () => {
    const path = join(dirs.make(), "again.db");
    const clock = fixedClock("2026-01-01T00:00:00Z");
    await (await openStore(path, { now: clock.now })).close();
    clock.set("2026-06-01T00:00:00Z");
    await (await openStore(path, { now: clock.now })).close();
    const times = inspect(path, (db) =>
      db.query<{ t: string }, []>("SELECT DISTINCT applied_at AS t FROM schema_migrations").all(),
    );
    expect(times).toEqual([{ t: "2026-01-01T00:00:00Z" }]);
  });

  test("a database with a newer migration is refused with the original's message and left as it was", async () => {
    const path = join(dirs.make(), "newer.db");
    await (await openStore(path)).close();
    inspect(path, (db) =>
      db.run("INSERT INTO schema_migrations (version, applied_at) VALUES (11, '2027-01-01T00:00:00Z')"),
    );
    const before = readFileSync(path);

    const err = await openStore(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PersistenceError);
    const pe = err as PersistenceError;
    expect(pe.kind).toBe("database_newer_schema");
    expect(pe.layer).toBe("persistence");
    expect(pe.message).toBe(
      `migrate database ${path}: database has migration 11, but this binary only knows up to 10 — refusing to run against a newer schema`,
    );
    expect(pe.hint).toContain("newer sortie");
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(inspect(path, appliedVersions)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  test("a registry out of order is rejected before anything is applied", async () => {
    const path = join(dirs.make(), "unsorted.db");
    const conn = openConnection(path);
    try {
      const unsorted: Migration[] = [MIGRATIONS[0]!, MIGRATIONS[2]!, MIGRATIONS[1]!];
      const err = await migrate(conn.db, unsorted, { path, now: () => new Date() }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PersistenceError);
      expect((err as PersistenceError).kind).toBe("database_migration_error");
      expect((err as PersistenceError).message).toBe(
        `migrate database ${path}: migrations are not sorted by version: [1 3 2]`,
      );
      const tables = conn.raw.query("SELECT name FROM sqlite_master WHERE name = 'retry_entries'").all();
      expect(tables).toEqual([]);
    } finally {
      await closeConnection(conn);
    }
  });

  test("a failing migration is rolled back whole and reported with phase, version and description", async () => {
    const path = join(dirs.make(), "broken.db");
    const broken: Migration = {
      version: 11,
      description: "deliberately broken",
      sql: "CREATE TABLE half_done (x INTEGER);\nINSERT INTO no_such_table VALUES (1);",
    };
    const conn = openConnection(path);
    try {
      const err = await migrate(conn.db, [...MIGRATIONS, broken], { path, now: () => new Date() }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PersistenceError);
      expect((err as PersistenceError).kind).toBe("database_migration_error");
      expect((err as PersistenceError).message).toBe(
        `migrate database ${path}: execute migration 11 (deliberately broken): no such table: no_such_table`,
      );
      expect(conn.raw.query("SELECT name FROM sqlite_master WHERE name = 'half_done'").all()).toEqual([]);
      expect(appliedVersions(conn.raw)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      // The connection is usable afterwards: the failed transaction did not keep it.
      expect(conn.raw.query("SELECT COUNT(*) AS n FROM run_history").get()).toEqual({ n: 0 });
    } finally {
      await closeConnection(conn);
    }
  });

  test("statement splitting drops empty and comment-only chunks", () => {
    expect(
      splitStatements(
        "-- header\n\nCREATE TABLE a (x);\n\n-- trailing note\n;\n  ;ALTER TABLE a ADD COLUMN y TEXT;\n",
      ),
    ).toEqual(["-- header\n\nCREATE TABLE a (x)", "ALTER TABLE a ADD COLUMN y TEXT"]);
    for (const m of MIGRATIONS) expect(splitStatements(m.sql).length).toBeGreaterThan(0);
  });
});
