// What the orchestrator reports to the metrics sink. The Prometheus implementation lives in the
// server layer; with the HTTP server disabled the orchestrator gets NO_METRICS and values are dropped.
import type { TrackerMetrics } from "../domain/tracker.ts";

export type WorkerExitType = "normal" | "error" | "cancelled" | "soft_stop";
export type RetryTrigger = "error" | "continuation" | "timer" | "stall" | "ci_fix";
export type ReconcileAction = "stop" | "cleanup" | "keep" | "sweep_cleanup";
export type TransitionResult = "success" | "error" | "skipped";
export type CommentLifecycle = "dispatch" | "completion" | "failure";

export interface GaugeValues {
  running: number;
  retrying: number;
  slotsAvailable: number;
  activeElapsedSeconds: number;
  sshHostUsage: Record<string, number>;
}

export interface OrchestratorMetrics extends TrackerMetrics {
  gauges(values: GaugeValues): void;
  tokens(type: "input" | "output" | "cache_read", delta: number): void;
  agentRuntime(seconds: number): void;
  dispatch(outcome: "success" | "error"): void;
  workerExit(exitType: WorkerExitType, durationSeconds: number): void;
  retry(trigger: RetryTrigger): void;
  reconcile(action: ReconcileAction): void;
  pollCycle(result: "success" | "error" | "skipped", durationSeconds: number): void;
  handoffTransition(result: TransitionResult): void;
  dispatchTransition(result: TransitionResult): void;
  trackerComment(lifecycle: CommentLifecycle, result: "success" | "error"): void;
  toolCall(tool: string, result: "success" | "error"): void;
  ciStatusCheck(result: "passing" | "pending" | "failing" | "error"): void;
  ciEscalation(action: "label" | "comment" | "error"): void;
  reviewCheck(result: "dispatched" | "error" | "skipped"): void;
  reviewEscalation(action: "label" | "comment" | "error"): void;
  selfReviewIteration(verdict: "pass" | "iterate" | "none"): void;
  selfReviewSession(finalVerdict: "pass" | "iterate" | "none", capReached: boolean): void;
  selfReviewVerification(command: string, durationSeconds: number): void;
}

const noop = (): void => {};

/** The sink used when the HTTP server (and with it /metrics) is disabled. */
export const NO_METRICS: OrchestratorMetrics = {
  trackerRequest: noop,
  gauges: noop,
  tokens: noop,
  agentRuntime: noop,
  dispatch: noop,
  workerExit: noop,
  retry: noop,
  reconcile: noop,
  pollCycle: noop,
  handoffTransition: noop,
  dispatchTransition: noop,
  trackerComment: noop,
  toolCall: noop,
  ciStatusCheck: noop,
  ciEscalation: noop,
  reviewCheck: noop,
  reviewEscalation: noop,
  selfReviewIteration: noop,
  selfReviewSession: noop,
  selfReviewVerification: noop,
};
