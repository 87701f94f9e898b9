// What the orchestrator's handler modules (tick, dispatch, exit, retry, reconcile) share. The
// Orchestrator class implements it; handlers are plain functions over it, run one at a time.
import type { Logger } from "@logtape/logtape";
import type { WorkflowManager } from "../config/manager.ts";
import type { ServiceConfig } from "../config/types.ts";
import type { AgentAdapter } from "../domain/agent.ts";
import type { Issue } from "../domain/issue.ts";
import type { TrackerAdapter } from "../domain/tracker.ts";
import type { Store } from "../persistence/store.ts";
import type { ContinuationContext, PromptTemplate } from "../prompt/index.ts";
import type { StateSets } from "./eligibility.ts";
import type { Message } from "./mailbox.ts";
import type { OrchestratorMetrics } from "./metrics.ts";
import type { ReactionKind, RetryEntry, State } from "./state.ts";

export interface RetryRequest {
  issueId: string;
  identifier: string;
  displayId: string;
  attempt: number;
  delayMs: number;
  /** "" when none. */
  error: string;
  sessionId: string;
  lastSshHost?: string;
  continuation?: ContinuationContext | null;
  reactionKind?: ReactionKind;
  /** Persisted retries only arm a timer when false (drain: they fire after a restart). */
  armTimer?: boolean;
}

export interface DispatchRequest {
  issue: Issue;
  /** null = first dispatch from a tick. */
  attempt: number | null;
  sshHost: string;
  resumeSessionId: string;
  continuation: ContinuationContext | null;
}

export interface OrchestratorContext {
  readonly state: State;
  readonly store: Store;
  readonly metrics: OrchestratorMetrics;
  readonly log: Logger;
  readonly workflow: WorkflowManager<PromptTemplate>;
  /** Aborted when shutdown starts; every outbound call of a handler listens to it. */
  readonly rootSignal: AbortSignal;
  readonly draining: boolean;
  now(): number;
  config(): ServiceConfig;
  sets(): StateSets;
  tracker(): TrackerAdapter;
  agent(): AgentAdapter;
  post(message: Message): void;
  /** Starts a worker for the issue (synchronous bookkeeping, then an un-awaited task). */
  dispatch(request: DispatchRequest): Promise<void>;
  scheduleRetry(request: RetryRequest): RetryEntry;
  cancelRetry(issueId: string): void;
  /** Drops the claim (the next tick judges the issue afresh) and its persisted retry row. */
  release(issueId: string): Promise<void>;
  /** before_remove + removal of a finished run's workspace (never outside the workspace root). */
  cleanupWorkspace(path: string, issue: Issue, attempt: number): Promise<void>;
  listWorkspaceKeys(root: string): Promise<string[]>;
  /** Removes the workspaces of the given keys (before_remove first); returns how many were removed. */
  cleanupTerminalKeys(keys: string[]): Promise<number>;
  /** Runs a detached tracker write (comment, label) tracked for the shutdown drain. */
  trackDetached(op: (signal: AbortSignal) => Promise<void>): void;
}
