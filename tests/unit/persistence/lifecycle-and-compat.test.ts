import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { closeConnection, openConnection } from "../../../src/persistence/db.ts";
import {
  openStore,
  PersistenceError,
  persistenceHint,
  type SqliteStore,
} from "../../../src/persistence/index.ts";
import { appliedVersions, inspect, tempDirs } from "./helpers.ts";

const dirs = tempDirs();
const open: SqliteStore[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  dirs.cleanup();
});

async function track(store: Promise<SqliteStore>): Promise<SqliteStore> {
  const s = await store;
  open.push(s);
  return s;
}

const SQL_DIR = join(import.meta.dir, "../../../src/persistence/sql/sqlite");

/**
 * Builds a database the way the Go original does: its tracking table, migrations 1–9 executed
 * statement by statement, and rows in the formats it writes.
 */
function createGoDatabase(path: string): void {
  const db = new Database(path, { create: true });
  try {
    db.query("PRAGMA journal_mode=WAL").get();
    db.run("PRAGMA synchronous=NORMAL");
    db.run(
      "CREATE TABLE IF NOT EXISTS schema_migrations (\n\t\t\tversion    INTEGER PRIMARY KEY,\n\t\t\tapplied_at TEXT    NOT NULL\n\t\t)",
    );
    const files = readdirSync(SQL_DIR)
      .filter((f) => Number.parseInt(f, 10) <= 9)
      .sort();
    expect(files).toHaveLength(9);
    for (const [i, file] of files.entries()) {
      db.transaction(() => {
        for (const stmt of readFileSync(join(SQL_DIR, file), "utf8").split(";")) {
          if (stmt.trim() !== "") db.run(stmt);
        }
        db.run("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", [
          i + 1,
          "2026-02-01T08:00:00Z",
        ]);
      })();
    }
    db.run(
      "INSERT INTO retry_entries (issue_id, identifier, attempt, due_at_ms, error, session_id) VALUES ('10001', 'PROJ-1', 2, 1770000000000, NULL, 'go-session')",
    );
    db.run(`INSERT INTO run_history (issue_id, identifier, attempt, agent_adapter, workspace, started_at, completed_at,
      status, error, workflow_file, turns_completed, display_identifier, review_metadata)
      VALUES ('10001', 'PROJ-1', 1, 'claude-code', '/ws/PROJ-1', '2026-02-01T08:00:00Z', '2026-02-01T08:20:00Z',
      'cancelled', 'agent turn 2: agent: turn_cancelled: context canceled', '/cfg/WORKFLOW.md', 2, NULL, NULL)`);
    db.run(`INSERT INTO session_metadata (issue_id, session_id, agent_pid, input_tokens, output_tokens, total_tokens,
      updated_at, cache_read_tokens, model_name, api_request_count)
      VALUES ('10001', 'go-session', '4242', 10, 20, 30, '2026-02-01T08:20:00Z', 5, 'claude-sonnet', 4)`);
    db.run(`INSERT INTO aggregate_metrics (key, input_tokens, output_tokens, total_tokens, seconds_running, updated_at,
      cache_read_tokens) VALUES ('agent_totals', 100, 200, 300, 1200.5, '2026-02-01T08:20:00Z', 50)`);
    db.run(
      "INSERT INTO reaction_fingerprints (issue_id, kind, fingerprint, dispatched, updated_at) VALUES ('10001', 'ci', 'deadbeef', 1, '2026-02-01T08:20:00Z')",
    );
  } finally {
    db.close();
  }
}

