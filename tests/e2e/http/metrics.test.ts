// /metrics of the running binary: the whole sortie_* catalogue (names, types, HELP texts, histogram
// buckets, pre-initialised label sets) and counters that move when real work happens.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { waitFor } from "../../helpers/wait.ts";
import { type HttpSortie, httpRuns, METRICS_TYPE, metricFamilies, sampleValue } from "./harness.ts";

setDefaultTimeout(60_000);

const runs = httpRuns();
afterEach(() => runs.cleanup());

// The wire contract: name, type, HELP.
const CATALOGUE: [string, string, string][] = [
  ["sortie_build_info", "gauge", "Build metadata for target identification."],
  ["sortie_sessions_running", "gauge", "Number of currently running agent sessions."],
  ["sortie_sessions_retrying", "gauge", "Number of issues awaiting session retry."],
  ["sortie_slots_available", "gauge", "Remaining dispatch slots."],
  [
    "sortie_active_sessions_elapsed_seconds",
    "gauge",
    "Sum of wall-clock elapsed seconds across all running sessions.",
  ],
  ["sortie_tokens_total", "counter", "Cumulative LLM tokens consumed."],
  ["sortie_agent_runtime_seconds_total", "counter", "Cumulative agent runtime in seconds."],
  ["sortie_dispatches_total", "counter", "Dispatch attempts and their outcomes."],
  ["sortie_worker_exits_total", "counter", "Worker exit events by type."],
  ["sortie_worker_duration_seconds", "histogram", "Wall-clock time per worker session."],
  ["sortie_retries_total", "counter", "Retry scheduling events by trigger."],
  ["sortie_reconciliation_actions_total", "counter", "Reconciliation outcomes per issue."],
  ["sortie_poll_cycles_total", "counter", "Poll tick outcomes."],
  ["sortie_poll_duration_seconds", "histogram", "Time per complete poll cycle."],
  ["sortie_tracker_requests_total", "counter", "Tracker adapter API calls."],
  ["sortie_handoff_transitions_total", "counter", "Handoff state transition outcomes."],
  ["sortie_dispatch_transitions_total", "counter", "Dispatch-time in-progress transition attempts."],
  ["sortie_tracker_comments_total", "counter", "Tracker comment attempts by lifecycle point and result."],
  ["sortie_tool_calls_total", "counter", "Agent tool call completions."],
  ["sortie_ssh_host_usage", "gauge", "Current session count per SSH host."],
  ["sortie_ci_status_checks_total", "counter", "CI status check outcomes."],
  ["sortie_ci_escalations_total", "counter", "CI escalation actions taken."],
  ["sortie_review_checks_total", "counter", "Review comment check outcomes."],
  ["sortie_review_escalations_total", "counter", "Review reaction escalation outcomes."],
  ["sortie_self_review_iterations_total", "counter", "Self-review iterations by verdict."],
  ["sortie_self_review_sessions_total", "counter", "Self-review sessions by final verdict."],
  ["sortie_self_review_verification_duration_seconds", "histogram", "Per-command verification duration."],
  ["sortie_self_review_cap_reached_total", "counter", "Self-review sessions that hit the iteration cap."],
];

// Closed label sets that exist (at 0) before anything happened, so rate() alerts see data.
const PREINITIALISED: [string, string, string[]][] = [
  ["sortie_tokens_total", "type", ["input", "output", "cache_read"]],
  ["sortie_dispatches_total", "outcome", ["success", "error"]],
  ["sortie_worker_exits_total", "exit_type", ["normal", "error", "cancelled", "soft_stop"]],
  ["sortie_retries_total", "trigger", ["error", "continuation", "timer", "stall", "ci_fix"]],
  ["sortie_reconciliation_actions_total", "action", ["stop", "cleanup", "keep", "sweep_cleanup"]],
  ["sortie_poll_cycles_total", "result", ["success", "error", "skipped"]],
  ["sortie_handoff_transitions_total", "result", ["success", "error", "skipped"]],
  ["sortie_dispatch_transitions_total", "result", ["success", "error", "skipped"]],
  ["sortie_ci_status_checks_total", "result", ["passing", "pending", "failing", "error"]],
  ["sortie_ci_escalations_total", "action", ["label", "comment", "error"]],
  ["sortie_review_checks_total", "result", ["dispatched", "error", "skipped"]],
  ["sortie_review_escalations_total", "action", ["label", "comment", "error"]],
  ["sortie_self_review_iterations_total", "verdict", ["pass", "iterate", "none"]],
  ["sortie_self_review_sessions_total", "final_verdict", ["pass", "iterate", "none"]],
];

