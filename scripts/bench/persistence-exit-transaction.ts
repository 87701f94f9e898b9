// Benchmark: commits per second of the worker-exit transaction (run history + agent_totals +
// session metadata + retry row + active-run delete, through Kysely), against a floor measured in
// the same run: bare bun:sqlite transactions inserting one row, same pragmas, same directory.
//
//   bun run scripts/bench/persistence-exit-transaction.ts [--seconds 2] [--json]
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUSY_TIMEOUT_MS } from "../../src/persistence/db.ts";
import { openStore, type WorkerExitRecord } from "../../src/persistence/index.ts";

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const seconds = Number(argValue("--seconds", "2"));
const asJson = process.argv.includes("--json");
const dir = mkdtempSync(join(tmpdir(), "sortie-bench-persistence-"));

/** Runs `step` repeatedly for a warm-up, then for `seconds`, and returns completed steps per second. */
async function measure(step: (i: number) => unknown): Promise<{ perSecond: number; count: number }> {
  const warmUntil = performance.now() + 200;
  let i = 0;
  while (performance.now() < warmUntil) await step(i++);
  const start = performance.now();
  const end = start + seconds * 1000;
  let count = 0;
  while (performance.now() < end) {
    await step(i++);
    count++;
  }
  return { perSecond: count / ((performance.now() - start) / 1000), count };
}

function exitRecord(i: number): WorkerExitRecord {
  const issueId = `issue-${i % 50}`;
  const now = new Date();
  return {
    run: {
      issueId,
      identifier: `PROJ-${i % 50}`,
      attempt: i,
      agentAdapter: "claude-code",
      workspace: `/ws/PROJ-${i % 50}`,
      startedAt: now,
      completedAt: now,
      status: "succeeded",
      turnsCompleted: 3,
      inputTokens: 1200,
      outputTokens: 300,
      cacheReadTokens: 4000,
      cacheWriteTokens: 100,
    },
    totals: { inputTokens: i, outputTokens: i, totalTokens: 2 * i, cacheReadTokens: i, secondsRunning: i },
    session: {
      issueId,
      sessionId: `session-${i}`,
      agentPid: "4242",
      inputTokens: 1200,
      outputTokens: 300,
      totalTokens: 1500,
      cacheReadTokens: 4000,
      modelName: "claude-sonnet",
      apiRequestCount: 7,
    },
    retry: {
      kind: "save",
      entry: {
        issueId,
        identifier: `PROJ-${i % 50}`,
        attempt: i,
        dueAtMs: Date.now() + 1000,
        error: null,
        sessionId: null,
      },
    },
  };
}

try {
  // Floor: the cheapest durable write transaction this SQLite build can do.
  const floorDb = new Database(join(dir, "floor.db"), { create: true });
  floorDb.run(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  floorDb.query("PRAGMA journal_mode=WAL").get();
  floorDb.run("PRAGMA synchronous=NORMAL");
  floorDb.run("CREATE TABLE rows (id INTEGER PRIMARY KEY AUTOINCREMENT, payload TEXT NOT NULL)");
  const insert = floorDb.prepare("INSERT INTO rows (payload) VALUES (?)");
  const insertInTransaction = floorDb.transaction((i: number) => insert.run(`row ${i}`));
  const floor = await measure((i) => insertInTransaction(i));
  insert.finalize();
  floorDb.close(true);

  const store = await openStore(join(dir, "store.db"));
  const exits = await measure((i) => store.recordWorkerExit(exitRecord(i + 1)));
  await store.close();

  const ratio = floor.perSecond / exits.perSecond;
  if (asJson) {
    console.log(
      JSON.stringify({
        floor_commits_per_second: Math.round(floor.perSecond),
        exit_commits_per_second: Math.round(exits.perSecond),
        floor_to_exit_ratio: Number(ratio.toFixed(2)),
        seconds,
      }),
    );
  } else {
    const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
    console.log(`floor (bun:sqlite, 1-row insert transaction): ${fmt(floor.perSecond)} commits/s`);
    console.log(`recordWorkerExit (5 writes, Kysely):          ${fmt(exits.perSecond)} commits/s`);
    console.log(
      `ratio: floor is ${ratio.toFixed(2)}x faster; recordWorkerExit runs at ${(100 / ratio || 0).toFixed(1)}% of the floor`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
