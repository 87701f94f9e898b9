// Claude Code adapter: one `claude -p … --output-format stream-json` process per turn. The
// session id is chosen up front (`--session-id`) and later turns continue it with `--resume`.
import type { Logger } from "@logtape/logtape";
import type {
  AgentAdapter,
  RunTurnParams,
  Session,
  StartSessionParams,
  TokenUsage,
  TurnOutcome,
} from "../../domain/agent.ts";
import { agentError } from "../../domain/errors.ts";
import { eventEmitter } from "../events.ts";
import { composeAgentEnv } from "../process/env.ts";
import { runForkedTurn } from "../process/fork-turn.ts";
import { ProcessGroupRegistry } from "../process/group-registry.ts";
import { resolveLaunchTarget, verifyWorkspace } from "../process/launch.ts";
import type { AgentProcess } from "../process/spawn.ts";
import { stopProcessGroup } from "../process/stop.ts";
import { emptyUsage } from "../process/usage.ts";
import type { AgentAdapterConfig, AgentDeps } from "../types.ts";
import { buildClaudeArgs } from "./command.ts";
import { finalizeClaudeTurn } from "./finalize.ts";
import { ClaudeStreamParser } from "./parse.ts";
import { type ClaudeSettings, claudeSettings } from "./settings.ts";

export const CLAUDE_DEFAULT_COMMAND = "claude";

/** Per-session state, owned by the adapter and carried in `Session.internal`. */
class ClaudeSession {
  id: string;
  /** The first turn continues an existing conversation (`--resume`). */
  isContinuation: boolean;
  /** Turns whose process started. */
  turns = 0;
  /** Usage of finished turns: the base session-cumulative events build on. */
  base: TokenUsage = emptyUsage();
  live: AgentProcess | undefined;
  readonly workspace: string;
  readonly executable: string;
  readonly leadingArgs: string[];
  readonly env: Record<string, string>;
  readonly mcpConfigPath: string;
  readonly turnTimeoutMs: number;

  constructor(init: {
    id: string;
    isContinuation: boolean;
    workspace: string;
    executable: string;
    leadingArgs: string[];
    env: Record<string, string>;
    mcpConfigPath: string;
    turnTimeoutMs: number;
  }) {
    this.id = init.id;
    this.isContinuation = init.isContinuation;
    this.workspace = init.workspace;
    this.executable = init.executable;
    this.leadingArgs = init.leadingArgs;
    this.env = init.env;
    this.mcpConfigPath = init.mcpConfigPath;
    this.turnTimeoutMs = init.turnTimeoutMs;
  }
}

export class ClaudeCodeAdapter implements AgentAdapter {
  readonly #config: AgentAdapterConfig;
  readonly #settings: ClaudeSettings;
  readonly #deps: AgentDeps;
  readonly #logger: Logger;
  readonly #now: () => Date;
  readonly #groups = new ProcessGroupRegistry();

  constructor(config: AgentAdapterConfig, deps: AgentDeps) {
    this.#config = config;
    this.#settings = claudeSettings(config.options);
    this.#deps = deps;
    this.#logger = deps.logger;
    this.#now = deps.now ?? (() => new Date());
  }

  async startSession(params: StartSessionParams, _signal: AbortSignal): Promise<Session> {
    const workspace = verifyWorkspace(params.workspacePath);
    if (params.sshHost.trim() !== "") {
      throw agentError("agent_not_found", "remote execution over ssh is not supported by this build");
    }
    const env = composeAgentEnv({
      baseEnv: this.#deps.baseEnv,
      passthrough: this.#settings.envPassthrough,
      sessionEnv: params.env,
    });
    // The session's own `agent:` settings win: the workflow may have been reloaded since the
    // adapter was built.
    const command = params.agentConfig.command !== "" ? params.agentConfig.command : this.#config.command;
    const target = resolveLaunchTarget(command, CLAUDE_DEFAULT_COMMAND, env.PATH);
    const resumed = params.resumeSessionId !== "";
    if (!this.#settings.sessionPersistence) {
      this.#logger.warn("claude session persistence disabled, later turns cannot resume", {
        session_id: params.resumeSessionId,
      });
    }
    const state = new ClaudeSession({
      id: resumed ? params.resumeSessionId : crypto.randomUUID(),
      isContinuation: resumed,
      workspace,
      executable: target.executable,
      leadingArgs: target.leadingArgs,
      env,
      mcpConfigPath: params.mcpConfigPath,
      turnTimeoutMs:
        params.agentConfig.turnTimeoutMs > 0 ? params.agentConfig.turnTimeoutMs : this.#config.turnTimeoutMs,
    });
    return { id: state.id, agentPid: "", internal: state };
  }

  async runTurn(session: Session, params: RunTurnParams, signal: AbortSignal): Promise<TurnOutcome> {
    const state = session.internal;
    if (!(state instanceof ClaudeSession))
      throw new TypeError("session was not started by the claude-code adapter");
    if (typeof params.onEvent !== "function") throw new TypeError("runTurn requires onEvent");

    let pid = "";
    const emit = eventEmitter(params.onEvent, this.#now, () => pid);
    for (;;) {
      const newSession = state.turns === 0 && !state.isContinuation;
      const argv = [
        state.executable,
        ...state.leadingArgs,
        ...buildClaudeArgs(this.#settings, {
          prompt: params.prompt,
          sessionId: state.id,
          newSession,
          mcpConfigPath: state.mcpConfigPath,
        }),
      ];
      const parser = new ClaudeStreamParser({
        emit,
        base: state.base,
        sessionId: state.id,
        logger: this.#logger,
      });
      const run = await runForkedTurn({
        argv,
        cwd: state.workspace,
        env: state.env,
        signal,
        emit,
        logger: this.#logger,
        groups: this.#groups,
        turnTimeoutMs: state.turnTimeoutMs,
        ...(params.onProcessGroup ? { onProcessGroup: params.onProcessGroup } : {}),
        hooks: {
          onSpawn: (proc) => {
            pid = String(proc.pid);
            state.live = proc;
            state.turns++;
          },
          onLine: (line) => {
            parser.handleLine(line);
            // A `system/init` line confirms (or replaces) the session id.
            state.id = parser.sessionId;
          },
          onEnd: () => parser.emitEstimatedUsage(),
          finalize: (exit, stderr) =>
            finalizeClaudeTurn(parser, exit, stderr, { resumed: !newSession, logger: this.#logger }),
          snapshot: () => ({ sessionId: state.id, usage: parser.sessionUsage() }),
        },
      });
      state.live = undefined;

      if (run.kind === "restart") {
        // The CLI lost the conversation (its session files are gone): start over in the same
        // workspace instead of failing every retry. Only resumed turns restart, so this happens
        // at most once per turn.
        this.#logger.warn("agent session not found, starting a fresh session", { session_id: state.id });
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
    const live = state.live;
    if (live === undefined) return;
    await stopProcessGroup(live.pid, live.exited, signal);
  }

  async close(): Promise<void> {
    this.#groups.killAll();
  }
}
