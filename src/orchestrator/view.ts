// Builds the immutable snapshot readers get (API, dashboard, metrics gauges).
import type { RateLimitPause } from "../domain/tracker.ts";
import type { GaugeValues } from "./metrics.ts";
import type { RetrySnapshot, RunningSnapshot, RuntimeSnapshot } from "./snapshot.ts";
import { type RunningEntry, runAttempt, type State } from "./state.ts";

function runningSnapshot(e: RunningEntry): RunningSnapshot {
  return {
    issueId: e.issueId,
    identifier: e.identifier,
    displayId: e.displayId,
    state: e.issue.state,
    sessionId: e.sessionId,
    turnCount: e.turnCount,
    lastEvent: e.lastAgentEvent,
    lastEventAt: e.lastAgentTimestamp === null ? null : new Date(e.lastAgentTimestamp),
    lastMessage: e.lastAgentMessage,
    startedAt: new Date(e.startedAt),
    workspacePath: e.workspacePath,
    inputTokens: e.tokens.input,
    outputTokens: e.tokens.output,
    totalTokens: e.tokens.total,
    cacheReadTokens: e.tokens.cacheRead,
    cacheWriteTokens: e.tokens.cacheWrite,
    costUsd: e.costUsd,
    premiumRequests: e.premiumRequests,
    modelName: e.modelName,
    apiRequestCount: e.apiRequestCount,
    requestsByModel: Object.fromEntries(e.requestsByModel),
    toolTimeMs: e.toolTimeMs,
    apiTimeMs: e.apiTimeMs,
    workflowFile: e.workflowFile,
    sshHost: e.sshHost,
    selfReviewActive: e.selfReviewActive,
    selfReviewIteration: e.selfReviewIteration,
    agentKind: e.agentKind,
    attempt: runAttempt(e.retryAttempt),
  };
}

export function buildSnapshot(
  state: State,
  nowMs: number,
  trackerRateLimits: RateLimitPause[],
): RuntimeSnapshot {
  const running = [...state.running.values()].map(runningSnapshot);
  const retrying: RetrySnapshot[] = [...state.retryAttempts.values()].map((r) => ({
    issueId: r.issueId,
    identifier: r.identifier,
    displayId: r.displayId,
    attempt: r.attempt,
    dueAt: new Date(r.dueAtMs),
    error: r.error,
  }));
  let liveSeconds = 0;
  for (const e of state.running.values()) liveSeconds += Math.max(nowMs - e.startedAt, 0) / 1000;
  return {
    generatedAt: new Date(nowMs),
    running,
    retrying,
    agentTotals: {
      inputTokens: state.agentTotals.inputTokens,
      outputTokens: state.agentTotals.outputTokens,
      totalTokens: state.agentTotals.totalTokens,
      cacheReadTokens: state.agentTotals.cacheReadTokens,
      secondsRunning: Math.max(state.agentTotals.secondsRunning + liveSeconds, 0),
    },
    rateLimits: state.agentRateLimits ? { ...state.agentRateLimits.data } : {},
    budgetExhausted: [...state.budgetExhausted].sort(),
    maxConcurrentAgents: state.maxConcurrentAgents,
    trackerRateLimits,
  };
}

/** The five gauges, recomputed from the state after every tick, exit and retry event. */
export function gaugeValues(state: State, nowMs: number): GaugeValues {
  let elapsed = 0;
  for (const e of state.running.values()) elapsed += Math.max(nowMs - e.startedAt, 0) / 1000;
  return {
    running: state.running.size,
    retrying: state.retryAttempts.size,
    slotsAvailable: Math.max(state.maxConcurrentAgents - state.running.size, 0),
    activeElapsedSeconds: elapsed,
    sshHostUsage: {},
  };
}
