// What a worker reports, exactly once, when its attempt ends.

export type ExitKind = "normal" | "error" | "cancelled";

export interface WorkerResult {
  issueId: string;
  identifier: string;
  exitKind: ExitKind;
  error: Error | null;
  turnsCompleted: number;
  /** Last non-empty of the turn results', session_started events' and the session's ids. */
  sessionId: string;
  /** "" when preparation failed before the workspace existed. */
  workspacePath: string;
  /** `agent.kind` at attempt start. */
  agentAdapter: string;
  attempt: number | null;
  sshHost: string;
  softStop: boolean;
  softStopReason: string;
  /** The worker was cancelled because sortie itself is shutting down. */
  interruptedByShutdown: boolean;
  reviewMetadata: unknown;
}