const POLL_BUCKETS = ["0.1", "0.2", "0.4", "0.8", "1.6", "3.2", "6.4", "12.8", "25.6", "51.2", "+Inf"];
const LONG_BUCKETS = [
  "10",
  "20",
  "40",
  "80",
  "160",
  "320",
  "640",
  "1280",
  "2560",
  "5120",
  "10240",
  "20480",
  "+Inf",
];

async function scrape(s: HttpSortie): Promise<string> {
  const res = await s.get("/metrics");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe(METRICS_TYPE);
  return res.text();
}

function value(text: string, sample: string): number {
  const v = sampleValue(text, sample);
  if (v === undefined) throw new Error(`sample ${sample} missing from /metrics`);
  return v;
}

describe("/metrics catalogue", () => {
  test("exposes every sortie_* family with its type and HELP text, and no other sortie_* family", async () => {
    const s = await runs.start({
      issues: [{ id: "1", identifier: "MET-1", title: "Long", state: "To Do" }],
      frontMatter: { mock: "  turn_delay_ms: 600000" },
    });
    const text = await scrape(s);
    const families = metricFamilies(text);
    const lines = new Set(text.split("\n"));
    for (const [name, type, help] of CATALOGUE) {
      expect([name, families.get(name)]).toEqual([name, type]);
      expect([name, lines.has(`# HELP ${name} ${help}`)]).toEqual([name, true]);
    }
    const sortieFamilies = [...families.keys()].filter((n) => n.startsWith("sortie_")).sort();
    expect(sortieFamilies).toEqual(CATALOGUE.map(([n]) => n).sort());
    // Every family, runtime ones included, has both HELP and TYPE.
    const helped = new Set([...lines].filter((l) => l.startsWith("# HELP ")).map((l) => l.split(" ")[2]));
    for (const name of families.keys()) expect([name, helped.has(name)]).toEqual([name, true]);
    // Runtime families come from the runtime, labelled Go-compatibly.
    expect(text).toMatch(/\nsortie_build_info\{version="[^"]+",go_version="bun[^"]+"\} 1\n/);
    expect(families.has("process_cpu_seconds_total")).toBe(true);
  });

  test("closed label sets are pre-initialised at zero and histograms expose their buckets", async () => {
    const s = await runs.start({ issues: [], frontMatter: { pollMs: 60_000 } });
    const text = await scrape(s);
    for (const [family, label, values] of PREINITIALISED) {
      for (const v of values) {
        const sample = `${family}{${label}="${v}"}`;
        expect([sample, sampleValue(text, sample) !== undefined]).toEqual([sample, true]);
      }
    }
    expect(value(text, 'sortie_dispatches_total{outcome="error"}')).toBe(0);
    expect(value(text, 'sortie_worker_exits_total{exit_type="normal"}')).toBe(0);
    expect(value(text, "sortie_self_review_cap_reached_total")).toBe(0);
    for (const le of POLL_BUCKETS) expect(text).toContain(`sortie_poll_duration_seconds_bucket{le="${le}"} `);
    expect(text).toContain("\nsortie_poll_duration_seconds_sum ");
    expect(text).toContain("\nsortie_poll_duration_seconds_count ");
    for (const le of LONG_BUCKETS) {
      expect(text).toContain(`sortie_worker_duration_seconds_bucket{le="${le}",exit_type="normal"} 0`);
    }
    // No issue-level labels anywhere.
    expect(text).not.toMatch(/issue_id=|issue_identifier=|session_id=/);
  });

  test("gauges follow the running sessions", async () => {
    const s = await runs.start({
      issues: [{ id: "1", identifier: "MET-1", title: "Long", state: "To Do" }],
      frontMatter: { mock: "  turn_delay_ms: 600000", maxAgents: 3 },
    });
    const text = await waitFor(
      async () => {
        const t = await scrape(s);
        return sampleValue(t, "sortie_sessions_running") === 1 && t;
      },
      { what: "sortie_sessions_running 1" },
    );
    expect(value(text, "sortie_slots_available")).toBe(2);
    expect(value(text, "sortie_sessions_retrying")).toBe(0);
    await waitFor(async () => value(await scrape(s), "sortie_active_sessions_elapsed_seconds") > 0, {
      what: "elapsed seconds of the running session",
    });
  });
});

