// Runs one `opencode run` process: a process group whose stdout lines go to the parser, with a
// start-up deadline for the first JSON envelope. Unlike the shared fork-per-turn skeleton it can
// stop the process itself (start-up deadline, session id mismatch) and kills at once on abort:
// OpenCode writes nothing on the way out that is worth a grace period.
import type { Logger } from "@logtape/logtape";
import { signalGroup } from "../../platform/process-group.ts";
import { drainOnExit } from "../process/exit-drain.ts";
import { PIPE_DRAIN_GRACE_MS } from "../process/fork-turn.ts";
import type { ProcessGroupRegistry } from "../process/group-registry.ts";
import { MAX_AGENT_LINE_BYTES, readLines } from "../process/line-reader.ts";
import { type AgentProcess, spawnAgentProcess } from "../process/spawn.ts";
import { collectStderr, StderrCollector } from "../process/stderr-collector.ts";

/** Why the runner killed the process itself. */
export type StopReason = "abort" | "startup_timeout" | "mismatch";

export type ProcessEnd =
  | { kind: "spawn_failed"; error: unknown }
  | {
      kind: "exited";
      exitCode: number | null;
      signalCode: NodeJS.Signals | number | null;
      readError?: unknown;
      stoppedFor?: StopReason;
      stderr: string[];
    };

export interface OpenCodeProcessSpec {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  signal: AbortSignal;
  logger: Logger;
  groups: ProcessGroupRegistry;
  /** How long to wait for the first JSON envelope; plain-text lines restart the wait. */
  startupTimeoutMs: number;
  onSpawn(proc: AgentProcess): void;
  /** One stdout line; "stop" kills the process and ignores the rest of its output. */
  onLine(line: string): "continue" | "stop";
  /** True once a JSON envelope was seen (ends the start-up wait). */
  jsonSeen(): boolean;
  onProcessGroup?: (pgid: number) => void;
  maxLineBytes?: number;
  pipeDrainGraceMs?: number;
}

export async function runOpenCodeProcess(spec: OpenCodeProcessSpec): Promise<ProcessEnd> {
  let proc: AgentProcess;
  try {
    proc = spawnAgentProcess({ argv: spec.argv, cwd: spec.cwd, env: spec.env });
  } catch (error) {
    return { kind: "spawn_failed", error };
  }
  const pgid = proc.pid;
  spec.groups.add(pgid);
  spec.onProcessGroup?.(pgid);
  spec.onSpawn(proc);

  let stoppedFor: StopReason | undefined;
  const stop = (reason: StopReason): void => {
    stoppedFor ??= reason;
    signalGroup(pgid, "SIGKILL");
  };
  const onAbort = (): void => stop("abort");
  if (spec.signal.aborted) onAbort();
  else spec.signal.addEventListener("abort", onAbort, { once: true });

  let startupTimer: ReturnType<typeof setTimeout> | undefined;
  const armStartup = (): void => {
    clearTimeout(startupTimer);
    startupTimer = setTimeout(() => stop("startup_timeout"), spec.startupTimeoutMs);
  };
  armStartup();

  const drain = drainOnExit(proc, spec.pipeDrainGraceMs ?? PIPE_DRAIN_GRACE_MS);
  const exited = drain.exited;
  const maxLineBytes = spec.maxLineBytes ?? MAX_AGENT_LINE_BYTES;
  const stderr = new StderrCollector();
  const stderrDone = collectStderr(proc.stderr, stderr, spec.logger, { maxLineBytes, signal: drain.signal });

  try {
    let readError: unknown;
    try {
      await readLines(
        proc.stdout,
        (line) => {
          if (stoppedFor !== undefined) return;
          if (spec.onLine(line) === "stop") {
            stop("mismatch");
            return;
          }
          if (spec.jsonSeen()) clearTimeout(startupTimer);
          else armStartup();
        },
        { maxLineBytes, signal: drain.signal },
      );
    } catch (err) {
      readError = err;
      signalGroup(pgid, "SIGKILL");
    }
    await exited;
    await stderrDone;
    return {
      kind: "exited",
      exitCode: proc.exitCode,
      signalCode: proc.signalCode,
      ...(readError !== undefined ? { readError } : {}),
      ...(stoppedFor !== undefined ? { stoppedFor } : {}),
      stderr: stderr.lines(),
    };
  } finally {
    clearTimeout(startupTimer);
    drain.dispose();
    spec.signal.removeEventListener("abort", onAbort);
    signalGroup(pgid, "SIGKILL");
    spec.groups.remove(pgid);
  }
}
