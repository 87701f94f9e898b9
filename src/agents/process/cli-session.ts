// The part of a per-turn CLI session every such adapter keeps: what its processes launch with,
// and the turn's live process, which stopSession may have to stop while the turn runs.
import type { SessionLaunch } from "./session-launch.ts";
import type { AgentProcess } from "./spawn.ts";
import { stopProcessGroup } from "./stop.ts";

export class CliSession {
  /** The running turn's process; undefined between turns. */
  live: AgentProcess | undefined;
  readonly workspace: string;
  readonly executable: string;
  readonly leadingArgs: string[];
  readonly env: Record<string, string>;
  readonly turnTimeoutMs: number;
  readonly readTimeoutMs: number;

  constructor(launch: SessionLaunch) {
    this.workspace = launch.workspace;
    this.executable = launch.executable;
    this.leadingArgs = launch.leadingArgs;
    this.env = launch.env;
    this.turnTimeoutMs = launch.turnTimeoutMs;
    this.readTimeoutMs = launch.readTimeoutMs;
  }

  /** The full command line: the configured command's tokens come before the adapter's own. */
  argv(args: readonly string[]): string[] {
    return [this.executable, ...this.leadingArgs, ...args];
  }

  /** Stops the running turn's process group; nothing to do between turns. */
  async stopLive(signal: AbortSignal): Promise<void> {
    const live = this.live;
    if (live === undefined) return;
    await stopProcessGroup(live.pid, live.exited, signal);
  }
}
