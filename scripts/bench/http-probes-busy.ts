// Benchmark: /livez latency of the compiled binary while the orchestrator is busy (thousands of
// file-tracker candidates on short polls, several mock agents streaming events, hand-offs rewriting
// the issues file), against a floor measured in the same run: the same binary idle (no issues).
// Prints p50/p99/max latency, throughput, ticks and mean tick time during the load, and ratios.
// Needs dist/sortie (`bun run build`).
//
//   bun run scripts/bench/http-probes-busy.ts [--requests 20000] [--concurrency 64] [--candidates 5000]
//     [--turn-delay-ms 20] [--json]
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const BIN = resolve(import.meta.dir, "../../dist/sortie");

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

interface Scenario {
  name: string;
  candidates: number;
  turnDelayMs: number;
}

interface Result {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  perSecond: number;
  ticks: number;
  meanTickMs: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function sample(exposition: string, name: string): number {
  const line = exposition.split("\n").find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : 0;
}

function workflow(dir: string, port: number, turnDelayMs: number): string {
  return `---
tracker:
  kind: file
  active_states: [To Do, In Progress]
  in_progress_state: In Progress
  handoff_state: Human Review
  terminal_states: [Done]
file:
  path: ${join(dir, "issues.json")}
polling:
  interval_ms: 100
workspace:
  root: ${join(dir, "workspaces")}
db_path: ${join(dir, "bench.db")}
server:
  port: ${port}
agent:
  kind: mock
  max_concurrent_agents: 8
  max_turns: 5
mock:
  turn_delay_ms: ${turnDelayMs}
  events_per_turn: 200
  tool_calls:
    - tool_name: Bash
      duration_ms: 5
  write_file:
    path: OUT.md
    content: "{identifier} turn {turn}"
---
Work on {{ .issue.identifier }}
`;
}

function freePort(): number {
  const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
  const port = s.port as number;
  s.stop(true);
  return port;
}

async function waitUntil(probe: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

async function run(scenario: Scenario, requests: number, concurrency: number): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), "sortie-bench-probes-"));
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  writeFileSync(
    join(dir, "issues.json"),
    JSON.stringify(
      Array.from({ length: scenario.candidates }, (_, i) => ({
        id: String(i + 1),
        identifier: `B-${i + 1}`,
        title: `Bench issue ${i + 1}`,
        state: "To Do",
        priority: (i % 4) + 1,
        description: `Issue ${i + 1} `.repeat(20),
      })),
    ),
  );
  writeFileSync(join(dir, "WORKFLOW.md"), workflow(dir, port, scenario.turnDelayMs));
  const proc = Bun.spawn([BIN, "--log-level", "warn", join(dir, "WORKFLOW.md")], {
    cwd: dir,
    stdout: "ignore",
    stderr: "ignore",
  });
  try {
    await waitUntil(async () => (await fetch(`${base}/readyz`)).status === 200, "ready");
    const metrics = async () => (await fetch(`${base}/metrics`)).text();
    // Busy means at least one full tick over the candidates has happened and agents are running.
    await waitUntil(async () => {
      const m = await metrics();
      return (
        sample(m, "sortie_poll_duration_seconds_count") >= 2 &&
        (scenario.candidates === 0 || sample(m, "sortie_sessions_running") > 0)
      );
    }, "busy ticks");
    const url = `${base}/livez`;
    // Warm the connection pool and the JIT.
    for (let i = 0; i < 500; i++) await (await fetch(url)).arrayBuffer();

    const before = await metrics();
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < requests) {
        next++;
        const t0 = performance.now();
        const res = await fetch(url);
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`unexpected status ${res.status}`);
        latencies.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    const after = await metrics();
    latencies.sort((a, b) => a - b);
    const ticks =
      sample(after, "sortie_poll_duration_seconds_count") -
      sample(before, "sortie_poll_duration_seconds_count");
    const tickSeconds =
      sample(after, "sortie_poll_duration_seconds_sum") - sample(before, "sortie_poll_duration_seconds_sum");
    return {
      requests: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies.at(-1) ?? 0,
      perSecond: latencies.length / seconds,
      ticks,
      meanTickMs: ticks > 0 ? (tickSeconds / ticks) * 1000 : 0,
    };
  } finally {
    proc.kill("SIGTERM");
    await proc.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!existsSync(BIN)) {
    console.error(`${BIN} is missing: run \`bun run build\` first`);
    process.exit(1);
  }
  const requests = Number(argValue("--requests", "20000"));
  const concurrency = Number(argValue("--concurrency", "64"));
  const candidates = Number(argValue("--candidates", "5000"));
  const turnDelayMs = Number(argValue("--turn-delay-ms", "20"));
  const asJson = process.argv.includes("--json");

  const floor = await run({ name: "idle", candidates: 0, turnDelayMs }, requests, concurrency);
  const busy = await run({ name: "busy", candidates, turnDelayMs }, requests, concurrency);
  const ratio = {
    p50: busy.p50Ms / floor.p50Ms,
    p99: busy.p99Ms / floor.p99Ms,
    throughput: floor.perSecond / busy.perSecond,
  };
  if (asJson) {
    console.log(JSON.stringify({ requests, concurrency, candidates, turnDelayMs, floor, busy, ratio }));
    return;
  }
  const row = (name: string, r: Result) =>
    `${name.padEnd(26)} p50 ${r.p50Ms.toFixed(2).padStart(7)} ms  p99 ${r.p99Ms.toFixed(2).padStart(7)} ms  max ${r.maxMs.toFixed(1).padStart(6)} ms  ${Math.round(r.perSecond).toString().padStart(6)} req/s  ${r.ticks} ticks (mean ${r.meanTickMs.toFixed(1)} ms)`;
  console.log(
    `dist/sortie /livez, ${requests} requests, ${concurrency} concurrent; mock turns of ${turnDelayMs} ms`,
  );
  console.log(row("floor (idle binary)", floor));
  console.log(row(`busy (${candidates} candidates)`, busy));
  console.log(
    `ratio busy/idle            p50 ${ratio.p50.toFixed(2)}x   p99 ${ratio.p99.toFixed(2)}x   time per request ${ratio.throughput.toFixed(2)}x`,
  );
}

await main();
