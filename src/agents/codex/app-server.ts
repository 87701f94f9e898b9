// One running `codex app-server`: the process group, its JSON-RPC client, the stderr it wrote,
// and how it is stopped. It lives from session start to session stop and serves every turn.
import type { Logger } from "@logtape/logtape";
import { agentError } from "../../domain/errors.ts";
import { settlesWithin } from "../../platform/deadline.ts";
import { signalGroup, terminateGroup } from "../../platform/process-group.ts";
import { PIPE_DRAIN_GRACE_MS, STOP_GRACE_MS } from "../process/fork-turn.ts";
import type { ProcessGroupRegistry } from "../process/group-registry.ts";
import { type AgentProcess, spawnAgentProcess } from "../process/spawn.ts";
import { collectStderr, StderrCollector } from "../process/stderr-collector.ts";
import { stopProcessGroup } from "../process/stop.ts";
import { truncateRunes } from "../truncate.ts";
import { CODEX_MAX_LINE_BYTES, type LineSink, RpcClient } from "./rpc.ts";

/** What Codex prints when its sandbox helpers cannot live under CODEX_HOME (a temp directory). */
const TEMP_DIR_REFUSAL = "Refusing to create helper binaries under temporary dir";
export const TEMP_DIR_HINT =
  "codex refuses to create its sandbox helpers when CODEX_HOME is under a temporary directory: " +
  "set CODEX_HOME (or HOME) to a directory outside /tmp, or use codex.thread_sandbox: danger-full-access";

const KILL_WAIT_MS = 2000;

export interface AppServerInit {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  logger: Logger;
  groups: ProcessGroupRegistry;
  requestTimeoutMs: number;
}

export class AppServer {
  readonly pid: number;
  readonly client: RpcClient;
  readonly stderr = new StderrCollector();
  /** Resolves with the exit code (null when killed by a signal) once the leader exited. */
  readonly exited: Promise<number | null>;
  /** Set when sortie is stopping the process: its end is then no failure. */
  stopping = false;

  readonly #proc: AgentProcess;
  readonly #logger: Logger;
  readonly #groups: ProcessGroupRegistry;
  readonly #stderrDone: Promise<void>;
  #exit: { code: number | null; signal: string | null } | undefined;

  /** Spawns the server as the leader of its own process group; throws `port_exit` when it cannot start. */
  constructor(init: AppServerInit) {
    this.#logger = init.logger;
    this.#groups = init.groups;
    try {
      this.#proc = spawnAgentProcess({ argv: init.argv, cwd: init.cwd, env: init.env, stdin: "pipe" });
    } catch (err) {
      throw agentError("port_exit", "failed to start codex app-server", err);
    }
    const proc = this.#proc;
    this.pid = proc.pid;
    init.groups.add(this.pid);

    // Pipes held open by a grandchild that left the group must not keep the readers alive.
    const drain = new AbortController();
    this.exited = proc.exited.then((code) => {
      const signal = proc.signalCode === null ? null : String(proc.signalCode);
      const exit = { code: signal === null ? code : null, signal };
      this.#exit = exit;
      signalGroup(this.pid, "SIGKILL");
      init.groups.remove(this.pid);
      setTimeout(() => drain.abort(), PIPE_DRAIN_GRACE_MS).unref?.();
      return exit.code;
    });
    this.#stderrDone = collectStderr(proc.stderr, this.stderr, this.#logger, {
      maxLineBytes: CODEX_MAX_LINE_BYTES,
      signal: drain.signal,
    });
    this.client = new RpcClient({
      stdin: proc.stdin as unknown as LineSink,
      stdout: proc.stdout,
      logger: init.logger,
      requestTimeoutMs: init.requestTimeoutMs,
      stopReading: drain.signal,
    });
  }

  get running(): boolean {
    return this.#exit === undefined && !this.client.isClosed;
  }

  /** "exit code 1" / "killed by SIGKILL" / "still running". */
  exitDescription(): string {
    if (this.#exit === undefined) return "still running";
    return this.#exit.signal !== null ? `killed by ${this.#exit.signal}` : `exit code ${this.#exit.code}`;
  }

  /** The server's last stderr lines joined for an error message, with a hint for known problems. */
  stderrSummary(lines = 3): string {
    const all = this.stderr.lines();
    const tail = all
      .slice(-lines)
      .map((l) => l.trim())
      .filter((l) => l !== "")
      .join("; ");
    const hint = this.refusedTempDir() ? `${TEMP_DIR_HINT}. ` : "";
    return truncateRunes(`${hint}${tail}`, 1000);
  }

  refusedTempDir(): boolean {
    return this.stderr.lines().some((l) => l.includes(TEMP_DIR_REFUSAL));
  }

  warnStderr(): void {
    for (const line of this.stderr.lines()) this.#logger.warn("agent stderr", { line });
  }

  /** After stdout closed: waits (bounded) until the exit status and the last stderr lines are in. */
  async settle(): Promise<void> {
    await settlesWithin(Promise.all([this.exited, this.#stderrDone]), KILL_WAIT_MS);
  }

  /** Ends a server that stopped answering: SIGTERM, then SIGKILL after the grace period. */
  terminate(graceMs = STOP_GRACE_MS): Promise<void> {
    this.stopping = true;
    return terminateGroup(this.pid, graceMs, this.exited);
  }

  /** Waits (bounded) for the leader to exit after a SIGKILL. */
  async kill(): Promise<void> {
    this.stopping = true;
    signalGroup(this.pid, "SIGKILL");
    await settlesWithin(this.exited, KILL_WAIT_MS);
  }

  /**
   * EOF on stdin, SIGTERM to the group, SIGKILL after the grace period (or at once when the
   * caller's signal aborts), then a bounded wait for the output readers. Always resolves.
   */
  async stop(signal: AbortSignal, graceMs = STOP_GRACE_MS): Promise<void> {
    this.stopping = true;
    if (this.#exit === undefined) {
      await settlesWithin(this.client.closeInput(), KILL_WAIT_MS);
      try {
        await stopProcessGroup(this.pid, this.exited, signal, graceMs);
      } catch {
        // The caller gave up waiting; the group got SIGKILL.
      }
      await settlesWithin(this.exited, KILL_WAIT_MS);
    }
    const readersDone = await settlesWithin(
      Promise.all([this.client.closed, this.#stderrDone]),
      KILL_WAIT_MS,
    );
    if (!readersDone) this.#logger.warn("codex output readers did not finish", { pid: this.pid });
    this.#groups.remove(this.pid);
  }
}
