// Start-up checks shared by the CLI adapters: the workspace must be a real directory, and the
// configured command must resolve to an executable before any turn is attempted.
import { accessSync, constants, statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { agentError } from "../../domain/errors.ts";

/** Returns the absolute workspace path or throws `invalid_workspace_cwd`. */
export function verifyWorkspace(workspacePath: string): string {
  if (workspacePath.trim() === "") throw agentError("invalid_workspace_cwd", "empty workspace path");
  let abs: string;
  try {
    abs = resolve(workspacePath);
  } catch (err) {
    throw agentError("invalid_workspace_cwd", "cannot resolve workspace path", err);
  }
  let isDir: boolean;
  try {
    isDir = statSync(abs).isDirectory();
  } catch (err) {
    throw agentError("invalid_workspace_cwd", "workspace path does not exist", err);
  }
  if (!isDir) throw agentError("invalid_workspace_cwd", "workspace path is not a directory");
  return abs;
}

export interface LaunchTarget {
  /** Absolute path of the executable. */
  executable: string;
  /** Extra tokens of the configured command, placed before the adapter's own arguments. */
  leadingArgs: string[];
}

/**
 * Splits the command on whitespace and resolves its first token on the agent's PATH (or as a
 * path when it contains a slash). Throws `agent_not_found` with a message naming the problem.
 */
export function resolveLaunchTarget(
  command: string,
  defaultCommand: string,
  pathEnv: string | undefined,
): LaunchTarget {
  const effective = command === "" ? defaultCommand : command;
  const tokens = effective.split(/\s+/).filter((t) => t !== "");
  const [name, ...leadingArgs] = tokens;
  if (name === undefined) throw agentError("agent_not_found", "agent command is empty or whitespace-only");

  if (name.includes("/")) {
    const candidate = isAbsolute(name) ? name : resolve(name);
    let isFile = false;
    try {
      isFile = statSync(candidate).isFile();
    } catch {
      throw agentError("agent_not_found", `agent command "${name}" not found`);
    }
    if (!isFile) throw agentError("agent_not_found", `agent command "${name}" is not a file`);
    try {
      accessSync(candidate, constants.X_OK);
    } catch {
      throw agentError("agent_not_found", `agent command "${name}" is not executable`);
    }
    return { executable: candidate, leadingArgs };
  }

  const found = Bun.which(name, pathEnv === undefined ? {} : { PATH: pathEnv });
  if (found === null) throw agentError("agent_not_found", `agent command "${name}" not found`);
  return { executable: found, leadingArgs };
}
