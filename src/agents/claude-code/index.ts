// Claude Code adapter: one `claude -p … --output-format stream-json` process per turn. The
// session id is chosen up front (`--session-id`) and later turns continue it with `--resume`.
import type {
  RunTurnParams,
  Session,
  StartSessionParams,
  TokenUsage,
  TurnOutcome,
} from "../../domain/agent.ts";
import { eventEmitter } from "../events.ts";
import { CliSession } from "../process/cli-session.ts";
import { ProcessAgentAdapter } from "../process/process-adapter.ts";
import type { SessionLaunch } from "../process/session-launch.ts";
import { emptyUsage } from "../process/usage.ts";
import { turnSessionState } from "../session-state.ts";
import type { AgentAdapterConfig, AgentDeps } from "../types.ts";
import { buildClaudeArgs } from "./command.ts";
import { finalizeClaudeTurn } from "./finalize.ts";
import { ClaudeStreamParser } from "./parse.ts";
import { type ClaudeSettings, claudeSettings } from "./settings.ts";

export const CLAUDE_DEFAULT_COMMAND = "claude";

/** Per-session state, owned by the adapter and carried in `Session.internal`. */
class ClaudeSession extends CliSession {
  /** Turns whose process started. */
  turns = 0;
  /** Usage of finished turns: the base session-cumulative events build on. */
  base: TokenUsage = emptyUsage();

  constructor(
    public id: string,
    /** The first turn continues an existing conversation (`--resume`). */
    public isContinuation: boolean,
    launch: SessionLaunch,
    readonly mcpConfigPath: string,
  ) {
    super(launch);
  }
}

export class ClaudeCodeAdapter extends ProcessAgentAdapter<ClaudeSettings> {
  constructor(config: AgentAdapterConfig, deps: AgentDeps) {
    super(config, deps, claudeSettings(config.options));
  }

  async startSession(params: StartSessionParams, _signal: AbortSignal): Promise<Session> {
    const launch = this.prepareLaunch(params, CLAUDE_DEFAULT_COMMAND);
    const resumed = params.resumeSessionId !== "";
    if (!this.settings.sessionPersistence) {
      this.logger.warn("claude session persistence disabled, later turns cannot resume", {
        session_id: params.resumeSessionId,
      });
    }
    const state = new ClaudeSession(
      resumed ? params.resumeSessionId : crypto.randomUUID(),
      resumed,
      launch,
      params.mcpConfigPath,
    );
    return { id: state.id, agentPid: "", internal: state };
  }

  async runTurn(session: Session, params: RunTurnParams, signal: AbortSignal): Promise<TurnOutcome> {
    const state = turnSessionState(session, params, ClaudeSession, "claude-code");

    let pid = "";
    const emit = eventEmitter(params.onEvent, this.now, () => pid);
    for (;;) {
      const newSession = state.turns === 0 && !state.isContinuation;
      const argv = state.argv(
        buildClaudeArgs(this.settings, {
          prompt: params.prompt,
          sessionId: state.id,
          newSession,
          mcpConfigPath: state.mcpConfigPath,
        }),
      );
      const parser = new ClaudeStreamParser({
        emit,
        base: state.base,
        sessionId: state.id,
        logger: this.logger,
      });
      const run = await this.forkTurn(state, {
        argv,
        signal,
        emit,
        onProcessGroup: params.onProcessGroup,
        hooks: {
          onSpawn: (proc) => {
            pid = String(proc.pid);
            state.turns++;
          },
          onLine: (line) => {
            parser.handleLine(line);
            // A `system/init` line confirms (or replaces) the session id.
            state.id = parser.sessionId;
          },
          onEnd: () => parser.emitEstimatedUsage(),
          finalize: (exit, stderr) =>
            finalizeClaudeTurn(parser, exit, stderr, { resumed: !newSession, logger: this.logger }),
          snapshot: () => ({ sessionId: state.id, usage: parser.sessionUsage() }),
        },
      });
      if (run.kind === "restart") {
        this.warnSessionLost(state.id);
        state.id = crypto.randomUUID();
        state.isContinuation = false;
        state.turns = 0;
        pid = "";
        continue;
      }
      state.base = parser.sessionUsage();
      const outcome = run.outcome;
      outcome.result.usage = { ...state.base };
      outcome.result.sessionId = state.id;
      return outcome;
    }
  }

  async stopSession(session: Session, signal: AbortSignal): Promise<void> {
    const state = session.internal;
    if (!(state instanceof ClaudeSession)) return;
    await state.stopLive(signal);
  }
}
