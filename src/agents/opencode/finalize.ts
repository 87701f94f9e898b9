// How an OpenCode turn ended. OpenCode exits 0 after logical failures (bad API key, provider
// errors arrive as `error` envelopes), so the stream decides first and the exit code last.
import type { TerminalEventType } from "../../domain/agent.ts";
import { agentError, type SortieError } from "../../domain/errors.ts";
import { cancellationOf } from "../process/cancel.ts";
import { truncateRunes } from "../truncate.ts";
import { type OpenCodeStreamParser, stderrShowsStaleSession } from "./parse.ts";
import type { ProcessEnd } from "./process.ts";

export type OpenCodeDecision =
  | {
      kind: "terminal";
      type: TerminalEventType;
      /** Event to emit; undefined when the parser already emitted the terminal event. */
      message: string | undefined;
      error?: SortieError;
    }
  /** The resumed session is unknown to the CLI: run the turn again in a fresh session. */
  | { kind: "restart" };

export interface FinalizeContext {
  signal: AbortSignal;
  turnTimeoutMs: number;
  /** stopSession ran during the turn. */
  stopped: boolean;
  /** The turn passed `--session <id>`. */
  resumed: boolean;
}

export function finalizeOpenCodeTurn(
  parser: OpenCodeStreamParser,
  end: ProcessEnd,
  context: FinalizeContext,
): OpenCodeDecision {
  if (end.kind === "spawn_failed") {
    if (context.signal.aborted) return cancelled(context);
    return {
      kind: "terminal",
      type: "turn_ended_with_error",
      message: "start opencode subprocess",
      error: agentError("response_error", "start opencode subprocess", end.error),
    };
  }
  if (end.stoppedFor === "mismatch" && parser.mismatch !== undefined) {
    const { expected, got } = parser.mismatch;
    return {
      kind: "terminal",
      type: "turn_ended_with_error",
      message: undefined,
      error: agentError("response_error", `session id mismatch: expected "${expected}", got "${got}"`),
    };
  }
  if (parser.error !== undefined) {
    return {
      kind: "terminal",
      type: "turn_failed",
      message: undefined,
      error: agentError("turn_failed", truncateRunes(parser.error, 500)),
    };
  }
  if (context.signal.aborted) return cancelled(context);
  if (context.stopped) {
    return {
      kind: "terminal",
      type: "turn_cancelled",
      message: "session stopped",
      error: agentError("turn_cancelled", "session stopped"),
    };
  }
  if (end.stoppedFor === "startup_timeout") {
    return {
      kind: "terminal",
      type: "turn_ended_with_error",
      message: "timed out waiting for first opencode json event",
      error: agentError("response_timeout", "timed out waiting for first opencode json event"),
    };
  }
  if (end.readError !== undefined) {
    return {
      kind: "terminal",
      type: "turn_ended_with_error",
      message: "stdout read error",
      error: agentError("response_error", "stdout read error", end.readError),
    };
  }
  if (context.resumed && !parser.sawJson && end.exitCode !== 0 && stderrShowsStaleSession(end.stderr)) {
    return { kind: "restart" };
  }
  if (end.exitCode === 127) {
    return {
      kind: "terminal",
      type: "turn_ended_with_error",
      message: "agent binary not found",
      error: agentError("agent_not_found", "exit code 127"),
    };
  }
  if (end.signalCode !== null) {
    // Killed by something other than sortie's abort (OOM killer, an operator).
    return {
      kind: "terminal",
      type: "turn_cancelled",
      message: "killed by signal",
      error: agentError("turn_cancelled", "killed by signal"),
    };
  }
  if (!parser.sawJson) {
    return {
      kind: "terminal",
      type: "turn_ended_with_error",
      message: "process exited before first opencode json event",
      error: agentError(
        "port_exit",
        "process exited before first opencode json event",
        stderrDetail(end.stderr) ?? new Error(`exit code ${end.exitCode}`),
      ),
    };
  }
  if (end.exitCode !== 0) {
    const message = `opencode exited with code ${end.exitCode}`;
    return {
      kind: "terminal",
      type: "turn_ended_with_error",
      message,
      error: agentError("port_exit", message, stderrDetail(end.stderr)),
    };
  }
  return { kind: "terminal", type: "turn_completed", message: "" };
}

function cancelled(context: FinalizeContext): OpenCodeDecision {
  const c = cancellationOf(context.signal, context.turnTimeoutMs);
  return { kind: "terminal", type: "turn_cancelled", message: c.eventMessage, error: c.error };
}

/**
 * The CLI's own `Error: …` line when it printed one, else the last lines of stderr, so the error
 * text says what went wrong. ANSI colours are dropped.
 */
function stderrDetail(stderr: readonly string[]): Error | undefined {
  const lines = stderr.map((l) => l.replace(/\x1b\[[0-9;]*[a-zA-Z]/g, "").trim()).filter((l) => l !== "");
  const error = lines.find((l) => /^error\b/i.test(l));
  const text = error ?? lines.slice(-3).join("; ");
  return text === "" ? undefined : new Error(truncateRunes(text, 500));
}
