// SIGKILLs a real writer process at random points and checks that every reopen sees an intact
// database holding whole transactions only, including from a copy of the file and its -wal.
import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "../../../src/persistence/index.ts";
import { tempDirs, waitFor } from "../../unit/persistence/helpers.ts";

const WRITER = join(import.meta.dir, "crash-writer.ts");
const dirs = tempDirs();
afterEach(() => dirs.cleanup());

interface Writer {
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  /** Highest counter the child reported as committed. */
  acked(): number;
  done: Promise<void>;
}

function startWriter(path: string): Writer {
  const proc = Bun.spawn([process.execPath, WRITER, "loop", path], { stdout: "pipe", stderr: "pipe" });
  let buffered = "";
  let last = -1;
  const done = (async () => {
    const decoder = new TextDecoder();
    const reader = proc.stdout.getReader();
    for (;;) {
      const { value: chunk, done: ended } = await reader.read();
      if (ended) return;
      buffered += decoder.decode(chunk, { stream: true });
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) if (line !== "") last = Number(line);
    }
  })();
  return { proc, acked: () => last, done };
}

interface Counters {
  integrity: string;
  runs: number;
  maxAttempt: number;
  totals: number;
  retryAttempt: number;
  sessionTokens: number;
  activeAttempt: number | null;
}

function readCounters(path: string): Counters {
  const db = new Database(path);
  try {
    const one = <T>(q: string) => db.query(q).get() as T;
    return {
      integrity: one<{ integrity_check: string }>("PRAGMA integrity_check").integrity_check,
      runs: one<{ n: number }>("SELECT COUNT(*) AS n FROM run_history WHERE issue_id = 'crash'").n,
      maxAttempt: one<{ n: number | null }>("SELECT MAX(attempt) AS n FROM run_history").n ?? 0,
      totals:
        one<{ n: number } | null>(
          "SELECT input_tokens AS n FROM aggregate_metrics WHERE key = 'agent_totals'",
        )?.n ?? 0,
      retryAttempt:
        one<{ n: number } | null>("SELECT attempt AS n FROM retry_entries WHERE issue_id = 'crash'")?.n ?? 0,
      sessionTokens: one<{ n: number } | null>("SELECT input_tokens AS n FROM session_metadata")?.n ?? 0,
      activeAttempt: one<{ n: number } | null>("SELECT attempt AS n FROM active_runs")?.n ?? null,
    };
  } finally {
    db.close();
  }
}

/** Every transaction writes all counters with the same n: a torn transaction breaks the equalities. */
function expectWholeTransactions(c: Counters, acked: number): void {
  expect(c.integrity).toBe("ok");
  expect(c.maxAttempt).toBe(c.runs);
  expect(c.totals).toBe(c.runs);
  expect(c.retryAttempt).toBe(c.runs);
  expect(c.sessionTokens).toBe(c.runs);
  if (c.activeAttempt !== null) expect(c.activeAttempt).toBe(c.runs + 1);
  // Everything reported committed survived (synchronous=NORMAL is durable against a process
  // crash); at most the one transaction in flight when the kill landed may also have committed.
  expect(c.runs).toBeGreaterThanOrEqual(acked);
  expect(c.runs).toBeLessThanOrEqual(acked + 1);
}

describe("crash safety", () => {
  test("a writer SIGKILLed at random points leaves only whole transactions, also in a copy of the db and its -wal", async () => {
    const dir = dirs.make();
    const path = join(dir, "crash.db");
    let total = 0;
    let copiesWithWal = 0;
    const iterations = 32;
    for (let i = 0; i < iterations; i++) {
      const writer = startWriter(path);
      // Kill after a random number of further commits, so the signal lands somewhere inside the
      // next transaction (or its WAL append, or an automatic checkpoint).
      const target = total + 1 + Math.floor(Math.random() * 150);
      await waitFor(() => (writer.acked() >= target ? true : undefined), 15_000, `commit ${target}`);
      writer.proc.kill("SIGKILL");
      await writer.proc.exited;
      await writer.done;
      expect(writer.proc.signalCode).toBe("SIGKILL");
      const acked = writer.acked();

      // Copy the files a crashed pod leaves behind; every other copy keeps the stale -shm too.
      const copyDir = join(dir, `copy-${i}`);
      mkdirSync(copyDir);
      const copy = join(copyDir, "crash.db");
      copyFileSync(path, copy);
      if (existsSync(`${path}-wal`) && statSync(`${path}-wal`).size > 0) {
        copyFileSync(`${path}-wal`, `${copy}-wal`);
        copiesWithWal++;
      }
      if (i % 2 === 1 && existsSync(`${path}-shm`)) copyFileSync(`${path}-shm`, `${copy}-shm`);

      const copyStore = await openStore(copy);
      await copyStore.close();
      expectWholeTransactions(readCounters(copy), acked);

      const counters = readCounters(path);
      expectWholeTransactions(counters, acked);
      total = counters.runs;
    }
    expect(copiesWithWal).toBeGreaterThan(0);
    expect(total).toBeGreaterThan(iterations);
  }, 60_000);

  test("a writer killed during start-up and migration never leaves a database that fails to open", async () => {
    const dir = dirs.make();
    for (let i = 0; i < 8; i++) {
      const path = join(dir, `early-${i}.db`);
      const writer = startWriter(path);
      const delay = Math.floor(Math.random() * 400);
      const timer = setTimeout(() => writer.proc.kill("SIGKILL"), delay);
      await writer.proc.exited;
      clearTimeout(timer);
      await writer.done;
      const store = await openStore(path);
      expect(store.schemaVersion).toBe(10);
      await store.close();
      expectWholeTransactions(readCounters(path), Math.max(writer.acked(), 0));
    }
  }, 30_000);
});
