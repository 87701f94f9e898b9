// The contract between the orchestrator and every coding-agent adapter.
import type { SortieError } from "./errors.ts";
import type { Issue } from "./issue.ts";

export type AgentEventType =
  | "session_started"
  | "startup_failed"
  | "turn_completed"
  | "turn_failed"
  | "turn_cancelled"
  | "turn_ended_with_error"
  | "turn_input_required"
  | "approval_auto_approved"
  | "unsupported_tool_call"
  | "token_usage"
  | "notification"
  | "other_message"
  | "malformed"
  | "tool_result";

/** The five event types that end a turn; `TurnResult.exitReason` is always one of them. */
export type TerminalEventType =
  | "turn_completed"
  | "turn_failed"
  | "turn_cancelled"
  | "turn_ended_with_error"
  | "turn_input_required";

/**
 * Session-cumulative token counts. A counter the agent does not report is null: unknown, never 0.
 * `totalTokens` is input + output; cache tokens are never added to it.
 */
export interface TokenUsage {
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  /** Cost as reported by the agent CLI itself; null = not reported. */
  costUsd: number | null;
  /** Copilot only: premium requests consumed by the session. */
  premiumRequests?: number;
}

export const UNKNOWN_USAGE: Readonly<TokenUsage> = Object.freeze({
  inputTokens: null,
  outputTokens: null,
  totalTokens: null,
  cacheReadTokens: null,
  cacheWriteTokens: null,
  costUsd: null,
});

export interface AgentEvent {
  type: AgentEventType;
  timestamp: Date;
  agentPid: string;
  message: string;
  usage?: TokenUsage;
  /** Only on session_started. */
  sessionId?: string;
  /** On token_usage when known. */
  model?: string;
  /** On token_usage: model requests this event accounts for (default 1). */
  requests?: number;
  rateLimits?: Record<string, unknown> | null;
  apiDurationMs?: number;
  toolName?: string;
  toolDurationMs?: number;
  toolError?: boolean;
}

/** The `agent:` fields an adapter constructor receives. */
export interface AgentRuntimeConfig {
  kind: string;
  command: string;
  turnTimeoutMs: number;
  readTimeoutMs: number;
  stallTimeoutMs: number;
}

export interface StartSessionParams {
  /** Absolute per-issue workspace; the agent's cwd. */
  workspacePath: string;
  agentConfig: AgentRuntimeConfig;
  /** Non-empty: continue that conversation. */
  resumeSessionId: string;
  sshHost: string;
  sshStrictHostKeyChecking: string;
  /** Absolute path of the generated `.sortie/mcp.json`; "" = none. */
  mcpConfigPath: string;
  /** Per-session environment for the agent (SORTIE_ISSUE_ID, …, HOME when redirected). */
  env: Record<string, string>;
}

export interface Session {
  id: string;
  agentPid: string;
  /** Adapter-owned state. */
  internal: unknown;
}

export interface RunTurnParams {
  prompt: string;
  issue: Issue;
  /** 1-based turn number within this worker's session. */
  turnNumber: number;
  onEvent: (event: AgentEvent) => void;
  /** Called whenever the adapter spawns a process group, so a crash can still kill it later. */
  onProcessGroup?: (pgid: number) => void;
}

export interface TurnResult {
  sessionId: string;
  exitReason: TerminalEventType;
  usage: TokenUsage;
}

/** runTurn resolves with both a result and, when the turn did not succeed, an error. */
export interface TurnOutcome {
  result: TurnResult;
  error?: SortieError;
}

export interface AgentAdapter {
  startSession(params: StartSessionParams, signal: AbortSignal): Promise<Session>;
  runTurn(session: Session, params: RunTurnParams, signal: AbortSignal): Promise<TurnOutcome>;
  /** Idempotent; may race with an in-flight runTurn. */
  stopSession(session: Session, signal: AbortSignal): Promise<void>;
  /** Releases adapter-wide resources at shutdown (kills any live process group). */
  close?(): Promise<void>;
}