describe("connection", () => {
  test("a writable connection uses WAL, synchronous=NORMAL and a busy timeout of at most 5 s", async () => {
    const path = join(dirs.make(), "pragmas.db");
    const conn = openConnection(path);
    try {
      expect(conn.raw.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
      expect(conn.raw.query("PRAGMA synchronous").get()).toEqual({ synchronous: 1 });
      const timeout = (conn.raw.query("PRAGMA busy_timeout").get() as { timeout: number }).timeout;
      expect(timeout).toBeGreaterThan(0);
      expect(timeout).toBeLessThanOrEqual(5000);
    } finally {
      await closeConnection(conn);
    }
  });

  test("an in-memory database is accepted with journal mode memory", async () => {
    const store = await track(openStore(":memory:"));
    expect(store.schemaVersion).toBe(10);
    await store.ping();
  });

  test("ping answers while open and rejects after close; close twice is harmless", async () => {
    const path = join(dirs.make(), "ping.db");
    const store = await openStore(path);
    await store.ping();
    await store.close();
    await store.close();
    await expect(store.ping()).rejects.toThrow();
    await expect(store.countRunHistoryByIssue("x")).rejects.toThrow();
  });

  test("checkpoint moves the WAL into the database and truncates it", async () => {
    const path = join(dirs.make(), "wal.db");
    const store = await track(openStore(path));
    for (let i = 0; i < 20; i++) await store.upsertReactionFingerprint(`${i}`, "ci", "x".repeat(2000));
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
    const result = await store.checkpoint();
    expect(result.busy).toBe(false);
    expect(statSync(`${path}-wal`).size).toBe(0);
    expect(inspect(path, (db) => db.query("SELECT COUNT(*) AS n FROM reaction_fingerprints").get())).toEqual({
      n: 20,
    });
  });
});

describe("read-only open", () => {
  test("reads beside a running writer and refuses to write", async () => {
    const path = join(dirs.make(), "ro.db");
    const writer = await track(openStore(path));
    await writer.appendRunHistory({
      issueId: "1",
      identifier: "P-1",
      attempt: 1,
      agentAdapter: "claude-code",
      workspace: "",
      startedAt: new Date(0),
      completedAt: new Date(0),
      status: "failed",
      inputTokens: 7,
    });
    const reader = await track(openStore(path, { readonly: true }));
    expect(reader.readonly).toBe(true);
    expect(await reader.queryRunHistoryByIssue("1")).toMatchObject([{ issueId: "1", inputTokens: 7 }]);
    await reader.ping();
    expect(await reader.checkpoint()).toEqual({ busy: false, logFrames: 0, checkpointedFrames: 0 });
    await expect(reader.deleteRetryEntry("1")).rejects.toThrow(/readonly/i);
  });

  test("a Go database at version 9 is neither migrated nor altered, and its runs read with unknown tokens", async () => {
    const path = join(dirs.make(), "go.db");
    createGoDatabase(path);
    const reader = await track(openStore(path, { readonly: true }));
    expect(reader.schemaVersion).toBe(9);
    expect(await reader.queryRunHistoryByIssue("10001")).toMatchObject([
      { status: "cancelled", turnsCompleted: 2, inputTokens: null, cacheWriteTokens: null },
    ]);
    expect(await reader.queryRecentRunHistory(5)).toHaveLength(1);
    await reader.close();
    expect(inspect(path, appliedVersions)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test("a missing file fails with one open error and is not created", async () => {
    const dir = dirs.make();
    const path = join(dir, "absent.db");
    const err = await openStore(path, { readonly: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PersistenceError);
    expect((err as PersistenceError).kind).toBe("database_open_error");
    expect((err as PersistenceError).message).toContain(path);
    expect(persistenceHint(err)).toContain("SORTIE_DB_PATH");
    expect(existsSync(path)).toBe(false);
  });

  test("a SQLite file that sortie did not create is reported as such", async () => {
    const path = join(dirs.make(), "other.db");
    inspect(path, (db) => db.run("CREATE TABLE unrelated (x)"));
    const err = await openStore(path, { readonly: true }).catch((e: unknown) => e);
    expect((err as PersistenceError).kind).toBe("database_open_error");
    expect((err as PersistenceError).message).toContain("not a sortie database");
  });
});

describe("compatibility with the Go original", () => {
  test("a database it created opens, migrates to 10 and keeps every row readable", async () => {
    const path = join(dirs.make(), "go.db");
    createGoDatabase(path);
    const store = await track(openStore(path, { now: () => new Date("2026-03-01T00:00:00Z") }));
    expect(inspect(path, appliedVersions)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

    expect(await store.loadRetryEntries()).toEqual([
      {
        issueId: "10001",
        identifier: "PROJ-1",
        attempt: 2,
        dueAtMs: 1770000000000,
        error: null,
        sessionId: "go-session",
      },
    ]);
    expect(await store.queryRunHistoryByIssue("10001")).toMatchObject([
      {
        attempt: 1,
        status: "cancelled",
        startedAt: "2026-02-01T08:00:00Z",
        workflowFile: "/cfg/WORKFLOW.md",
        turnsCompleted: 2,
        inputTokens: null,
        outputTokens: null,
      },
    ]);
    expect(await store.loadSessionMetadata("10001")).toMatchObject({
      agentPid: "4242",
      cacheReadTokens: 5,
      apiRequestCount: 4,
    });
    expect(await store.loadAggregateMetrics("agent_totals")).toMatchObject({
      totalTokens: 300,
      secondsRunning: 1200.5,
    });
    expect(await store.getReactionFingerprint("10001", "ci")).toEqual({
      fingerprint: "deadbeef",
      dispatched: true,
    });
    expect(await store.loadActiveRuns()).toEqual([]);
    expect(await store.recoverInterruptedRuns(new Date())).toEqual([]);
    expect(await store.warmStartStats(new Date("2026-03-01T00:00:00Z"))).toEqual({
      retriesRestored: 1,
      retriesOverdue: 1,
      runHistoryEntries: 1,
      agentTotalsRestored: true,
      hasPersistedRows: true,
    });
  });
});
