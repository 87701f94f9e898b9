// The launch-per-turn skeleton shared by CLI adapters that start one process per turn: spawn a
// process group, feed stdout lines to the adapter's parser, and turn the way the process ended
// into exactly one terminal event. Process-level outcomes (cancel, timeout, read errors, exit
// 127, death by signal) are decided here; everything else is the adapter's `finalize`.
import type { Logger } from "@logtape/logtape";
import type { TerminalEventType, TokenUsage, TurnOutcome } from "../../domain/agent.ts";
import { agentError, type SortieError } from "../../domain/errors.ts";
import { signalGroup, terminateGroup } from "../../platform/process-group.ts";
import type { Emit } from "../events.ts";
import { cancellationOf } from "./cancel.ts";
import { drainOnExit } from "./exit-drain.ts";
import type { ProcessGroupRegistry } from "./group-registry.ts";
import { MAX_AGENT_LINE_BYTES, readLines } from "./line-reader.ts";
import { type AgentProcess, spawnAgentProcess } from "./spawn.ts";
import { collectStderr, StderrCollector } from "./stderr-collector.ts";

export const STOP_GRACE_MS = 5000;
/**
 * How long stdout/stderr may stay open after the process group is gone. A grandchild that left
 * the group (setsid) can hold the pipes forever; the turn must still end.
 */
export const PIPE_DRAIN_GRACE_MS = 2000;

export interface ProcessExit {
  exitCode: number;
}

/** Arms 6–10: the adapter's verdict on a process that exited on its own. */
export type FinalizeDecision =
  | {
      kind: "terminal";
      type: TerminalEventType;
      message: string;
      apiDurationMs?: number;
      error?: SortieError;
    }
  /** Run the turn again (e.g. a resumed session the CLI no longer knows); nothing was emitted. */
  | { kind: "restart" };

export interface TurnHooks {
  /** The process started; `pid` is also its process-group id. */
  onSpawn?(proc: AgentProcess): void;
  /** One stdout line; the adapter parses it and emits its events. Must not throw. */
  onLine(line: string): void;
  /** Stdout is drained and the process has exited, before any terminal event. */
  onEnd?(): void;
  finalize(exit: ProcessExit, stderr: readonly string[]): FinalizeDecision;
  /** The session id and usage to report right now. */
  snapshot(): { sessionId: string; usage: TokenUsage };
}

export interface ForkedTurnSpec {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  signal: AbortSignal;
  emit: Emit;
  logger: Logger;
  groups: ProcessGroupRegistry;
  turnTimeoutMs: number;
  hooks: TurnHooks;
  onProcessGroup?: (pgid: number) => void;
  maxLineBytes?: number;
  graceMs?: number;
  pipeDrainGraceMs?: number;
}

export type ForkedTurnResult = { kind: "outcome"; outcome: TurnOutcome } | { kind: "restart" };

export async function runForkedTurn(spec: ForkedTurnSpec): Promise<ForkedTurnResult> {
  const { signal, emit, logger, hooks } = spec;
  const finish = (type: TerminalEventType, error?: SortieError): ForkedTurnResult => {
    const { sessionId, usage } = hooks.snapshot();
    const outcome: TurnOutcome = { result: { sessionId, exitReason: type, usage } };
    if (error !== undefined) outcome.error = error;
    return { kind: "outcome", outcome };
  };
  const cancelled = (): ForkedTurnResult => {
    const c = cancellationOf(signal, spec.turnTimeoutMs);
    emit("turn_cancelled", { message: c.eventMessage });
    return finish("turn_cancelled", c.error);
  };

  // Arm 0: never start a process for a turn that is already cancelled.
  if (signal.aborted) return cancelled();

  let proc: AgentProcess;
  try {
    proc = spawnAgentProcess({ argv: spec.argv, cwd: spec.cwd, env: spec.env });
  } catch (err) {
    // Arm 0'.
    return finish("turn_failed", agentError("port_exit", "failed to start subprocess", err));
  }

  const pgid = proc.pid;
  spec.groups.add(pgid);
  spec.onProcessGroup?.(pgid);
  const grace = spec.graceMs ?? STOP_GRACE_MS;
  const onAbort = (): void => {
    void terminateGroup(pgid, grace, proc.exited);
  };
  signal.addEventListener("abort", onAbort, { once: true });
  // Surviving grandchildren (shells, MCP servers) are swept as soon as the leader is gone; this
  // also closes pipes they inherited so the readers below reach EOF.
  const drain = drainOnExit(proc, spec.pipeDrainGraceMs ?? PIPE_DRAIN_GRACE_MS);
  const exited = drain.exited;

  const stderr = new StderrCollector();
  const stderrDone = collectStderr(proc.stderr, stderr, logger, {
    maxLineBytes: spec.maxLineBytes ?? MAX_AGENT_LINE_BYTES,
    signal: drain.signal,
  });

  try {
    hooks.onSpawn?.(proc);
    let readError: unknown;
    try {
      await readLines(proc.stdout, (line) => hooks.onLine(line), {
        maxLineBytes: spec.maxLineBytes ?? MAX_AGENT_LINE_BYTES,
        signal: drain.signal,
      });
    } catch (err) {
      readError = err;
      signalGroup(pgid, "SIGKILL");
    }
    await exited;
    await stderrDone;
    hooks.onEnd?.();

    const warnStderr = (): void => {
      for (const line of stderr.lines()) logger.warn("agent stderr", { line });
    };

    if (readError !== undefined) {
      // Arms 1 and 2.
      if (signal.aborted) return cancelled();
      warnStderr();
      emit("turn_failed", { message: `stdout read error: ${errorText(readError)}` });
      return finish("turn_failed", agentError("port_exit", "stdout scanner error", readError));
    }
    if (signal.aborted) return cancelled(); // Arm 3.
    if (proc.exitCode === 127) {
      // Arm 4.
      warnStderr();
      emit("turn_failed", { message: "agent binary not found" });
      return finish("turn_failed", agentError("agent_not_found", "exit code 127"));
    }
    if (proc.signalCode !== null) {
      // Arm 5: killed by something other than our abort (OOM killer, stopSession, an operator).
      emit("turn_cancelled", { message: "killed by signal" });
      return finish("turn_cancelled", agentError("turn_cancelled", "killed by signal"));
    }

    const decision = hooks.finalize({ exitCode: proc.exitCode ?? 0 }, stderr.lines());
    if (decision.kind === "restart") return { kind: "restart" };
    if (decision.error !== undefined) warnStderr();
    emit(decision.type, {
      message: decision.message,
      ...(decision.apiDurationMs ? { apiDurationMs: decision.apiDurationMs } : {}),
    });
    return finish(decision.type, decision.error);
  } finally {
    drain.dispose();
    signal.removeEventListener("abort", onAbort);
    signalGroup(pgid, "SIGKILL");
    spec.groups.remove(pgid);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
