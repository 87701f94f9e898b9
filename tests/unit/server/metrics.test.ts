import { describe, expect, test } from "bun:test";
import { NO_METRICS, type OrchestratorMetrics } from "../../../src/orchestrator/metrics.ts";
import { createPrometheusMetrics, LONG_BUCKETS, POLL_BUCKETS } from "../../../src/server/metrics.ts";
import { parseExposition, sampleValue } from "./exposition.ts";

interface FamilySpec {
  type: "gauge" | "counter" | "histogram";
  help: string;
  labels: string[];
  /** Every combination created at 0 on startup (closed label sets). */
  precreated?: Array<Record<string, string>>;
  buckets?: number[];
}

const each = (label: string, values: string[]) => values.map((v) => ({ [label]: v }));
const gauge = (help: string, labels: string[] = []): FamilySpec => ({ type: "gauge", help, labels });
const counter = (help: string, labels: string[] = []): FamilySpec => ({ type: "counter", help, labels });
/** A counter over one label whose every value is created at 0 on startup. */
const closedCounter = (help: string, label: string, values: string[]): FamilySpec => ({
  type: "counter",
  help,
  labels: [label],
  precreated: each(label, values),
});

/** The wire contract, written out independently of the implementation. */
const CATALOGUE: Record<string, FamilySpec> = {
  sortie_build_info: gauge("Build metadata for target identification.", ["version", "go_version"]),
  sortie_sessions_running: gauge("Number of currently running agent sessions."),
  sortie_sessions_retrying: gauge("Number of issues awaiting session retry."),
  sortie_slots_available: gauge("Remaining dispatch slots."),
  sortie_active_sessions_elapsed_seconds: gauge(
    "Sum of wall-clock elapsed seconds across all running sessions.",
  ),
  sortie_tokens_total: closedCounter("Cumulative LLM tokens consumed.", "type", [
    "input",
    "output",
    "cache_read",
  ]),
  sortie_agent_runtime_seconds_total: counter("Cumulative agent runtime in seconds."),
  sortie_dispatches_total: closedCounter("Dispatch attempts and their outcomes.", "outcome", [
    "success",
    "error",
  ]),
  sortie_worker_exits_total: closedCounter("Worker exit events by type.", "exit_type", [
    "normal",
    "error",
    "cancelled",
    "soft_stop",
  ]),
  sortie_worker_duration_seconds: {
    type: "histogram",
    help: "Wall-clock time per worker session.",
    labels: ["exit_type"],
    precreated: each("exit_type", ["normal", "error", "cancelled", "soft_stop"]),
    buckets: [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240, 20480],
  },
  sortie_retries_total: closedCounter("Retry scheduling events by trigger.", "trigger", [
    "error",
    "continuation",
    "timer",
    "stall",
    "ci_fix",
  ]),
  sortie_reconciliation_actions_total: closedCounter("Reconciliation outcomes per issue.", "action", [
    "stop",
    "cleanup",
    "keep",
    "sweep_cleanup",
  ]),
  sortie_poll_cycles_total: closedCounter("Poll tick outcomes.", "result", ["success", "error", "skipped"]),
  sortie_poll_duration_seconds: {
    type: "histogram",
    help: "Time per complete poll cycle.",
    labels: [],
    buckets: [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2],
  },
  sortie_tracker_requests_total: counter("Tracker adapter API calls.", ["operation", "result"]),
  sortie_handoff_transitions_total: closedCounter("Handoff state transition outcomes.", "result", [
    "success",
    "error",
    "skipped",
  ]),
  sortie_dispatch_transitions_total: closedCounter(
    "Dispatch-time in-progress transition attempts.",
    "result",
    ["success", "error", "skipped"],
  ),
  sortie_tracker_comments_total: {
    type: "counter",
    help: "Tracker comment attempts by lifecycle point and result.",
    labels: ["lifecycle", "result"],
    precreated: ["dispatch", "completion", "failure"].flatMap((lifecycle) =>
      ["success", "error"].map((result) => ({ lifecycle, result })),
    ),
  },
  sortie_tool_calls_total: counter("Agent tool call completions.", ["tool", "result"]),
  sortie_ssh_host_usage: gauge("Current session count per SSH host.", ["host"]),
  sortie_ci_status_checks_total: closedCounter("CI status check outcomes.", "result", [
    "passing",
    "pending",
    "failing",
    "error",
  ]),
  sortie_ci_escalations_total: closedCounter("CI escalation actions taken.", "action", [
    "label",
    "comment",
    "error",
  ]),
  sortie_review_checks_total: closedCounter("Review comment check outcomes.", "result", [
    "dispatched",
    "error",
    "skipped",
  ]),
  sortie_review_escalations_total: closedCounter("Review reaction escalation outcomes.", "action", [
    "label",
    "comment",
    "error",
  ]),
  sortie_self_review_iterations_total: closedCounter("Self-review iterations by verdict.", "verdict", [
    "pass",
    "iterate",
    "none",
  ]),
  sortie_self_review_sessions_total: closedCounter(
    "Self-review sessions by final verdict.",
    "final_verdict",
    ["pass", "iterate", "none"],
  ),
  sortie_self_review_verification_duration_seconds: {
    type: "histogram",
    help: "Per-command verification duration.",
    labels: ["command"],
    buckets: [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240, 20480],
  },
  sortie_self_review_cap_reached_total: counter("Self-review sessions that hit the iteration cap."),
};

