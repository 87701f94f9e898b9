// Benchmark: the orchestrator as users run it (dist/sortie, file tracker, mock agent with no turn
// delay, real SQLite). Two measurements, each with a floor measured in the same run:
//
// 1. Throughput: a few hundred issues at high concurrency until every one is handed off. Prints
//    runs per second and the orchestrator's CPU time per run, against a floor of the irreducible
//    per-run I/O done in this process: one write-back of the issues file and one bare SQLite
//    insert transaction per run.
// 2. Tick cost: one tick over 100, 1,000 and 10,000 candidate issues that are all ineligible
//    (blocked), read from sortie_poll_duration_seconds, against a floor of reading and
//    JSON.parse-ing the same file.
//
//   bun run scripts/bench/orchestrator-dispatch.ts [--runs 300] [--concurrency 50] [--json]
import { Database } from "bun:sqlite";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const repo = resolve(import.meta.dir, "../..");
const bin = join(repo, "dist/sortie");

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

function cpuSecondsOf(pid: number): number {
  // utime + stime in clock ticks (fields 14 and 15 of /proc/<pid>/stat).
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function freePort(): number {
  const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
  const port = s.port ?? 0;
  s.stop(true);
  return port;
}

function workflow(dir: string, issuesFile: string, concurrency: number, pollMs: number): string {
  return `---
tracker:
  kind: file
  active_states: [To Do]
  handoff_state: Done
  terminal_states: [Closed]
file:
  path: ${issuesFile}
polling:
  interval_ms: ${pollMs}
workspace:
  root: ${join(dir, "ws")}
db_path: ${join(dir, "bench.db")}
agent:
  kind: mock
  max_concurrent_agents: ${concurrency}
  max_turns: 1
mock:
  events_per_turn: 3
---
bench {{ .issue.identifier }}
`;
}

function issues(n: number, blocked: boolean): object[] {
  return Array.from({ length: n }, (_, i) => ({
    id: String(i + 1),
    identifier: `B-${i + 1}`,
    title: `Bench issue ${i + 1}`,
    state: "To Do",
    priority: i % 5,
    created_at: `2026-01-01T00:00:${String(i % 60).padStart(2, "0")}Z`,
    blocked_by: blocked ? [{ id: "x", identifier: "X", state: "In Progress" }] : [],
  }));
}

async function start(dir: string, wf: string, port: number) {
  writeFileSync(join(dir, "WORKFLOW.md"), wf);
  const proc = Bun.spawn([bin, "--port", String(port), "--log-level", "warn", join(dir, "WORKFLOW.md")], {
    cwd: dir,
    stdout: "ignore",
    stderr: "ignore",
  });
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) return proc;
    } catch {
      // not listening yet
    }
    await Bun.sleep(20);
  }
}

async function throughput(runs: number, concurrency: number) {
  const dir = mkdtempSync(join(tmpdir(), "sortie-bench-"));
  const issuesFile = join(dir, "issues.json");
  writeFileSync(issuesFile, JSON.stringify(issues(runs, false), null, 2));
  const port = freePort();
  const began = performance.now();
  const proc = await start(dir, workflow(dir, issuesFile, concurrency, 50), port);
  let done = 0;
  while (done < runs) {
    await Bun.sleep(50);
    done = (JSON.parse(readFileSync(issuesFile, "utf8")) as { state: string }[]).filter(
      (i) => i.state === "Done",
    ).length;
  }
  const seconds = (performance.now() - began) / 1000;
  const cpu = cpuSecondsOf(proc.pid);
  proc.kill("SIGTERM");
  await proc.exited;

  // Floor: per run, one rewrite of the issues file (what write-back does) and one bare SQLite
  // insert transaction (what the exit record needs at least).
  const db = new Database(join(dir, "floor.db"));
  db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE t (a TEXT, b INTEGER)");
  const insert = db.prepare("INSERT INTO t VALUES (?, ?)");
  const text = readFileSync(issuesFile, "utf8");
  const floorStart = performance.now();
  for (let i = 0; i < runs; i++) {
    const parsed = JSON.parse(text) as object[];
    writeFileSync(join(dir, "floor.json"), JSON.stringify(parsed, null, 2));
    db.transaction(() => insert.run(`B-${i}`, i))();
  }
  const floorSeconds = (performance.now() - floorStart) / 1000;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    runs,
    concurrency,
    wall_seconds: seconds,
    runs_per_second: runs / seconds,
    cpu_ms_per_run: (cpu * 1000) / runs,
    floor_ms_per_run: (floorSeconds * 1000) / runs,
    cpu_vs_floor: cpu / floorSeconds,
  };
}

async function tickCost(candidates: number) {
  const dir = mkdtempSync(join(tmpdir(), "sortie-bench-"));
  const issuesFile = join(dir, "issues.json");
  writeFileSync(issuesFile, JSON.stringify(issues(candidates, true), null, 2));
  const port = freePort();
  const proc = await start(dir, workflow(dir, issuesFile, 10, 100), port);
  let sum = 0;
  let count = 0;
  while (count < 10) {
    await Bun.sleep(100);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    sum = Number(/^sortie_poll_duration_seconds_sum (\S+)$/m.exec(metrics)?.[1] ?? 0);
    count = Number(/^sortie_poll_duration_seconds_count (\S+)$/m.exec(metrics)?.[1] ?? 0);
  }
  proc.kill("SIGTERM");
  await proc.exited;
  const floorStart = performance.now();
  for (let i = 0; i < count; i++) JSON.parse(readFileSync(issuesFile, "utf8"));
  const floorMs = (performance.now() - floorStart) / count;
  rmSync(dir, { recursive: true, force: true });
  const tickMs = (sum / count) * 1000;
  return { candidates, tick_ms: tickMs, floor_parse_ms: floorMs, tick_vs_floor: tickMs / floorMs };
}

const runs = Number(argValue("--runs", "300"));
const concurrency = Number(argValue("--concurrency", "50"));
const t = await throughput(runs, concurrency);
const ticks = [];
for (const n of [100, 1_000, 10_000]) ticks.push(await tickCost(n));

if (process.argv.includes("--json")) {
  console.log(JSON.stringify({ throughput: t, ticks }, null, 2));
} else {
  console.log(`dispatch: ${t.runs} mock runs at concurrency ${t.concurrency}`);
  console.log(`  ${t.runs_per_second.toFixed(1)} runs/s (${t.wall_seconds.toFixed(2)} s wall)`);
  console.log(
    `  orchestrator CPU ${t.cpu_ms_per_run.toFixed(2)} ms/run; floor (file write-back + SQLite txn) ${t.floor_ms_per_run.toFixed(3)} ms/run; ratio ${t.cpu_vs_floor.toFixed(1)}x`,
  );
  console.log("tick cost (all candidates ineligible):");
  for (const k of ticks) {
    console.log(
      `  ${String(k.candidates).padStart(6)} candidates: ${k.tick_ms.toFixed(2)} ms/tick; floor (read + JSON.parse) ${k.floor_parse_ms.toFixed(2)} ms; ratio ${k.tick_vs_floor.toFixed(1)}x`,
    );
  }
  const [first, , last] = ticks;
  if (first && last)
    console.log(`  growth 100 → 10,000: ${(last.tick_ms / first.tick_ms).toFixed(1)}x for 100x the issues`);
}
