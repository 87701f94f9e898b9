// /livez and /readyz keep answering while the orchestrator is as busy as the file tracker can make
// it: thousands of candidates on every short poll, several mock agents streaming events, hand-offs
// rewriting the issues file. Every probe must get its 200; latency is a benchmark's business, not a
// test's.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { waitFor } from "../../helpers/wait.ts";
import { httpRuns } from "./harness.ts";

setDefaultTimeout(120_000);

const runs = httpRuns();
afterEach(() => runs.cleanup());

const CANDIDATES = 5000;
const REQUESTS = 4000;
const CONCURRENCY = 100;
// Keep probing until this much busy work has happened meanwhile, however fast the probes are.
const MIN_TICKS = 3;
const MIN_EXITS = 5;

describe("probes under load", () => {
  test(`every one of at least ${REQUESTS} concurrent probes is answered 200 during busy ticks`, async () => {
    const s = await runs.start({
      issues: Array.from({ length: CANDIDATES }, (_, i) => ({
        id: String(i + 1),
        identifier: `LOAD-${i + 1}`,
        title: `Load issue ${i + 1}`,
        state: "To Do",
        priority: (i % 4) + 1,
        description: `Issue ${i + 1} `.repeat(20),
        labels: ["load", `bucket-${i % 10}`],
      })),
      frontMatter: {
        pollMs: 100,
        maxAgents: 8,
        mock: [
          "  turn_delay_ms: 20",
          "  events_per_turn: 200",
          "  model_name: load-model",
          "  tool_calls:",
          "    - tool_name: Bash",
          "      duration_ms: 5",
          "    - tool_name: Read",
          "      duration_ms: 3",
          "  write_file:",
          "    path: OUT.md",
          '    content: "{identifier} turn {turn}"',
        ].join("\n"),
      },
      edit: (fm) => fm.replace("max_turns: 1", "max_turns: 5"),
    });
    // Load is on: full ticks over all candidates and agents finishing sessions.
    await s.p.waitForLog("tick completed", (r) => Number(r.candidates) >= CANDIDATES - 100);
    await waitFor(() => s.p.logs("worker exiting").length >= 8, { what: "agents finishing sessions" });
    const ticksBefore = s.p.logs("tick completed").length;
    const exitsBefore = s.p.logs("worker exiting").length;

    const statuses = new Map<string, number>();
    const failures: string[] = [];
    const busyEnough = () =>
      s.p.logs("tick completed").length - ticksBefore >= MIN_TICKS &&
      s.p.logs("worker exiting").length - exitsBefore >= MIN_EXITS;
    let sent = 0;
    let readiness = 0;
    const worker = async () => {
      for (;;) {
        if (sent >= REQUESTS && busyEnough()) return;
        const i = sent++;
        if (i % 10 === 9) readiness++;
        // Mostly liveness, every tenth a readiness probe (which pings the database).
        const path = i % 10 === 9 ? "/readyz" : "/livez";
        try {
          const res = await s.get(path);
          const body = (await res.json()) as { status: string };
          const key = `${path} ${res.status} ${body.status}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
        } catch (err) {
          failures.push(`${path}: ${String(err)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(REQUESTS);
    expect(Object.fromEntries(statuses)).toEqual({
      "/livez 200 pass": sent - readiness,
      "/readyz 200 pass": readiness,
    });
    // Ticks over all candidates and ended sessions happened while the probes ran.
    expect(busyEnough()).toBe(true);
    expect(
      s.p.logs("tick completed").filter((r) => Number(r.candidates) >= CANDIDATES - 500).length,
    ).toBeGreaterThan(0);
    expect(s.p.proc.exitCode).toBeNull();
  });
});
