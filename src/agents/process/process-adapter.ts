// The base of every adapter whose agent runs as child process groups: the settings it was built
// with, its dependencies, and the groups it must kill when sortie shuts down.
import type { Logger } from "@logtape/logtape";
import type {
  AgentAdapter,
  RunTurnParams,
  Session,
  StartSessionParams,
  TurnOutcome,
} from "../../domain/agent.ts";
import type { Emit } from "../events.ts";
import type { AgentAdapterConfig, AgentDeps } from "../types.ts";
import type { CliSession } from "./cli-session.ts";
import { type ForkedTurnResult, runForkedTurn, type TurnHooks } from "./fork-turn.ts";
import { ProcessGroupRegistry } from "./group-registry.ts";
import { prepareSessionLaunch, type SessionEnvParts, type SessionLaunch } from "./session-launch.ts";

/** The adapter-block settings the shared launch step reads. */
export interface LaunchSettings {
  envPassthrough: readonly string[];
}

/** One process of a turn, as the adapter's runTurn describes it. */
export interface SessionTurnSpec {
  argv: string[];
  signal: AbortSignal;
  emit: Emit;
  onProcessGroup: RunTurnParams["onProcessGroup"];
  hooks: TurnHooks;
}

export abstract class ProcessAgentAdapter<S extends LaunchSettings, D extends AgentDeps = AgentDeps>
  implements AgentAdapter
{
  protected readonly config: AgentAdapterConfig;
  protected readonly settings: S;
  protected readonly deps: D;
  protected readonly logger: Logger;
  protected readonly now: () => Date;
  protected readonly groups = new ProcessGroupRegistry();

  constructor(config: AgentAdapterConfig, deps: D, settings: S) {
    this.config = config;
    this.settings = settings;
    this.deps = deps;
    this.logger = deps.logger;
    this.now = deps.now ?? (() => new Date());
  }

  abstract startSession(params: StartSessionParams, signal: AbortSignal): Promise<Session>;
  abstract runTurn(session: Session, params: RunTurnParams, signal: AbortSignal): Promise<TurnOutcome>;
  abstract stopSession(session: Session, signal: AbortSignal): Promise<void>;

  /** The session's workspace, environment, executable and timeouts; see prepareSessionLaunch. */
  protected prepareLaunch(
    params: StartSessionParams,
    defaultCommand: string,
    composeEnv?: (parts: SessionEnvParts) => Record<string, string>,
  ): SessionLaunch {
    return prepareSessionLaunch({
      params,
      config: this.config,
      defaultCommand,
      baseEnv: this.deps.baseEnv,
      passthrough: this.settings.envPassthrough,
      ...(composeEnv !== undefined ? { composeEnv } : {}),
    });
  }

  /**
   * Runs one process of a turn in the session's workspace. The session holds it as `live` while
   * it runs, so that stopSession can stop it.
   */
  protected async forkTurn(state: CliSession, spec: SessionTurnSpec): Promise<ForkedTurnResult> {
    const { hooks, onProcessGroup } = spec;
    const run = await runForkedTurn({
      argv: spec.argv,
      cwd: state.workspace,
      env: state.env,
      signal: spec.signal,
      emit: spec.emit,
      logger: this.logger,
      groups: this.groups,
      turnTimeoutMs: state.turnTimeoutMs,
      ...(onProcessGroup ? { onProcessGroup } : {}),
      hooks: {
        ...hooks,
        onSpawn: (proc) => {
          state.live = proc;
          hooks.onSpawn?.(proc);
        },
      },
    });
    state.live = undefined;
    return run;
  }

  /**
   * The CLI lost the conversation (its session files are gone): the adapter starts over in the
   * same workspace instead of failing every retry. Only resumed turns restart, so this happens at
   * most once per turn.
   */
  protected warnSessionLost(sessionId: string): void {
    this.logger.warn("agent session not found, starting a fresh session", { session_id: sessionId });
  }

  async close(): Promise<void> {
    this.groups.killAll();
  }
}