async function scrape(recorderUse?: (recorder: OrchestratorMetrics) => void, defaultMetrics = false) {
  const metrics = createPrometheusMetrics({ version: "1.2.3", runtimeVersion: "1.4.5", defaultMetrics });
  recorderUse?.(metrics.recorder);
  return { families: parseExposition(await metrics.registry.metrics()), metrics };
}

describe("Prometheus metrics", () => {
  test("registers every sortie family with its exact type and HELP, and nothing else", async () => {
    const { families } = await scrape();
    const sortie = [...families.keys()].filter((name) => name.startsWith("sortie_")).sort();
    expect(sortie).toEqual(Object.keys(CATALOGUE).sort());
    for (const [name, spec] of Object.entries(CATALOGUE)) {
      const family = families.get(name)!;
      expect({ name, type: family.type, help: family.help }).toEqual({
        name,
        type: spec.type,
        help: spec.help,
      });
    }
  });

  test("uses the documented bucket layouts", () => {
    expect(POLL_BUCKETS).toEqual([0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2]);
    expect(LONG_BUCKETS).toEqual([10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240, 20480]);
  });

  test("exposes _bucket, _sum and _count for every histogram with the documented le values", async () => {
    const { families } = await scrape((r) => r.selfReviewVerification("bun test", 12));
    for (const [name, spec] of Object.entries(CATALOGUE)) {
      if (spec.type !== "histogram") continue;
      const samples = families.get(name)!.samples;
      const firstLabels = samples[0]!.labels;
      const series = samples.filter((s) => spec.labels.every((l) => s.labels[l] === firstLabels[l]));
      const les = series.filter((s) => s.name === `${name}_bucket`).map((s) => s.labels.le);
      expect(les).toEqual([...spec.buckets!.map(String), "+Inf"]);
      expect(series.some((s) => s.name === `${name}_sum`)).toBe(true);
      expect(series.some((s) => s.name === `${name}_count`)).toBe(true);
    }
  });

  test("creates every closed label combination at 0 and leaves open sets empty", async () => {
    const { families } = await scrape();
    for (const [name, spec] of Object.entries(CATALOGUE)) {
      for (const labels of spec.precreated ?? []) {
        const sampleName = spec.type === "histogram" ? `${name}_count` : name;
        expect({ name, labels, value: sampleValue(families, sampleName, labels) }).toEqual({
          name,
          labels,
          value: 0,
        });
      }
    }
    for (const open of [
      "sortie_tracker_requests_total",
      "sortie_tool_calls_total",
      "sortie_ssh_host_usage",
    ]) {
      expect(families.get(open)!.samples).toEqual([]);
    }
    expect(families.get("sortie_self_review_verification_duration_seconds")!.samples).toEqual([]);
  });

  test("never uses issue-level labels", async () => {
    const { families } = await scrape((r) => {
      r.toolCall("Bash", "success");
      r.trackerRequest("fetch_issue", "error");
    });
    for (const [name, family] of families) {
      if (!name.startsWith("sortie_")) continue;
      for (const sample of family.samples) {
        const labels = Object.keys(sample.labels).filter((l) => l !== "le");
        expect(labels.every((l) => CATALOGUE[name]!.labels.includes(l))).toBe(true);
      }
    }
  });

  test("exports build info as 1 with the runtime in go_version", async () => {
    const { families } = await scrape();
    expect(families.get("sortie_build_info")!.samples).toEqual([
      { name: "sortie_build_info", labels: { version: "1.2.3", go_version: "bun1.4.5" }, value: 1 },
    ]);
    const dev = createPrometheusMetrics({ version: "", defaultMetrics: false });
    const devFamilies = parseExposition(await dev.registry.metrics());
    expect(devFamilies.get("sortie_build_info")!.samples[0]!.labels).toEqual({
      version: "dev",
      go_version: `bun${Bun.version}`,
    });
  });

  test("counters ignore zero, negative and non-finite amounts", async () => {
    const { families } = await scrape((r) => {
      r.tokens("input", 100);
      r.tokens("input", 0);
      r.tokens("input", -50);
      r.tokens("input", Number.NaN);
      r.tokens("cache_read", Number.POSITIVE_INFINITY);
      r.agentRuntime(12.5);
      r.agentRuntime(-3);
    });
    expect(sampleValue(families, "sortie_tokens_total", { type: "input" })).toBe(100);
    expect(sampleValue(families, "sortie_tokens_total", { type: "cache_read" })).toBe(0);
    expect(sampleValue(families, "sortie_agent_runtime_seconds_total")).toBe(12.5);
  });

  test("every recorder method moves its own series", async () => {
    const { families } = await scrape((r) => {
      r.trackerRequest("fetch_candidates", "success");
      r.trackerRequest("fetch_candidates", "success");
      r.gauges({
        running: 2,
        retrying: 1,
        slotsAvailable: 3,
        activeElapsedSeconds: 42.5,
        sshHostUsage: { "a.example": 2 },
      });
      r.tokens("output", 7);
      r.dispatch("error");
      r.workerExit("soft_stop", 15);
      r.retry("ci_fix");
      r.reconcile("sweep_cleanup");
      r.pollCycle("error", 0.3);
      r.handoffTransition("skipped");
      r.dispatchTransition("success");
      r.trackerComment("completion", "error");
      r.toolCall("Bash", "success");
      r.ciStatusCheck("pending");
      r.ciEscalation("label");
      r.reviewCheck("dispatched");
      r.reviewEscalation("comment");
      r.selfReviewIteration("iterate");
      r.selfReviewSession("pass", true);
      r.selfReviewSession("none", false);
      r.selfReviewVerification("x".repeat(100), 30);
    });
    const v = (name: string, labels: Record<string, string> = {}) => sampleValue(families, name, labels);
    expect(v("sortie_tracker_requests_total", { operation: "fetch_candidates", result: "success" })).toBe(2);
    expect(v("sortie_sessions_running")).toBe(2);
    expect(v("sortie_sessions_retrying")).toBe(1);
    expect(v("sortie_slots_available")).toBe(3);
    expect(v("sortie_active_sessions_elapsed_seconds")).toBe(42.5);
    expect(v("sortie_ssh_host_usage", { host: "a.example" })).toBe(2);
    expect(v("sortie_tokens_total", { type: "output" })).toBe(7);
    expect(v("sortie_dispatches_total", { outcome: "error" })).toBe(1);
    expect(v("sortie_worker_exits_total", { exit_type: "soft_stop" })).toBe(1);
    expect(v("sortie_worker_duration_seconds_count", { exit_type: "soft_stop" })).toBe(1);
    expect(v("sortie_worker_duration_seconds_sum", { exit_type: "soft_stop" })).toBe(15);
    expect(v("sortie_worker_duration_seconds_bucket", { exit_type: "soft_stop", le: "10" })).toBe(0);
    expect(v("sortie_worker_duration_seconds_bucket", { exit_type: "soft_stop", le: "20" })).toBe(1);
    expect(v("sortie_retries_total", { trigger: "ci_fix" })).toBe(1);
    expect(v("sortie_reconciliation_actions_total", { action: "sweep_cleanup" })).toBe(1);
    expect(v("sortie_poll_cycles_total", { result: "error" })).toBe(1);
    expect(v("sortie_poll_duration_seconds_count")).toBe(1);
    expect(v("sortie_poll_duration_seconds_bucket", { le: "0.4" })).toBe(1);
    expect(v("sortie_poll_duration_seconds_bucket", { le: "0.2" })).toBe(0);
    expect(v("sortie_handoff_transitions_total", { result: "skipped" })).toBe(1);
    expect(v("sortie_dispatch_transitions_total", { result: "success" })).toBe(1);
    expect(v("sortie_tracker_comments_total", { lifecycle: "completion", result: "error" })).toBe(1);
    expect(v("sortie_tool_calls_total", { tool: "Bash", result: "success" })).toBe(1);
    expect(v("sortie_ci_status_checks_total", { result: "pending" })).toBe(1);
    expect(v("sortie_ci_escalations_total", { action: "label" })).toBe(1);
    expect(v("sortie_review_checks_total", { result: "dispatched" })).toBe(1);
    expect(v("sortie_review_escalations_total", { action: "comment" })).toBe(1);
    expect(v("sortie_self_review_iterations_total", { verdict: "iterate" })).toBe(1);
    expect(v("sortie_self_review_sessions_total", { final_verdict: "pass" })).toBe(1);
    expect(v("sortie_self_review_sessions_total", { final_verdict: "none" })).toBe(1);
    expect(v("sortie_self_review_cap_reached_total")).toBe(1);
    expect(v("sortie_self_review_verification_duration_seconds_count", { command: "x".repeat(64) })).toBe(1);
  });

  test("implements every method of the no-op sink", () => {
    const { recorder } = createPrometheusMetrics({ version: "1", defaultMetrics: false });
    for (const method of Object.keys(NO_METRICS)) {
      expect(typeof (recorder as unknown as Record<string, unknown>)[method]).toBe("function");
    }
  });

  test("drops SSH hosts the orchestrator no longer reports", async () => {
    const { families } = await scrape((r) => {
      r.gauges({
        running: 1,
        retrying: 0,
        slotsAvailable: 0,
        activeElapsedSeconds: 1,
        sshHostUsage: { a: 1, b: 1 },
      });
      r.gauges({
        running: 1,
        retrying: 0,
        slotsAvailable: 0,
        activeElapsedSeconds: 1,
        sshHostUsage: { b: 1 },
      });
    });
    expect(families.get("sortie_ssh_host_usage")!.samples.map((s) => s.labels.host)).toEqual(["b"]);
  });

  test("keeps separate registries per instance, off the global registry", async () => {
    const a = createPrometheusMetrics({ version: "1", defaultMetrics: false });
    const b = createPrometheusMetrics({ version: "1", defaultMetrics: false });
    a.recorder.dispatch("success");
    const fromB = parseExposition(await b.registry.metrics());
    expect(sampleValue(fromB, "sortie_dispatches_total", { outcome: "success" })).toBe(0);
    const { register } = await import("prom-client");
    expect(await register.getSingleMetricAsString("sortie_dispatches_total").catch(() => "")).toBe("");
  });

  test("adds the runtime families with HELP and TYPE to the same registry", async () => {
    const { families } = await scrape(undefined, true);
    const runtime = [...families.keys()].filter((n) => n.startsWith("process_") || n.startsWith("nodejs_"));
    expect(runtime.length).toBeGreaterThan(5);
    for (const family of families.values()) {
      expect(family.help).toBeDefined();
      expect(family.type).toBeDefined();
    }
  });
});
