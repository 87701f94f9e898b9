// Start-up checks for the Copilot CLI (local mode): the binary must really start (the npm loader
// needs a working Node.js), and some source of authentication must exist, because without one
// the CLI fails every turn with a login prompt.
import type { Logger } from "@logtape/logtape";
import { agentError } from "../../domain/errors.ts";
import { signalGroup } from "../../platform/process-group.ts";

export const CANARY_TIMEOUT_MS = 5000;
export const GH_AUTH_TIMEOUT_MS = 2000;

const TOKEN_VARIABLES = ["COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN"] as const;

export interface ProbeOptions {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
}

/** Exit code of a short-lived command, or undefined when it could not start or ran too long. */
export async function probe(options: ProbeOptions): Promise<number | undefined> {
  let proc: ReturnType<typeof Bun.spawn>;
  try {
    proc = Bun.spawn({
      cmd: options.argv,
      cwd: options.cwd,
      env: options.env,
      stdin: "ignore",
      stdout: "ignore",
      stderr: "ignore",
      detached: true,
    });
  } catch {
    return undefined;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const kill = (): void => {
    signalGroup(proc.pid, "SIGKILL");
  };
  options.signal.addEventListener("abort", kill, { once: true });
  try {
    const timedOut = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        kill();
        resolve(undefined);
      }, options.timeoutMs);
    });
    const code = await Promise.race([proc.exited, timedOut]);
    if (code === undefined || options.signal.aborted || proc.signalCode !== null) return undefined;
    return code;
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener("abort", kill);
    signalGroup(proc.pid, "SIGKILL");
  }
}

/** `copilot --version` must succeed within 5 s. */
export async function checkCopilotRuns(
  launch: { executable: string; leadingArgs: string[] },
  cwd: string,
  env: Record<string, string>,
  signal: AbortSignal,
): Promise<void> {
  const code = await probe({
    argv: [launch.executable, ...launch.leadingArgs, "--version"],
    cwd,
    env,
    timeoutMs: CANARY_TIMEOUT_MS,
    signal,
  });
  if (signal.aborted) throw agentError("turn_cancelled", "session start cancelled", signal.reason);
  if (code !== 0) {
    throw agentError(
      "agent_not_found",
      "copilot binary found but not functional; ensure Node.js 22+ is available",
    );
  }
}

/**
 * A GitHub token in the agent's environment, or a bring-your-own-key provider (which needs no
 * GitHub login), is enough; otherwise `gh auth status` must succeed within 2 s.
 */
export async function checkCopilotAuth(
  env: Record<string, string>,
  cwd: string,
  signal: AbortSignal,
  logger: Logger,
): Promise<void> {
  if (TOKEN_VARIABLES.some((name) => (env[name] ?? "").trim() !== "")) return;
  if ((env.COPILOT_PROVIDER_BASE_URL ?? "").trim() !== "") return;
  const gh = Bun.which("gh", env.PATH === undefined ? {} : { PATH: env.PATH });
  if (gh !== null) {
    const code = await probe({
      argv: [gh, "auth", "status"],
      cwd,
      env,
      timeoutMs: GH_AUTH_TIMEOUT_MS,
      signal,
    });
    if (code === 0) {
      logger.warn("copilot authentication comes from gh auth, not from a token variable", {});
      return;
    }
  }
  if (signal.aborted) throw agentError("turn_cancelled", "session start cancelled", signal.reason);
  throw agentError(
    "agent_not_found",
    "no GitHub authentication source found; set COPILOT_GITHUB_TOKEN, GH_TOKEN, or GITHUB_TOKEN, or run 'gh auth login' to authenticate",
  );
}
