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

/** Counters never decrease: non-positive and non-finite amounts are dropped. */
function add(metric: Counter<string>, labels: Record<string, string>, amount: number): void {
  if (!(amount > 0) || !Number.isFinite(amount)) return;
  metric.inc(labels, amount);
}

export function createPrometheusMetrics(options: PrometheusMetricsOptions): PrometheusMetrics {
  const registry = new Registry();
  const runtimeVersion = options.runtimeVersion ?? Bun.version;

  // Families are registered (and so exposed) in the order they are made here.
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  // A counter over one label with a closed set of values, each created at 0 so that rate() alerts
  // see 0 instead of "no data".
  const closedCounter = (name: string, help: string, label: string, values: readonly string[]) => {
    const metric = counter(name, help, [label]);
    for (const value of values) metric.inc({ [label]: value }, 0);
    return metric;
  };
  const histogram = (name: string, help: string, buckets: number[], labelNames: string[] = []) =>
    new Histogram({ name, help, labelNames, buckets, registers: [registry] });

  const buildInfo = gauge("sortie_build_info", "Build metadata for target identification.", [
    "version",
    "go_version",
  ]);
  buildInfo.set({ version: options.version || "dev", go_version: `bun${runtimeVersion}` }, 1);

  const sessionsRunning = gauge("sortie_sessions_running", "Number of currently running agent sessions.");
  const sessionsRetrying = gauge("sortie_sessions_retrying", "Number of issues awaiting session retry.");
  const slotsAvailable = gauge("sortie_slots_available", "Remaining dispatch slots.");
  const activeElapsed = gauge(
    "sortie_active_sessions_elapsed_seconds",
    "Sum of wall-clock elapsed seconds across all running sessions.",
  );
  const sshHostUsage = gauge("sortie_ssh_host_usage", "Current session count per SSH host.", ["host"]);

  const tokens = closedCounter("sortie_tokens_total", "Cumulative LLM tokens consumed.", "type", [
    "input",
    "output",
    "cache_read",
  ]);
  const agentRuntime = counter("sortie_agent_runtime_seconds_total", "Cumulative agent runtime in seconds.");
  const dispatches = closedCounter(
    "sortie_dispatches_total",
    "Dispatch attempts and their outcomes.",
    "outcome",
    ["success", "error"],
  );
  const workerExits = closedCounter(
    "sortie_worker_exits_total",
    "Worker exit events by type.",
    "exit_type",
    WORKER_EXIT_TYPES,
  );
  const workerDuration = histogram(
    "sortie_worker_duration_seconds",
    "Wall-clock time per worker session.",
    LONG_BUCKETS,
    ["exit_type"],
  );
  for (const exitType of WORKER_EXIT_TYPES) workerDuration.zero({ exit_type: exitType });
  const retries = closedCounter("sortie_retries_total", "Retry scheduling events by trigger.", "trigger", [
    "error",
    "continuation",
    "timer",
    "stall",
    "ci_fix",
  ]);
  const reconciliation = closedCounter(
    "sortie_reconciliation_actions_total",
    "Reconciliation outcomes per issue.",
    "action",
    ["stop", "cleanup", "keep", "sweep_cleanup"],
  );
  const pollCycles = closedCounter("sortie_poll_cycles_total", "Poll tick outcomes.", "result", [
    "success",
    "error",
    "skipped",
  ]);
  const pollDuration = histogram(
    "sortie_poll_duration_seconds",
    "Time per complete poll cycle.",
    POLL_BUCKETS,
  );
  // operation × result is an open set: series appear on first use.
  const trackerRequests = counter("sortie_tracker_requests_total", "Tracker adapter API calls.", [
    "operation",
    "result",
  ]);
  const handoff = closedCounter(
    "sortie_handoff_transitions_total",
    "Handoff state transition outcomes.",
    "result",
    TRANSITION_RESULTS,
  );
  const dispatchTransitions = closedCounter(
    "sortie_dispatch_transitions_total",
    "Dispatch-time in-progress transition attempts.",
    "result",
    TRANSITION_RESULTS,
  );
  const comments = counter(
    "sortie_tracker_comments_total",
    "Tracker comment attempts by lifecycle point and result.",
    ["lifecycle", "result"],
  );
  for (const lifecycle of ["dispatch", "completion", "failure"]) {
    for (const result of ["success", "error"]) comments.inc({ lifecycle, result }, 0);
  }
  const toolCalls = counter("sortie_tool_calls_total", "Agent tool call completions.", ["tool", "result"]);
  const ciChecks = closedCounter("sortie_ci_status_checks_total", "CI status check outcomes.", "result", [
    "passing",
    "pending",
    "failing",
    "error",
  ]);
  const ciEscalations = closedCounter(
    "sortie_ci_escalations_total",
    "CI escalation actions taken.",
    "action",
    ESCALATION_ACTIONS,
  );
  const reviewChecks = closedCounter(
    "sortie_review_checks_total",
    "Review comment check outcomes.",
    "result",
    ["dispatched", "error", "skipped"],
  );
  const reviewEscalations = closedCounter(
    "sortie_review_escalations_total",
    "Review reaction escalation outcomes.",
    "action",
    ESCALATION_ACTIONS,
  );
  const selfReviewIterations = closedCounter(
    "sortie_self_review_iterations_total",
    "Self-review iterations by verdict.",
    "verdict",
    VERDICTS,
  );
  const selfReviewSessions = closedCounter(
    "sortie_self_review_sessions_total",
    "Self-review sessions by final verdict.",
    "final_verdict",
    VERDICTS,
  );
  const verificationDuration = histogram(
    "sortie_self_review_verification_duration_seconds",
    "Per-command verification duration.",
    LONG_BUCKETS,
    ["command"],
  );
  const capReached = counter(
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
