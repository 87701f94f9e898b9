// Applies one agent event to its running entry: token deltas against high-water marks, timing,
// last-event bookkeeping. Pure state update; the caller records metrics from the returned deltas.
import type { Logger } from "@logtape/logtape";
import type { AgentEvent } from "../domain/agent.ts";
import type { OrchestratorMetrics } from "./metrics.ts";
import type { AgentTotalsState, RunningEntry, State } from "./state.ts";

export interface TokenDeltas {
  input: number;
  output: number;
  cacheRead: number;
}

function delta(reported: number | null | undefined, high: number): number {
  if (reported === null || reported === undefined || !Number.isFinite(reported)) return 0;
  return Math.max(reported - high, 0);
}

/** Adds a counter delta to an entry counter that may still be unknown (null). */
function addKnown(current: number | null, reported: number | null | undefined, d: number): number | null {
  if (reported === null || reported === undefined) return current;
  return (current ?? 0) + d;
}

export function applyAgentEvent(
  entry: RunningEntry,
  event: AgentEvent,
  totals: AgentTotalsState,
): TokenDeltas {
  const deltas: TokenDeltas = { input: 0, output: 0, cacheRead: 0 };
  entry.lastAgentEvent = event.type;
  const ts = event.timestamp.getTime();
  if (entry.lastAgentTimestamp === null || ts > entry.lastAgentTimestamp) entry.lastAgentTimestamp = ts;
  if (event.message) entry.lastAgentMessage = event.message;
  if (event.agentPid) entry.agentPid = event.agentPid;
  if (event.type === "session_started" && event.sessionId) entry.sessionId = event.sessionId;
  if (event.apiDurationMs && event.apiDurationMs > 0) entry.apiTimeMs += event.apiDurationMs;
  if (event.type === "tool_result" && event.toolDurationMs && event.toolDurationMs > 0) {
    entry.toolTimeMs += event.toolDurationMs;
  }
  if (event.type === "token_usage" && event.usage) {
    const u = event.usage;
    const high = entry.lastReported;
    deltas.input = delta(u.inputTokens, high.input);
    deltas.output = delta(u.outputTokens, high.output);
    deltas.cacheRead = delta(u.cacheReadTokens, high.cacheRead);
    const dTotal = delta(u.totalTokens, high.total);
    const dCacheWrite = delta(u.cacheWriteTokens, high.cacheWrite);
    entry.tokens.input = addKnown(entry.tokens.input, u.inputTokens, deltas.input);
    entry.tokens.output = addKnown(entry.tokens.output, u.outputTokens, deltas.output);
    entry.tokens.total = addKnown(entry.tokens.total, u.totalTokens, dTotal);
    entry.tokens.cacheRead = addKnown(entry.tokens.cacheRead, u.cacheReadTokens, deltas.cacheRead);
    entry.tokens.cacheWrite = addKnown(entry.tokens.cacheWrite, u.cacheWriteTokens, dCacheWrite);
    high.input = Math.max(high.input, u.inputTokens ?? 0);
    high.output = Math.max(high.output, u.outputTokens ?? 0);
    high.total = Math.max(high.total, u.totalTokens ?? 0);
    high.cacheRead = Math.max(high.cacheRead, u.cacheReadTokens ?? 0);
    high.cacheWrite = Math.max(high.cacheWrite, u.cacheWriteTokens ?? 0);
    totals.inputTokens += deltas.input;
    totals.outputTokens += deltas.output;
    totals.totalTokens += dTotal;
    totals.cacheReadTokens += deltas.cacheRead;
    if (u.costUsd !== null && u.costUsd !== undefined) entry.costUsd = u.costUsd;
    if (u.premiumRequests !== undefined) entry.premiumRequests = u.premiumRequests;
    const requests = event.requests ?? 1;
    entry.apiRequestCount += requests;
    if (event.model) entry.modelName = event.model;
    const model = entry.modelName;
    if (model) entry.requestsByModel.set(model, (entry.requestsByModel.get(model) ?? 0) + requests);
  }
  return deltas;
}

/**
 * Records one agent event for a running issue: accounting, token metrics, the rate-limit snapshot
 * and the tool-call log line. Returns false for events of issues that are no longer running.
 */
export function recordAgentEvent(
  ctx: { state: State; metrics: OrchestratorMetrics; log: Logger },
  issueId: string,
  event: AgentEvent,
): boolean {
  const { state, metrics } = ctx;
  const entry = state.running.get(issueId);
  if (!entry) {
    ctx.log.debug("agent event for unknown issue", { issue_id: issueId, event: event.type });
    return false;
  }
  const deltas = applyAgentEvent(entry, event, state.agentTotals);
  if (deltas.input > 0) metrics.tokens("input", deltas.input);
  if (deltas.output > 0) metrics.tokens("output", deltas.output);
  if (deltas.cacheRead > 0) metrics.tokens("cache_read", deltas.cacheRead);
  const at = event.timestamp.getTime();
  if (event.rateLimits && (!state.agentRateLimits || at >= state.agentRateLimits.receivedAt)) {
    state.agentRateLimits = { data: { ...event.rateLimits }, receivedAt: at };
  }
  if (event.type === "tool_result" && event.toolName) {
    const outcome = event.toolError ? "error" : "success";
    metrics.toolCall(event.toolName, outcome);
    ctx.log.info("tool call completed", {
      issue_id: issueId,
      issue_identifier: entry.identifier,
      session_id: entry.sessionId,
      tool: event.toolName,
      duration_ms: event.toolDurationMs ?? 0,
      outcome,
      ...(event.toolError ? { tool_error: event.message || "tool returned error" } : {}),
    });
  }
  return true;
}
