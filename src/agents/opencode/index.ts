// OpenCode adapter: one `opencode run --format json` process per turn. The session id comes from
// the first envelope of the stream and later turns continue it with `--session <id>`. Usage is
// summed from the turn's `step_finish` parts; `opencode export` is only a fallback for CLIs
// that do not report it there.
import type {
  RunTurnParams,
  Session,
  StartSessionParams,
  TokenUsage,
  TurnOutcome,
} from "../../domain/agent.ts";
import { agentError } from "../../domain/errors.ts";
import { type Emit, eventEmitter } from "../events.ts";
import { cancellationOf } from "../process/cancel.ts";
import { CliSession } from "../process/cli-session.ts";
import { ProcessAgentAdapter } from "../process/process-adapter.ts";
import type { SessionLaunch } from "../process/session-launch.ts";
import { emptyUsage } from "../process/usage.ts";
import { turnSessionState } from "../session-state.ts";
import type { AgentAdapterConfig, AgentDeps } from "../types.ts";
import { buildExportArgs, buildRunArgs } from "./command.ts";
import { openCodeEnv } from "./env.ts";
import { parseExportUsage, runExport } from "./export-usage.ts";
import { finalizeOpenCodeTurn } from "./finalize.ts";
import { OpenCodeStreamParser } from "./parse.ts";
import { permissionPolicy } from "./permission.ts";
import { type ProcessEnd, runOpenCodeProcess } from "./process.ts";
import { type OpenCodeSettings, openCodeSettings, startupTimeout } from "./settings.ts";

export const OPENCODE_DEFAULT_COMMAND = "opencode";
const MAX_EXPORT_TIMEOUT_MS = 30_000;

/** Per-session state, owned by the adapter and carried in `Session.internal`. */
class OpenCodeSession extends CliSession {
  /** `session_started` was emitted for the current id. */
  announced = false;
  /** Usage (cost included) of finished turns. */
  base: TokenUsage = emptyUsage();
  activeTurn = false;
  stopped = false;

  constructor(
    /** "" until the first envelope names the session. */
    public id: string,
    launch: SessionLaunch,
  ) {
    super(launch);
  }
}

export class OpenCodeAdapter extends ProcessAgentAdapter<OpenCodeSettings> {
  readonly #permission: string | undefined;

  /** Throws a config error when `allowed_tools` and `denied_tools` overlap. */
  constructor(config: AgentAdapterConfig, deps: AgentDeps) {
    super(config, deps, openCodeSettings(config.options));
    this.#permission = permissionPolicy(this.settings.allowedTools, this.settings.deniedTools, deps.logger);
  }

  async startSession(params: StartSessionParams, _signal: AbortSignal): Promise<Session> {
    const launch = this.prepareLaunch(params, OPENCODE_DEFAULT_COMMAND, (parts) =>
      openCodeEnv({
        ...parts,
        disableAutocompact: this.settings.disableAutocompact,
        permission: this.#permission,
      }),
    );
    const state = new OpenCodeSession(params.resumeSessionId, launch);
    return { id: state.id, agentPid: "", internal: state };
  }

  async runTurn(session: Session, params: RunTurnParams, signal: AbortSignal): Promise<TurnOutcome> {
    const state = turnSessionState(session, params, OpenCodeSession, "opencode");
    if (state.stopped) return refused(state, "session already stopped");
    if (state.activeTurn) return refused(state, "session already has an active turn");

    state.activeTurn = true;
    try {
      return await this.#runTurn(state, params, signal);
    } finally {
      state.activeTurn = false;
      state.live = undefined;
    }
  }

