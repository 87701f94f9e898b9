// Benchmark: /livez latency under concurrent load through the full sortie app (Hono routing,
// health flags, JSON encoding, request logging) against a floor measured in the same run: a bare
// Bun.serve answering a constant. Both servers run in one child process so the load generator in
// this process does not share their event loop. Prints p50/p99 latency, throughput and ratios.
//
//   bun run scripts/bench/http-probes.ts [--requests 20000] [--concurrency 64] [--json]
import type { OrchestratorView, RuntimeSnapshot } from "../../src/orchestrator/snapshot.ts";
import { createApp } from "../../src/server/app.ts";
import { NO_HISTORY } from "../../src/server/history.ts";
import { createPrometheusMetrics } from "../../src/server/metrics.ts";

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

function serveBoth(): void {
  const snapshot: RuntimeSnapshot = {
    generatedAt: new Date(),
    running: [],
    retrying: [],
    agentTotals: { inputTokens: 0, outputTokens: 0, totalTokens: 0, cacheReadTokens: 0, secondsRunning: 0 },
    rateLimits: {},
    budgetExhausted: [],
    maxConcurrentAgents: 4,
    trackerRateLimits: [],
  };
  const view: OrchestratorView = {
    snapshot: () => snapshot,
    health: () => ({ preflightOk: true, workflowLoaded: true, started: true, draining: false }),
    requestRefresh: () => ({ queued: true, coalesced: false }),
    onChange: () => () => {},
  };
  const app = createApp({
    view,
    version: "bench",
    startedAt: new Date(),
    dbPing: () => true,
    history: NO_HISTORY,
    metrics: createPrometheusMetrics({ version: "bench" }),
  });
  const body = '{"status":"pass"}\n';
  const bare = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () => new Response(body, { headers: { "Content-Type": "application/json; charset=utf-8" } }),
  });
  const sortie = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 60,
    fetch: (req) => app.fetch(req),
  });
  process.stdout.write(`${JSON.stringify({ bare: bare.port, sortie: sortie.port })}\n`);
}

interface Result {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  perSecond: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function load(url: string, requests: number, concurrency: number): Promise<Result> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < requests) {
      next++;
      const t0 = performance.now();
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`unexpected status ${res.status} from ${url}`);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    perSecond: latencies.length / seconds,
  };
}

async function main(): Promise<void> {
  const requests = Number(argValue("--requests", "20000"));
  const concurrency = Number(argValue("--concurrency", "64"));
  const asJson = process.argv.includes("--json");
  const child = Bun.spawn([process.execPath, import.meta.path, "--serve"], {
    stdout: "pipe",
    stderr: "inherit",
  });
  try {
    const reader = child.stdout.getReader();
    let line = "";
    while (!line.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("server process exited before reporting its ports");
      line += new TextDecoder().decode(value);
    }
    const ports = JSON.parse(line.split("\n")[0]!) as { bare: number; sortie: number };
    const bareUrl = `http://127.0.0.1:${ports.bare}/livez`;
    const sortieUrl = `http://127.0.0.1:${ports.sortie}/livez`;
    // Warm both paths (JIT, connection pool) before measuring; alternate to spread drift.
    await load(bareUrl, 2000, concurrency);
    await load(sortieUrl, 2000, concurrency);
    const floor = await load(bareUrl, requests, concurrency);
    const sortie = await load(sortieUrl, requests, concurrency);
    const ratio = {
      p50: sortie.p50Ms / floor.p50Ms,
      p99: sortie.p99Ms / floor.p99Ms,
      throughput: floor.perSecond / sortie.perSecond,
    };
    if (asJson) {
      console.log(JSON.stringify({ requests, concurrency, floor, sortie, ratio }));
      return;
    }
    const row = (name: string, r: Result) =>
      `${name.padEnd(22)} p50 ${r.p50Ms.toFixed(3).padStart(8)} ms   p99 ${r.p99Ms.toFixed(3).padStart(8)} ms   ${Math.round(r.perSecond).toString().padStart(7)} req/s`;
    console.log(`/livez, ${requests} requests, ${concurrency} concurrent`);
    console.log(row("floor (bare Bun.serve)", floor));
    console.log(row("sortie app", sortie));
    console.log(
      `ratio sortie/floor      p50 ${ratio.p50.toFixed(2)}x   p99 ${ratio.p99.toFixed(2)}x   time per request ${ratio.throughput.toFixed(2)}x`,
    );
  } finally {
    child.kill();
    await child.exited;
  }
}

if (process.argv.includes("--serve")) serveBoth();
else await main();
