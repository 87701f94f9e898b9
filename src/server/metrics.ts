// Prometheus metrics on a dedicated registry. Family names, types, labels, HELP texts and buckets
// are a wire contract shared with the Go original's dashboards and alerts; do not rename.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { TrackerOperation } from "../domain/tracker.ts";
import type { GaugeValues, OrchestratorMetrics } from "../orchestrator/metrics.ts";

/** Exponential 0.1 × 2, 10 buckets: poll cycles. */
export const POLL_BUCKETS = [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2];
/** Exponential 10 × 2, 12 buckets: worker sessions and verification commands. */
export const LONG_BUCKETS = [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240, 20480];

const WORKER_EXIT_TYPES = ["normal", "error", "cancelled", "soft_stop"] as const;
const TRANSITION_RESULTS = ["success", "error", "skipped"] as const;
const VERDICTS = ["pass", "iterate", "none"] as const;
const ESCALATION_ACTIONS = ["label", "comment", "error"] as const;

/** Label values are cut to this many characters for verification command names. */
export const COMMAND_LABEL_MAX = 64;

export interface PrometheusMetrics {
  registry: Registry;
  recorder: OrchestratorMetrics;
}

export interface PrometheusMetricsOptions {
  /** Build version; "dev" for unversioned builds. */
  version: string;
  /** Runtime version without prefix (Bun.version); exported as go_version="bun<ver>". */
  runtimeVersion?: string;
  /** Also register process_* and nodejs_* runtime families (default true). */
  defaultMetrics?: boolean;
}

function counter(registry: Registry, name: string, help: string, labelNames: string[] = []): Counter<string> {
  return new Counter({ name, help, labelNames, registers: [registry] });
}

/** Creates every closed label combination at 0 so rate() alerts see 0 instead of "no data". */
function precreate(metric: Counter<string>, label: string, values: readonly string[]): void {
  for (const value of values) metric.inc({ [label]: value }, 0);
}

/** Counters never decrease: non-positive and non-finite amounts are dropped. */
function add(metric: Counter<string>, labels: Record<string, string>, amount: number): void {
  if (!(amount > 0) || !Number.isFinite(amount)) return;
  metric.inc(labels, amount);
}