  async #runTurn(state: OpenCodeSession, params: RunTurnParams, signal: AbortSignal): Promise<TurnOutcome> {
    let pid = "";
    const emit = eventEmitter(params.onEvent, this.now, () => pid);
    for (;;) {
      if (signal.aborted) {
        // Never start a process for a turn that is already cancelled.
        const c = cancellationOf(signal, state.turnTimeoutMs);
        emit("turn_cancelled", { message: c.eventMessage });
        return {
          result: { sessionId: state.id, exitReason: "turn_cancelled", usage: { ...state.base } },
          error: c.error,
        };
      }
      const resumed = state.id !== "";
      const parser = new OpenCodeStreamParser({
        emit,
        base: state.base,
        sessionId: state.id,
        announced: state.announced,
        model: this.settings.model,
      });
      const end = await runOpenCodeProcess({
        argv: state.argv(
          buildRunArgs(this.settings, {
            workspace: state.workspace,
            sessionId: state.id,
            prompt: params.prompt,
          }),
        ),
        cwd: state.workspace,
        env: state.env,
        signal,
        logger: this.logger,
        groups: this.groups,
        startupTimeoutMs: startupTimeout(this.settings, state.readTimeoutMs),
        onSpawn: (proc) => {
          pid = String(proc.pid);
          state.live = proc;
        },
        onLine: (line) => parser.handleLine(line),
        jsonSeen: () => parser.sawJson,
        ...(params.onProcessGroup ? { onProcessGroup: params.onProcessGroup } : {}),
      });
      state.live = undefined;
      state.announced = parser.announced;
      if (parser.mismatch === undefined && parser.sessionId !== "") state.id = parser.sessionId;

      if (this.#needsExportUsage(parser, end, signal, state)) {
        await this.#exportUsage(state, parser, emit, signal, params.onProcessGroup);
      }

      const decision = finalizeOpenCodeTurn(parser, end, {
        signal,
        turnTimeoutMs: state.turnTimeoutMs,
        stopped: state.stopped,
        resumed,
      });
      if (decision.kind === "restart") {
        this.warnSessionLost(state.id);
        state.id = "";
        state.announced = false;
        pid = "";
        continue;
      }
      if (decision.error !== undefined && decision.type !== "turn_cancelled" && end.kind === "exited") {
        for (const line of end.stderr) this.logger.warn("agent stderr", { line });
      }
      if (decision.message !== undefined) emit(decision.type, { message: decision.message });
      state.base = parser.sessionUsage();
      const outcome: TurnOutcome = {
        result: { sessionId: state.id, exitReason: decision.type, usage: { ...state.base } },
      };
      if (decision.error !== undefined) outcome.error = decision.error;
      return outcome;
    }
  }

  #needsExportUsage(
    parser: OpenCodeStreamParser,
    end: ProcessEnd,
    signal: AbortSignal,
    state: OpenCodeSession,
  ): boolean {
    return (
      end.kind === "exited" &&
      end.stoppedFor === undefined &&
      end.readError === undefined &&
      !signal.aborted &&
      !state.stopped &&
      parser.sawJson &&
      parser.tokenSteps === 0 &&
      state.id !== ""
    );
  }

  /** Older CLIs: the turn's usage from the session export (its last assistant message only). */
  async #exportUsage(
    state: OpenCodeSession,
    parser: OpenCodeStreamParser,
    emit: Emit,
    signal: AbortSignal,
    onProcessGroup: ((pgid: number) => void) | undefined,
  ): Promise<void> {
    const output = await runExport({
      argv: state.argv(buildExportArgs(state.id)),
      cwd: state.workspace,
      env: state.env,
      timeoutMs: Math.min(2 * (state.readTimeoutMs > 0 ? state.readTimeoutMs : 5000), MAX_EXPORT_TIMEOUT_MS),
      signal,
      ...(onProcessGroup ? { onProcessGroup } : {}),
    });
    if (output instanceof Error) {
      this.logger.warn("opencode export failed", { session_id: state.id, error: output.message });
      return;
    }
    const found = parseExportUsage(output, state.id);
    const u = found?.usage;
    if (u === undefined || ((u.inputTokens ?? 0) === 0 && (u.outputTokens ?? 0) === 0)) {
      this.logger.warn("no assistant token usage found in opencode export", { session_id: state.id });
    }
    if (found === undefined) return;
    const counters = [u?.inputTokens, u?.outputTokens, u?.cacheReadTokens, u?.cacheWriteTokens];
    if (!counters.some((c) => (c ?? 0) > 0)) return;
    parser.addTurnUsage(found.usage);
    const model = found.model !== "" ? found.model : this.settings.model;
    emit("token_usage", {
      usage: parser.sessionUsage(),
      requests: Math.max(1, parser.uncountedSteps),
      ...(model !== "" ? { model } : {}),
    });
  }

  async stopSession(session: Session, signal: AbortSignal): Promise<void> {
    const state = session.internal;
    if (!(state instanceof OpenCodeSession)) return;
    state.stopped = true;
    await state.stopLive(signal);
  }
}

function refused(state: OpenCodeSession, message: string): TurnOutcome {
  return {
    result: { sessionId: state.id, exitReason: "turn_ended_with_error", usage: { ...state.base } },
    error: agentError("response_error", message),
  };
}
