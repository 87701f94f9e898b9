// Immutable views of the orchestrator's state for readers (HTTP API, dashboard, metrics). The
// orchestrator is the only writer; readers get copies and never wait on its mailbox.
import type { RateLimitPause } from "../domain/tracker.ts";

export interface RunningSnapshot {
  issueId: string;
  identifier: string;
  /** "" = same as identifier. */
  displayId: string;
  /** Tracker state of the issue (refreshed by reconciliation). */
  state: string;
  sessionId: string;
  turnCount: number;
  lastEvent: string;
  lastEventAt: Date | null;
  lastMessage: string;
  startedAt: Date;
  workspacePath: string;
  /** null = the agent has not reported this counter (unknown, never shown as 0). */
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  costUsd: number | null;
  premiumRequests: number | null;
  modelName: string;
  apiRequestCount: number;
  requestsByModel: Record<string, number>;
  toolTimeMs: number;
  apiTimeMs: number;
  workflowFile: string;
  sshHost: string;
  selfReviewActive: boolean;
  selfReviewIteration: number;
  agentKind: string;
  /** Attempt number of this run, 1-based. */
  attempt: number;
}

export interface RetrySnapshot {
  issueId: string;
  identifier: string;
  displayId: string;
  /** The attempt number the retry will run. */
  attempt: number;
  dueAt: Date;
  /** "" when none. */
  error: string;
}

export interface AgentTotals {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cacheReadTokens: number;
  /** Persisted ended-session seconds plus live elapsed of running sessions. */
  secondsRunning: number;
}

export interface RuntimeSnapshot {
  generatedAt: Date;
  running: RunningSnapshot[];
  retrying: RetrySnapshot[];
  agentTotals: AgentTotals;
  /** Latest rate-limit payload reported by any agent; {} when none. */
  rateLimits: Record<string, unknown>;
  budgetExhausted: string[];
  maxConcurrentAgents: number;
  /** Tracker rate-limit pauses currently observed by the adapter. */
  trackerRateLimits: RateLimitPause[];
}

export interface HealthFlags {
  /** The last dispatch preflight passed (true until the first tick says otherwise). */
  preflightOk: boolean;
  /** A workflow config has been loaded successfully at least once. */
  workflowLoaded: boolean;
  /** Start-up finished (database opened, recovery done, loop running). */
  started: boolean;
  /** A shutdown signal was received. */
  draining: boolean;
}

export type RefreshAnswer = { queued: true; coalesced: boolean } | { queued: false; reason: "draining" };

/** What the HTTP layer may ask of the orchestrator. Every method is synchronous and cheap. */
export interface OrchestratorView {
  /** Throws when no snapshot can be produced (not started or already stopped). */
  snapshot(): RuntimeSnapshot;
  health(): HealthFlags;
  requestRefresh(): RefreshAnswer;
  /** Subscribe to "state changed" notifications (for Server-Sent Events); returns an unsubscribe. */
  onChange(listener: () => void): () => void;
}