export function createPrometheusMetrics(options: PrometheusMetricsOptions): PrometheusMetrics {
  const registry = new Registry();
  const runtimeVersion = options.runtimeVersion ?? Bun.version;

  const buildInfo = new Gauge({
    name: "sortie_build_info",
    help: "Build metadata for target identification.",
    labelNames: ["version", "go_version"],
    registers: [registry],
  });
  buildInfo.set({ version: options.version || "dev", go_version: `bun${runtimeVersion}` }, 1);

  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const sessionsRunning = gauge("sortie_sessions_running", "Number of currently running agent sessions.");
  const sessionsRetrying = gauge("sortie_sessions_retrying", "Number of issues awaiting session retry.");
  const slotsAvailable = gauge("sortie_slots_available", "Remaining dispatch slots.");
  const activeElapsed = gauge(
    "sortie_active_sessions_elapsed_seconds",
    "Sum of wall-clock elapsed seconds across all running sessions.",
  );
  const sshHostUsage = gauge("sortie_ssh_host_usage", "Current session count per SSH host.", ["host"]);

  const tokens = counter(registry, "sortie_tokens_total", "Cumulative LLM tokens consumed.", ["type"]);
  precreate(tokens, "type", ["input", "output", "cache_read"]);
  const agentRuntime = counter(
    registry,
    "sortie_agent_runtime_seconds_total",
    "Cumulative agent runtime in seconds.",
  );
  const dispatches = counter(registry, "sortie_dispatches_total", "Dispatch attempts and their outcomes.", [
    "outcome",
  ]);
  precreate(dispatches, "outcome", ["success", "error"]);
  const workerExits = counter(registry, "sortie_worker_exits_total", "Worker exit events by type.", [
    "exit_type",
  ]);
  precreate(workerExits, "exit_type", WORKER_EXIT_TYPES);
  const workerDuration = new Histogram({
    name: "sortie_worker_duration_seconds",
    help: "Wall-clock time per worker session.",
    labelNames: ["exit_type"],
    buckets: LONG_BUCKETS,
    registers: [registry],
  });
  for (const exitType of WORKER_EXIT_TYPES) workerDuration.zero({ exit_type: exitType });
  const retries = counter(registry, "sortie_retries_total", "Retry scheduling events by trigger.", [
    "trigger",
  ]);
  precreate(retries, "trigger", ["error", "continuation", "timer", "stall", "ci_fix"]);
  const reconciliation = counter(
    registry,
    "sortie_reconciliation_actions_total",
    "Reconciliation outcomes per issue.",
    ["action"],
  );
  precreate(reconciliation, "action", ["stop", "cleanup", "keep", "sweep_cleanup"]);
  const pollCycles = counter(registry, "sortie_poll_cycles_total", "Poll tick outcomes.", ["result"]);
  precreate(pollCycles, "result", ["success", "error", "skipped"]);
  const pollDuration = new Histogram({
    name: "sortie_poll_duration_seconds",
    help: "Time per complete poll cycle.",
    buckets: POLL_BUCKETS,
    registers: [registry],
  });
  // operation × result is an open set: series appear on first use.
  const trackerRequests = counter(registry, "sortie_tracker_requests_total", "Tracker adapter API calls.", [
    "operation",
    "result",
  ]);
  const handoff = counter(
    registry,
    "sortie_handoff_transitions_total",
    "Handoff state transition outcomes.",
    ["result"],
  );
  precreate(handoff, "result", TRANSITION_RESULTS);
  const dispatchTransitions = counter(
    registry,
    "sortie_dispatch_transitions_total",
    "Dispatch-time in-progress transition attempts.",
    ["result"],
  );
  precreate(dispatchTransitions, "result", TRANSITION_RESULTS);
  const comments = counter(
    registry,
    "sortie_tracker_comments_total",
    "Tracker comment attempts by lifecycle point and result.",
    ["lifecycle", "result"],
  );
  for (const lifecycle of ["dispatch", "completion", "failure"]) {
    for (const result of ["success", "error"]) comments.inc({ lifecycle, result }, 0);
  }
  const toolCalls = counter(registry, "sortie_tool_calls_total", "Agent tool call completions.", [
    "tool",
    "result",
  ]);
  const ciChecks = counter(registry, "sortie_ci_status_checks_total", "CI status check outcomes.", [
    "result",
  ]);
  precreate(ciChecks, "result", ["passing", "pending", "failing", "error"]);
  const ciEscalations = counter(registry, "sortie_ci_escalations_total", "CI escalation actions taken.", [
    "action",
  ]);
  precreate(ciEscalations, "action", ESCALATION_ACTIONS);
  const reviewChecks = counter(registry, "sortie_review_checks_total", "Review comment check outcomes.", [
    "result",
  ]);
  precreate(reviewChecks, "result", ["dispatched", "error", "skipped"]);
  const reviewEscalations = counter(
    registry,
    "sortie_review_escalations_total",
    "Review reaction escalation outcomes.",
    ["action"],
  );
  precreate(reviewEscalations, "action", ESCALATION_ACTIONS);
  const selfReviewIterations = counter(
    registry,
    "sortie_self_review_iterations_total",
    "Self-review iterations by verdict.",
    ["verdict"],
  );
  precreate(selfReviewIterations, "verdict", VERDICTS);
  const selfReviewSessions = counter(
    registry,
    "sortie_self_review_sessions_total",
    "Self-review sessions by final verdict.",
    ["final_verdict"],
  );
  precreate(selfReviewSessions, "final_verdict", VERDICTS);
  const verificationDuration = new Histogram({
    name: "sortie_self_review_verification_duration_seconds",
    help: "Per-command verification duration.",
    labelNames: ["command"],
    buckets: LONG_BUCKETS,
    registers: [registry],
  });
  const capReached = counter(
    registry,
    "sortie_self_review_cap_reached_total",
    "Self-review sessions that hit the iteration cap.",
  );

  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  const observe = (histogram: Histogram<string>, labels: Record<string, string>, seconds: number): void => {
    if (!Number.isFinite(seconds)) return;
    histogram.observe(labels, Math.max(seconds, 0));
  };

  const recorder: OrchestratorMetrics = {
    trackerRequest(operation: TrackerOperation, result) {
      trackerRequests.inc({ operation, result });
    },
    gauges(values: GaugeValues) {
      sessionsRunning.set(values.running);
      sessionsRetrying.set(values.retrying);
      slotsAvailable.set(Math.max(values.slotsAvailable, 0));
      activeElapsed.set(values.activeElapsedSeconds);
      // The orchestrator reports every host still in the pool or still busy; hosts it no longer
      // reports disappear rather than freezing at their last value.
      sshHostUsage.reset();
      for (const [host, count] of Object.entries(values.sshHostUsage)) sshHostUsage.set({ host }, count);
    },
    tokens(type, delta) {
      add(tokens, { type }, delta);
    },
    agentRuntime(seconds) {
      add(agentRuntime, {}, seconds);
    },
    dispatch(outcome) {
      dispatches.inc({ outcome });
    },
    workerExit(exitType, durationSeconds) {
      workerExits.inc({ exit_type: exitType });
      observe(workerDuration, { exit_type: exitType }, durationSeconds);
    },
    retry(trigger) {
      retries.inc({ trigger });
    },
    reconcile(action) {
      reconciliation.inc({ action });
    },
    pollCycle(result, durationSeconds) {
      pollCycles.inc({ result });
      observe(pollDuration, {}, durationSeconds);
    },
    handoffTransition(result) {
      handoff.inc({ result });
    },
    dispatchTransition(result) {
      dispatchTransitions.inc({ result });
    },
    trackerComment(lifecycle, result) {
      comments.inc({ lifecycle, result });
    },
    toolCall(tool, result) {
      toolCalls.inc({ tool, result });
    },
    ciStatusCheck(result) {
      ciChecks.inc({ result });
    },
    ciEscalation(action) {
      ciEscalations.inc({ action });
    },
    reviewCheck(result) {
      reviewChecks.inc({ result });
    },
    reviewEscalation(action) {
      reviewEscalations.inc({ action });
    },
    selfReviewIteration(verdict) {
      selfReviewIterations.inc({ verdict });
    },
    selfReviewSession(finalVerdict, capHit) {
      selfReviewSessions.inc({ final_verdict: finalVerdict });
      if (capHit) capReached.inc();
    },
    selfReviewVerification(command, durationSeconds) {
      observe(
        verificationDuration,
        { command: Array.from(command).slice(0, COMMAND_LABEL_MAX).join("") },
        durationSeconds,
      );
    },
  };

  return { registry, recorder };
}
