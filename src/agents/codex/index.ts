// Codex adapter: one long-lived `codex app-server` per session, spoken to over JSON-RPC on its
// stdin/stdout. The session is a Codex thread; every turn is a `turn/start` on it, and a later
// run continues the thread with `thread/resume`.
import type { RunTurnParams, Session, StartSessionParams, TurnOutcome } from "../../domain/agent.ts";
import { agentError, SortieError } from "../../domain/errors.ts";
import { eventEmitter } from "../events.ts";
import { ProcessAgentAdapter } from "../process/process-adapter.ts";
import { turnSessionState } from "../session-state.ts";
import type { AgentAdapterConfig, AgentDeps } from "../types.ts";
import { AppServer, TEMP_DIR_HINT } from "./app-server.ts";
import { codexHandshake } from "./handshake.ts";
import { type CodexSettings, codexSettings } from "./settings.ts";
import { type DynamicTool, dynamicToolSpecs } from "./tools.ts";
import { type CodexTurnSession, runCodexTurn } from "./turn.ts";
import { ThreadUsage } from "./usage.ts";

export type { DynamicTool, DynamicToolResult } from "./tools.ts";

export const CODEX_DEFAULT_COMMAND = "codex app-server";
/** Bound on start-up answers when `read_timeout_ms` is not positive. */
export const DEFAULT_CODEX_READ_TIMEOUT_MS = 30_000;

export interface CodexDeps extends AgentDeps {
  /** How long an interrupted turn may take to confirm (default 5 s). */
  interruptGraceMs?: number;
}

/** Per-session state, carried in `Session.internal`. */
class CodexSession implements CodexTurnSession {
  turns = 0;
  readonly ownTurnIds = new Set<string>();
  /** Serializes turns and makes stop wait for a running one. */
  current: Promise<unknown> = Promise.resolve();

  constructor(
    readonly server: AppServer,
    public threadId: string,
    readonly model: string,
    readonly usage: ThreadUsage,
    readonly workspace: string,
    readonly settings: CodexSettings,
    readonly tools: readonly DynamicTool[] | null,
    readonly turnTimeoutMs: number,
    readonly requestTimeoutMs: number,
  ) {}
}

export class CodexAdapter extends ProcessAgentAdapter<CodexSettings, CodexDeps> {
  constructor(config: AgentAdapterConfig, deps: CodexDeps) {
    super(config, deps, codexSettings(config.options));
  }

  async startSession(params: StartSessionParams, signal: AbortSignal): Promise<Session> {
    const launch = this.prepareLaunch(params, CODEX_DEFAULT_COMMAND);
    const { workspace, env } = launch;
    // `command: codex` alone would start the interactive UI, which never answers JSON-RPC.
    const args = launch.leadingArgs.length > 0 ? launch.leadingArgs : ["app-server"];
    const timeoutMs = launch.readTimeoutMs > 0 ? launch.readTimeoutMs : DEFAULT_CODEX_READ_TIMEOUT_MS;

    if (signal.aborted) throw signal.reason;
    const server = new AppServer({
      argv: [launch.executable, ...args],
      cwd: workspace,
      env,
      logger: this.logger,
      groups: this.groups,
      requestTimeoutMs: timeoutMs,
    });
    let handshake: Awaited<ReturnType<typeof codexHandshake>>;
    try {
      handshake = await codexHandshake({
        client: server.client,
        logger: this.logger,
        workspace,
        settings: this.settings,
        dynamicTools: this.deps.tools === undefined ? undefined : dynamicToolSpecs(this.deps.tools),
        resumeThreadId: params.resumeSessionId,
        apiKey: env.CODEX_API_KEY ?? "",
        timeoutMs,
        signal,
        usageFor: (fresh) => new ThreadUsage(fresh),
      });
    } catch (err) {
      await server.kill();
      server.warnStderr();
      throw startFailure(err, server);
    }
    if (server.refusedTempDir() && this.settings.threadSandbox !== "danger-full-access") {
      this.logger.warn("codex sandbox helpers unavailable", { hint: TEMP_DIR_HINT });
    }

    const state = new CodexSession(
      server,
      handshake.threadId,
      this.settings.model !== "" ? this.settings.model : handshake.model,
      handshake.usage,
      workspace,
      this.settings,
      this.deps.tools ?? null,
      launch.turnTimeoutMs,
      timeoutMs,
    );
    return { id: handshake.threadId, agentPid: String(server.pid), internal: state };
  }

  async runTurn(session: Session, params: RunTurnParams, signal: AbortSignal): Promise<TurnOutcome> {
    const state = turnSessionState(session, params, CodexSession, "codex");

    const previous = state.current;
    const turn = (async () => {
      await previous.catch(() => {});
      params.onProcessGroup?.(state.server.pid);
      let open = true;
      const emit = eventEmitter(
        (event) => {
          if (open) params.onEvent(event);
        },
        this.now,
        () => String(state.server.pid),
      );
      try {
        return await runCodexTurn({
          session: state,
          params,
          signal,
          emit,
          logger: this.logger,
          ...(this.deps.interruptGraceMs !== undefined
            ? { interruptGraceMs: this.deps.interruptGraceMs }
            : {}),
        });
      } finally {
        open = false;
      }
    })();
    state.current = turn;
    return turn;
  }

  async stopSession(session: Session, signal: AbortSignal): Promise<void> {
    const state = session.internal;
    if (!(state instanceof CodexSession)) return;
    await state.server.stop(signal);
  }
}

/** Start-up failures keep their kind; the server's last words explain an early exit. */
function startFailure(err: unknown, server: AppServer): unknown {
  if (!(err instanceof SortieError)) return err;
  if (err.kind !== "port_exit") {
    if (!server.refusedTempDir()) return err;
    return new SortieError("agent", err.kind, `${err.message} (${TEMP_DIR_HINT})`, { cause: err.cause });
  }
  const stderr = server.stderrSummary();
  return agentError(
    "port_exit",
    `codex app-server exited during start-up (${server.exitDescription()})`,
    stderr !== "" ? new Error(stderr) : err,
  );
}
