// The orchestrator's in-memory runtime state. Only the orchestrator's handlers mutate it.
import type { Issue } from "../domain/issue.ts";
import type { ContinuationContext } from "../prompt/index.ts";

export interface TokenCounters {
  input: number | null;
  output: number | null;
  total: number | null;
  cacheRead: number | null;
  cacheWrite: number | null;
}

export interface RunningEntry {
  issueId: string;
  identifier: string;
  displayId: string;
  /** Snapshot from dispatch; `.state` refreshed by reconciliation. */
  issue: Issue;
  sessionId: string;
  agentPid: string;
  lastAgentEvent: string;
  /** Epoch ms of the latest agent event; only moves forward. */
  lastAgentTimestamp: number | null;
  lastAgentMessage: string;
  tokens: TokenCounters;
  /** High-water marks of the cumulative counts the adapter reported. */
  lastReported: { input: number; output: number; total: number; cacheRead: number; cacheWrite: number };
  costUsd: number | null;
  premiumRequests: number | null;
  modelName: string;
  apiRequestCount: number;
  requestsByModel: Map<string, number>;
  toolTimeMs: number;
  apiTimeMs: number;
  /** null on a tick dispatch, n on a retry. */
  retryAttempt: number | null;
  startedAt: number;
  turnCount: number;
  abort: AbortController;
  pendingCleanup: boolean;
  workspacePath: string;
  workflowFile: string;
  sshHost: string;
  continuation: ContinuationContext | null;
  selfReviewActive: boolean;
  selfReviewIteration: number;
  agentKind: string;
  /** Agent process groups started by this run (killed if the drain times out). */
  processGroups: Set<number>;
}

export type ReactionKind = "ci" | "review" | "";

export interface RetryEntry {
  issueId: string;
  identifier: string;
  displayId: string;
  /** The attempt number the retry will run (≥ 1). */
  attempt: number;
  dueAtMs: number;
  /** "" when none. */
  error: string;
  /** "" when the retry starts a fresh session. */
  sessionId: string;
  timer: ReturnType<typeof setTimeout> | null;
  /** Generation counter: a fire whose token differs from the entry's is stale. */
  token: number;
  scheduledDelayMs: number;
  lastSshHost: string;
  continuation: ContinuationContext | null;
  reactionKind: ReactionKind;
}

export interface AgentTotalsState {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cacheReadTokens: number;
  /** Runtime of ended sessions. */
  secondsRunning: number;
}

export interface State {
  pollIntervalMs: number;
  maxConcurrentAgents: number;
  maxConcurrentByState: Record<string, number>;
  running: Map<string, RunningEntry>;
  /** running ∪ retry-queued. */
  claimed: Set<string>;
  retryAttempts: Map<string, RetryEntry>;
  /** Bookkeeping only; never gates dispatch. */
  completed: Set<string>;
  budgetExhausted: Set<string>;
  agentTotals: AgentTotalsState;
  agentRateLimits: { data: Record<string, unknown>; receivedAt: number } | null;
  sweepTickCounter: number;
  /** In-flight detached tracker comment/label calls, awaited (bounded) at shutdown. */
  trackerOps: Set<Promise<void>>;
}

export function newState(init: { pollIntervalMs: number; maxConcurrentAgents: number }): State {
  return {
    pollIntervalMs: init.pollIntervalMs,
    maxConcurrentAgents: init.maxConcurrentAgents,
    maxConcurrentByState: {},
    running: new Map(),
    claimed: new Set(),
    retryAttempts: new Map(),
    completed: new Set(),
    budgetExhausted: new Set(),
    agentTotals: { inputTokens: 0, outputTokens: 0, totalTokens: 0, cacheReadTokens: 0, secondsRunning: 0 },
    agentRateLimits: null,
    sweepTickCounter: 0,
    trackerOps: new Set(),
  };
}

export function newRunningEntry(init: {
  issue: Issue;
  retryAttempt: number | null;
  startedAt: number;
  sessionId: string;
  sshHost: string;
  workflowFile: string;
  agentKind: string;
  continuation: ContinuationContext | null;
}): RunningEntry {
  return {
    issueId: init.issue.id,
    identifier: init.issue.identifier,
    displayId: init.issue.displayId,
    issue: { ...init.issue },
    sessionId: init.sessionId,
    agentPid: "",
    lastAgentEvent: "",
    lastAgentTimestamp: null,
    lastAgentMessage: "",
    tokens: { input: null, output: null, total: null, cacheRead: null, cacheWrite: null },
    lastReported: { input: 0, output: 0, total: 0, cacheRead: 0, cacheWrite: 0 },
    costUsd: null,
    premiumRequests: null,
    modelName: "",
    apiRequestCount: 0,
    requestsByModel: new Map(),
    toolTimeMs: 0,
    apiTimeMs: 0,
    retryAttempt: init.retryAttempt,
    startedAt: init.startedAt,
    turnCount: 0,
    abort: new AbortController(),
    pendingCleanup: false,
    workspacePath: "",
    workflowFile: init.workflowFile,
    sshHost: init.sshHost,
    continuation: init.continuation,
    selfReviewActive: false,
    selfReviewIteration: 0,
    agentKind: init.agentKind,
    processGroups: new Set(),
  };
}

/** 1-based attempt number of a run (what run history records). */
export function runAttempt(retryAttempt: number | null): number {
  return (retryAttempt ?? 0) + 1;
}
