// What happens when an agent's group leader exits: the rest of its process group is swept, and
// the pipes get a bounded time to drain. A grandchild that left the group (setsid) could
// otherwise hold stdout or stderr open forever, and the turn would never end.
import { signalGroup } from "../../platform/process-group.ts";
import type { AgentProcess } from "./spawn.ts";

export interface ExitDrain {
  /** The leader's exit code, after the group was swept. */
  exited: Promise<number>;
  /** Aborts `graceMs` after the exit: readers of the pipes then stop as if at end of stream. */
  signal: AbortSignal;
  /** Cancels the drain timer once the caller is done with the process. */
  dispose(): void;
}

export function drainOnExit(proc: AgentProcess, graceMs: number): ExitDrain {
  const drain = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const exited = proc.exited.then((code) => {
    signalGroup(proc.pid, "SIGKILL");
    timer = setTimeout(() => drain.abort(), graceMs);
    return code;
  });
  return { exited, signal: drain.signal, dispose: () => clearTimeout(timer) };
}
