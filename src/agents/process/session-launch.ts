// What every CLI adapter settles when a session starts: the verified workspace, the agent's
// environment, the executable to run and the effective timeouts. Resolving them once here keeps
// the adapters' start-up checks, their order and their errors the same for every agent.
import type { StartSessionParams } from "../../domain/agent.ts";
import { agentError } from "../../domain/errors.ts";
import type { AgentAdapterConfig } from "../types.ts";
import { type AgentEnvParts, composeAgentEnv } from "./env.ts";
import { resolveLaunchTarget, verifyWorkspace } from "./launch.ts";

export interface SessionLaunch {
  /** Absolute workspace path: the agent's cwd. */
  workspace: string;
  env: Record<string, string>;
  /** Absolute path of the executable. */
  executable: string;
  /** Extra tokens of the configured command, placed before the adapter's own arguments. */
  leadingArgs: string[];
  turnTimeoutMs: number;
  readTimeoutMs: number;
}

export type SessionEnvParts = Required<Omit<AgentEnvParts, "overrides">>;

export interface SessionLaunchInput {
  params: StartSessionParams;
  /** The adapter's own `agent:` settings, used where the session's are unset. */
  config: AgentAdapterConfig;
  /** Run when neither the session nor the adapter names a command. */
  defaultCommand: string;
  /** Sortie's own environment snapshot. */
  baseEnv: Readonly<Record<string, string>>;
  /** The adapter block's `env_passthrough`. */
  passthrough: readonly string[];
  /** Adapters that manage variables of their own compose the environment themselves. */
  composeEnv?: (parts: SessionEnvParts) => Record<string, string>;
}

/**
 * Throws `invalid_workspace_cwd` for a missing workspace, then `agent_not_found` for an ssh host
 * (not supported) or a command that does not resolve on the agent's PATH.
 */
export function prepareSessionLaunch(input: SessionLaunchInput): SessionLaunch {
  const { params, config } = input;
  const workspace = verifyWorkspace(params.workspacePath);
  if (params.sshHost.trim() !== "") {
    throw agentError("agent_not_found", "remote execution over ssh is not supported by this build");
  }
  const compose = input.composeEnv ?? composeAgentEnv;
  const env = compose({ baseEnv: input.baseEnv, passthrough: input.passthrough, sessionEnv: params.env });
  // The session's own `agent:` settings win: the workflow may have been reloaded since the
  // adapter was built.
  const session = params.agentConfig;
  const command = session.command !== "" ? session.command : config.command;
  const target = resolveLaunchTarget(command, input.defaultCommand, env.PATH);
  return {
    workspace,
    env,
    executable: target.executable,
    leadingArgs: target.leadingArgs,
    turnTimeoutMs: session.turnTimeoutMs > 0 ? session.turnTimeoutMs : config.turnTimeoutMs,
    readTimeoutMs: session.readTimeoutMs > 0 ? session.readTimeoutMs : config.readTimeoutMs,
  };
}
