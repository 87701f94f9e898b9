// Copilot CLI adapter: one `copilot -p … --output-format json` process per turn. The session id
// is only learned from the turn's final `result` line; later turns continue it with `--resume`
// (or `--continue` when no id was ever learned, safe because every issue has its own workspace).
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
import { CopilotAccounting } from "./accounting.ts";
import { buildCopilotArgs, type CopilotResume } from "./command.ts";
import { finalizeCopilotTurn } from "./finalize.ts";
import { CopilotStreamParser } from "./parse.ts";
import { checkCopilotAuth, checkCopilotRuns } from "./preflight.ts";
import { type CopilotSettings, copilotSettings } from "./settings.ts";

export const COPILOT_DEFAULT_COMMAND = "copilot";

/** Per-session state, owned by the adapter and carried in `Session.internal`. */
class CopilotSession {
  /** The CLI's session id; "" until a `result` line named it. */
  id: string;
  /** No id was learned although a turn ran: the next turn uses `--continue`. */
  fallbackToContinue = false;
  /** Token usage of finished turns (premium requests live in `accounting`). */
  base: TokenUsage = emptyUsage();
  readonly accounting = new CopilotAccounting();
  live: AgentProcess | undefined;
  readonly workspace: string;
  readonly executable: string;
  readonly leadingArgs: string[];
  readonly env: Record<string, string>;
  readonly mcpConfigPath: string;
  readonly turnTimeoutMs: number;

  constructor(init: {
    id: string;
    workspace: string;
    executable: string;
    leadingArgs: string[];
    env: Record<string, string>;
    mcpConfigPath: string;
    turnTimeoutMs: number;
  }) {
    this.id = init.id;
    this.workspace = init.workspace;
    this.executable = init.executable;
    this.leadingArgs = init.leadingArgs;
    this.env = init.env;
    this.mcpConfigPath = init.mcpConfigPath;
    this.turnTimeoutMs = init.turnTimeoutMs;
  }

  resumeFlag(): CopilotResume {
    if (this.id !== "") return { kind: "resume", sessionId: this.id };
    return this.fallbackToContinue ? { kind: "continue" } : { kind: "none" };
  }
}

export class CopilotCliAdapter implements AgentAdapter {
  readonly #config: AgentAdapterConfig;
  readonly #settings: CopilotSettings;
  readonly #deps: AgentDeps;
  readonly #logger: Logger;
  readonly #now: () => Date;
  readonly #groups = new ProcessGroupRegistry();

  constructor(config: AgentAdapterConfig, deps: AgentDeps) {
    this.#config = config;
    this.#settings = copilotSettings(config.options);
    this.#deps = deps;
    this.#logger = deps.logger;
    this.#now = deps.now ?? (() => new Date());
  }

  async startSession(params: StartSessionParams, signal: AbortSignal): Promise<Session> {
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
    const target = resolveLaunchTarget(command, COPILOT_DEFAULT_COMMAND, env.PATH);
    await checkCopilotRuns(target, workspace, env, signal);
    await checkCopilotAuth(env, workspace, signal, this.#logger);
    const state = new CopilotSession({
      id: params.resumeSessionId,
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
    if (!(state instanceof CopilotSession))
      throw new TypeError("session was not started by the copilot-cli adapter");
    if (typeof params.onEvent !== "function") throw new TypeError("runTurn requires onEvent");

    let pid = "";
    const emit = eventEmitter(params.onEvent, this.#now, () => pid);
    for (;;) {
      const resume = state.resumeFlag();
      const argv = [
        state.executable,
        ...state.leadingArgs,
        ...buildCopilotArgs(this.#settings, {
          prompt: params.prompt,
          resume,
          mcpConfigPath: state.mcpConfigPath,
        }),
      ];
      const parser = new CopilotStreamParser({
        emit,
        base: state.base,
        accounting: state.accounting,
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
            // The id is only known for continued sessions; a fresh one reports it at the end.
            emit("session_started", { sessionId: state.id, message: "session started" });
          },
          onLine: (line) => parser.handleLine(line),
          finalize: (exit, stderr) =>
            finalizeCopilotTurn(parser, exit, stderr, {
              resumed: resume.kind !== "none",
              logger: this.#logger,
            }),
          snapshot: () => ({ sessionId: parser.result?.sessionId || state.id, usage: parser.sessionUsage() }),
        },
      });
      state.live = undefined;

      if (run.kind === "restart") {
        // The CLI lost the conversation (its session files are gone): start over in the same
        // workspace instead of failing every retry. Only resumed turns restart, so this happens
        // at most once per turn.
        this.#logger.warn("agent session not found, starting a fresh session", { session_id: state.id });
        state.id = "";
        state.fallbackToContinue = false;
        state.accounting.startNewCliSession();
        pid = "";
        continue;
      }

      const learned = parser.result?.sessionId ?? "";
      if (learned !== "") {
        state.id = learned;
        state.fallbackToContinue = false;
      } else if (state.id === "") {
        state.fallbackToContinue = true;
      }
      const usage = parser.sessionUsage();
      state.base = { ...usage };
      delete state.base.premiumRequests;
      if (parser.result !== undefined) {
        this.#logger.info("copilot turn completed", {
          session_id: state.id,
          exit_code: parser.result.exitCode,
          premium_requests: usage.premiumRequests ?? null,
        });
      }
      const outcome = run.outcome;
      outcome.result.usage = usage;
      outcome.result.sessionId = state.id;
      return outcome;
    }
  }

  async stopSession(session: Session, signal: AbortSignal): Promise<void> {
    const state = session.internal;
    if (!(state instanceof CopilotSession)) return;
    const live = state.live;
    if (live === undefined) return;
    await stopProcessGroup(live.pid, live.exited, signal);
  }

  async close(): Promise<void> {
    this.#groups.killAll();
  }
}
