// Starts an agent CLI as the leader of its own process group with piped stdio.
import type { Subprocess } from "bun";

export interface AgentSpawnOptions {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  /** "ignore" (default) gives the child /dev/null; "pipe" gives a writable sink. */
  stdin?: "ignore" | "pipe";
}

export type AgentProcess = Subprocess<"ignore" | "pipe", "pipe", "pipe">;

/**
 * `detached: true` makes the child call setsid, so its pid is also its process-group id and a
 * signal to `-pid` reaches every grandchild. Throws synchronously when the executable cannot be
 * started.
 */
export function spawnAgentProcess(options: AgentSpawnOptions): AgentProcess {
  return Bun.spawn({
    cmd: options.argv,
    cwd: options.cwd,
    env: options.env,
    stdin: options.stdin ?? "ignore",
    stdout: "pipe",
    stderr: "pipe",
    detached: true,
  });
}
