// Wire shapes of the JSON API and the mapping from orchestrator snapshots to them. Field names,
// null-versus-omitted rules and the zero-time sentinel are compatible with the Go original.
import type { RateLimitPause } from "../domain/tracker.ts";
import type {
  AgentTotals,
  RetrySnapshot,
  RunningSnapshot,
  RuntimeSnapshot,
} from "../orchestrator/snapshot.ts";
import { estimateActiveCost, type TokenRates } from "./token-rates.ts";

/** Go's zero time: unknown timestamps stay strings so clients never meet null there. */
export const ZERO_TIME = "0001-01-01T00:00:00Z";

export function rfc3339(date: Date | null | undefined): string {
  if (!date || !Number.isFinite(date.getTime())) return ZERO_TIME;
  return date.toISOString();
}

export interface WireTokens {
  input_tokens: number | null;
  output_tokens: number | null;
  total_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
}

export interface WireRunning {
  issue_id: string;
  issue_identifier: string;
  display_identifier?: string;
  state: string;
  session_id: string;
  turn_count: number;
  last_event: string;
  last_message: string;
  started_at: string;
  last_event_at: string;
  workspace_path: string;
  tokens: WireTokens;
  cost_usd?: number;
  premium_requests?: number;
  model_name?: string;
  api_request_count: number;
  requests_by_model?: Record<string, number>;
  tool_time_percent: number | null;
  api_time_percent: number | null;
  self_review_active?: boolean;
  self_review_iteration?: number;
  agent_kind?: string;
}

export interface WireRetry {
  issue_id: string;
  issue_identifier: string;
  display_identifier?: string;
  attempt: number;
  due_at: string;
  error: string;
}

export interface WireAgentTotals {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cache_read_tokens: number;
  seconds_running: number;
}

export interface WireState {
  generated_at: string;
  counts: { running: number; retrying: number };
  running: WireRunning[];
  retrying: WireRetry[];
  agent_totals: WireAgentTotals;
  rate_limits: Record<string, unknown>;
  active_estimated_cost_usd?: number;
}

export interface WireDetail {
  issue_identifier: string;
  issue_id: string;
  status: "running" | "retrying";
  workspace: { path: string } | null;
  attempts: { restart_count: number; current_retry_attempt: number };
  running: WireRunning | null;
  retry: WireRetry | null;
  recent_events: never[];
  last_error: string | null;
  tracked: Record<string, never>;
}

export interface WireTrackerRateLimit {
  limit: number | null;
  remaining: number | null;
  reset_at: string | null;
  paused: boolean;
}

/** `ms` as a share of the session's elapsed time; null unless both are positive. Not clamped. */
export function percentOfElapsed(ms: number, startedAt: Date, generatedAt: Date): number | null {
  const elapsed = generatedAt.getTime() - startedAt.getTime();
  if (!(elapsed > 0) || !(ms > 0)) return null;
  return (ms / elapsed) * 100;
}

export function toWireRunning(entry: RunningSnapshot, generatedAt: Date): WireRunning {
  // Optional keys are spread in place so the output keeps the documented key order.
  return {
    issue_id: entry.issueId,
    issue_identifier: entry.identifier,
    ...(entry.displayId !== "" ? { display_identifier: entry.displayId } : {}),
    state: entry.state,
    session_id: entry.sessionId,
    turn_count: entry.turnCount,
    last_event: entry.lastEvent,
    last_message: entry.lastMessage,
    started_at: rfc3339(entry.startedAt),
    last_event_at: rfc3339(entry.lastEventAt),
    workspace_path: entry.workspacePath,
    tokens: {
      input_tokens: entry.inputTokens,
      output_tokens: entry.outputTokens,
      total_tokens: entry.totalTokens,
      cache_read_tokens: entry.cacheReadTokens,
      cache_write_tokens: entry.cacheWriteTokens,
    },
    ...(entry.costUsd !== null ? { cost_usd: entry.costUsd } : {}),
    ...(entry.premiumRequests !== null ? { premium_requests: entry.premiumRequests } : {}),
    ...(entry.modelName !== "" ? { model_name: entry.modelName } : {}),
    api_request_count: entry.apiRequestCount,
    ...(Object.keys(entry.requestsByModel).length > 0
      ? { requests_by_model: { ...entry.requestsByModel } }
      : {}),
    tool_time_percent: percentOfElapsed(entry.toolTimeMs, entry.startedAt, generatedAt),
    api_time_percent: percentOfElapsed(entry.apiTimeMs, entry.startedAt, generatedAt),
    ...(entry.selfReviewActive ? { self_review_active: true } : {}),
    ...(entry.selfReviewIteration !== 0 ? { self_review_iteration: entry.selfReviewIteration } : {}),
    ...(entry.agentKind !== "" ? { agent_kind: entry.agentKind } : {}),
  };
}