describe("/metrics after a run", () => {
  test("dispatch, exit, token, retry, transition, tracker and poll counters move", async () => {
    const s = await runs.start({
      issues: [
        { id: "1", identifier: "RUN-1", title: "One", state: "To Do", priority: 1 },
        { id: "2", identifier: "RUN-2", title: "Two", state: "To Do", priority: 2 },
      ],
      frontMatter: {
        // The mock's outcome list is shared by all sessions: the first turn fails, the rest succeed.
        mock: '  turn_outcomes: [failed]\n  write_file:\n    path: OUT.md\n    content: "{identifier}"',
      },
    });
    await waitFor(
      () => s.w.issue("1")?.state === "Human Review" && s.w.issue("2")?.state === "Human Review",
      {
        what: "both issues handed off (one after a retry)",
      },
    );
    // Exits are counted when the loop handles them; wait until the retried run's exit is in.
    const text = await waitFor(
      async () => {
        const t = await scrape(s);
        return value(t, 'sortie_worker_exits_total{exit_type="normal"}') === 2 && t;
      },
      { what: "two normal exits" },
    );

    expect(value(text, 'sortie_dispatches_total{outcome="success"}')).toBe(3);
    expect(value(text, 'sortie_dispatches_total{outcome="error"}')).toBe(0);
    expect(value(text, 'sortie_worker_exits_total{exit_type="error"}')).toBe(1);
    expect(value(text, 'sortie_worker_exits_total{exit_type="cancelled"}')).toBe(0);
    expect(value(text, 'sortie_worker_duration_seconds_count{exit_type="normal"}')).toBe(2);
    expect(value(text, 'sortie_worker_duration_seconds_count{exit_type="error"}')).toBe(1);
    expect(value(text, 'sortie_retries_total{trigger="error"}')).toBe(1);
    expect(value(text, 'sortie_handoff_transitions_total{result="success"}')).toBe(2);
    expect(value(text, 'sortie_dispatch_transitions_total{result="success"}')).toBe(2);
    // Every turn wrote its file, the failing one included (the outcome comes after the write).
    expect(value(text, 'sortie_tool_calls_total{tool="write_file",result="success"}')).toBe(3);
    expect(value(text, "sortie_agent_runtime_seconds_total")).toBeGreaterThan(0);
    expect(value(text, 'sortie_tracker_requests_total{operation="fetch_candidates",result="success"}')).toBe(
      value(text, 'sortie_poll_cycles_total{result="success"}'),
    );
    expect(
      value(text, 'sortie_tracker_requests_total{operation="transition",result="success"}'),
    ).toBeGreaterThanOrEqual(4);
    expect(value(text, "sortie_sessions_running")).toBe(0);
    expect(value(text, "sortie_slots_available")).toBe(2);

    // Token counters equal the API's lifetime totals (a fresh database).
    const state = await s.json<{ agent_totals: Record<string, number> }>("/api/v1/state");
    expect(value(text, 'sortie_tokens_total{type="input"}')).toBe(state.agent_totals.input_tokens as number);
    expect(value(text, 'sortie_tokens_total{type="output"}')).toBe(
      state.agent_totals.output_tokens as number,
    );
    expect(value(text, 'sortie_tokens_total{type="input"}')).toBeGreaterThan(0);

    // Poll cycles keep counting, and each is timed.
    const polls = value(text, 'sortie_poll_cycles_total{result="success"}');
    expect(polls).toBeGreaterThan(0);
    expect(value(text, "sortie_poll_duration_seconds_count")).toBeGreaterThanOrEqual(polls);
    await waitFor(
      async () => value(await scrape(s), 'sortie_poll_cycles_total{result="success"}') >= polls + 2,
      { what: "two more poll cycles" },
    );
  });

  test("a failing poll counts as an error cycle", async () => {
    const s = await runs.start({ issues: [], frontMatter: { pollMs: 200 } });
    const before = value(await scrape(s), 'sortie_poll_cycles_total{result="error"}');
    // A file the tracker cannot parse makes the candidate fetch fail.
    await Bun.write(s.w.issuesFile, "{ not json");
    await s.p.waitForLog("failed to fetch candidate issues");
    await waitFor(async () => value(await scrape(s), 'sortie_poll_cycles_total{result="error"}') > before, {
      what: "an error poll cycle",
    });
    const text = await scrape(s);
    expect(
      value(text, 'sortie_tracker_requests_total{operation="fetch_candidates",result="error"}'),
    ).toBeGreaterThan(0);
  });
});
