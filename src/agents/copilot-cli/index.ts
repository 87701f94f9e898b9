// Copilot CLI adapter: one `copilot -p … --output-format json` process per turn. The session id
// is only learned from the turn's final `result` line; later turns continue it with `--resume`
// (or `--continue` when no id was ever learned, safe because every issue has its own workspace).
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
import { CopilotAccounting } from "./accounting.ts";
import { buildCopilotArgs, type CopilotResume } from "./command.ts";
import { finalizeCopilotTurn } from "./finalize.ts";
import { CopilotStreamParser } from "./parse.ts";
import { checkCopilotAuth, checkCopilotRuns } from "./preflight.ts";
import { type CopilotSettings, copilotSettings } from "./settings.ts";

export const COPILOT_DEFAULT_COMMAND = "copilot";

/** Per-session state, owned by the adapter and carried in `Session.internal`. */
class CopilotSession extends CliSession {
  /** No id was learned although a turn ran: the next turn uses `--continue`. */
  fallbackToContinue = false;
  /** Token usage of finished turns (premium requests live in `accounting`). */
  base: TokenUsage = emptyUsage();
  readonly accounting = new CopilotAccounting();

  constructor(
    /** The CLI's session id; "" until a `result` line named it. */
    public id: string,
    launch: SessionLaunch,
    readonly mcpConfigPath: string,
  ) {
    super(launch);
  }

  resumeFlag(): CopilotResume {
    if (this.id !== "") return { kind: "resume", sessionId: this.id };
    return this.fallbackToContinue ? { kind: "continue" } : { kind: "none" };
  }
}

export class CopilotCliAdapter extends ProcessAgentAdapter<CopilotSettings> {
  constructor(config: AgentAdapterConfig, deps: AgentDeps) {
    super(config, deps, copilotSettings(config.options));
  }

  async startSession(params: StartSessionParams, signal: AbortSignal): Promise<Session> {
    const launch = this.prepareLaunch(params, COPILOT_DEFAULT_COMMAND);
    await checkCopilotRuns(launch, launch.workspace, launch.env, signal);
    await checkCopilotAuth(launch.env, launch.workspace, signal, this.logger);
    const state = new CopilotSession(params.resumeSessionId, launch, params.mcpConfigPath);
    return { id: state.id, agentPid: "", internal: state };
  }

  async runTurn(session: Session, params: RunTurnParams, signal: AbortSignal): Promise<TurnOutcome> {
    const state = turnSessionState(session, params, CopilotSession, "copilot-cli");

    let pid = "";
    const emit = eventEmitter(params.onEvent, this.now, () => pid);
    for (;;) {
      const resume = state.resumeFlag();
      const argv = state.argv(
        buildCopilotArgs(this.settings, {
          prompt: params.prompt,
          resume,
          mcpConfigPath: state.mcpConfigPath,
        }),
      );
      const parser = new CopilotStreamParser({
        emit,
        base: state.base,
        accounting: state.accounting,
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
            // The id is only known for continued sessions; a fresh one reports it at the end.
            emit("session_started", { sessionId: state.id, message: "session started" });
          },
          onLine: (line) => parser.handleLine(line),
          finalize: (exit, stderr) =>
            finalizeCopilotTurn(parser, exit, stderr, {
              resumed: resume.kind !== "none",
              logger: this.logger,
            }),
          snapshot: () => ({ sessionId: parser.result?.sessionId || state.id, usage: parser.sessionUsage() }),
        },
      });
      if (run.kind === "restart") {
        this.warnSessionLost(state.id);
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
        this.logger.info("copilot turn completed", {
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
    await state.stopLive(signal);
  }
}