export function toWireRetry(entry: RetrySnapshot): WireRetry {
  return {
    issue_id: entry.issueId,
    issue_identifier: entry.identifier,
    ...(entry.displayId !== "" ? { display_identifier: entry.displayId } : {}),
    attempt: entry.attempt,
    due_at: rfc3339(entry.dueAt),
    error: entry.error,
  };
}

export function toWireAgentTotals(totals: AgentTotals): WireAgentTotals {
  return {
    input_tokens: totals.inputTokens,
    output_tokens: totals.outputTokens,
    total_tokens: totals.totalTokens,
    cache_read_tokens: totals.cacheReadTokens,
    seconds_running: totals.secondsRunning,
  };
}

export function toWireState(snapshot: RuntimeSnapshot, rates?: TokenRates): WireState {
  const wire: WireState = {
    generated_at: rfc3339(snapshot.generatedAt),
    counts: { running: snapshot.running.length, retrying: snapshot.retrying.length },
    running: snapshot.running.map((entry) => toWireRunning(entry, snapshot.generatedAt)),
    retrying: snapshot.retrying.map(toWireRetry),
    agent_totals: toWireAgentTotals(snapshot.agentTotals),
    rate_limits: snapshot.rateLimits ?? {},
  };
  const cost = estimateActiveCost(snapshot.running, rates);
  if (cost !== null) wire.active_estimated_cost_usd = cost;
  return wire;
}

/** Detail of one issue by tracker identifier (case-sensitive); null when it is in neither queue. */
export function toWireDetail(snapshot: RuntimeSnapshot, identifier: string): WireDetail | null {
  const running = snapshot.running.find((entry) => entry.identifier === identifier);
  const retry = snapshot.retrying.find((entry) => entry.identifier === identifier);
  if (!running && !retry) return null;
  return {
    issue_identifier: identifier,
    issue_id: running?.issueId ?? retry?.issueId ?? "",
    status: running ? "running" : "retrying",
    workspace: running && running.workspacePath !== "" ? { path: running.workspacePath } : null,
    attempts: retry
      ? { restart_count: Math.max(retry.attempt - 1, 0), current_retry_attempt: retry.attempt }
      : { restart_count: 0, current_retry_attempt: 0 },
    running: running ? toWireRunning(running, snapshot.generatedAt) : null,
    retry: retry ? toWireRetry(retry) : null,
    recent_events: [],
    last_error: retry && retry.error !== "" ? retry.error : null,
    tracked: {},
  };
}

/** Optional counters an adapter may attach to a pause it reports. */
type PauseWithCounters = RateLimitPause & { limit?: number | null; remaining?: number | null };

/** Per-resource tracker rate-limit state; null when the adapter has reported none. */
export function toWireTrackerRateLimits(
  pauses: readonly RateLimitPause[] | undefined,
  generatedAt: Date,
): Record<string, WireTrackerRateLimit> | null {
  if (!pauses || pauses.length === 0) return null;
  const out: Record<string, WireTrackerRateLimit> = {};
  for (const pause of pauses as readonly PauseWithCounters[]) {
    const until = pause.until && Number.isFinite(pause.until.getTime()) ? pause.until : null;
    out[pause.resource] = {
      limit: typeof pause.limit === "number" ? pause.limit : null,
      remaining: typeof pause.remaining === "number" ? pause.remaining : null,
      reset_at: until ? until.toISOString() : null,
      paused: until !== null && until.getTime() > generatedAt.getTime(),
    };
  }
  return out;
}
