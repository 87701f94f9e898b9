// Finds a writable HOME for agent CLIs. They keep their session files (needed to resume a
// conversation) and config under HOME; in a pod with a read-only root filesystem sortie's own
// HOME is not writable, so agents get a directory on the data volume instead.
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { SortieError } from "../domain/errors.ts";

export interface AgentHomeInput {
  /** Sortie's own HOME; undefined or "" when unset. */
  home: string | undefined;
  /** `agent.home_dir`; "" = automatic. */
  configuredHomeDir: string;
  /** Resolved database path; the automatic home sits next to it. */
  dbPath: string;
}

export interface AgentHome {
  home: string;
  /** True when agents get a different HOME than sortie's own. */
  redirected: boolean;
  /** Why sortie's HOME could not be used (only when redirected). */
  reason?: string;
}

/** Start-up failure: neither sortie's HOME nor the agent home directory is writable. */
export class AgentHomeError extends SortieError {
  readonly home: string;
  readonly hint: string;

  constructor(home: string, cause: unknown) {
    super("config", "config_error", `agent home ${home} is not writable`, { cause });
    this.name = "AgentHomeError";
    this.home = home;
    this.hint =
      "set agent.home_dir to a writable directory (for example on the data volume), or make HOME writable";
  }
}

/** Default agent home: `<directory of the database>/agent-home`. */
export function defaultAgentHomeDir(dbPath: string): string {
  return join(dirname(resolve(dbPath)), "agent-home");
}

export function resolveAgentHome(input: AgentHomeInput): AgentHome {
  let reason: string;
  if (input.home === undefined || input.home === "") {
    reason = "HOME is not set";
  } else {
    const problem = writeProblem(input.home);
    if (problem === undefined) return { home: input.home, redirected: false };
    reason = `HOME ${input.home} is not writable: ${problem}`;
  }

  const dir = resolve(
    input.configuredHomeDir !== "" ? input.configuredHomeDir : defaultAgentHomeDir(input.dbPath),
  );
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new AgentHomeError(dir, err);
  }
  const problem = writeProblem(dir);
  if (problem !== undefined) throw new AgentHomeError(dir, new Error(problem));
  return { home: dir, redirected: true, reason };
}

/** Creates and removes a probe file; returns why that failed, or undefined when it worked. */
function writeProblem(dir: string): string | undefined {
  try {
    if (!statSync(dir).isDirectory()) return "not a directory";
  } catch (err) {
    return describe(err);
  }
  const probe = join(dir, `.sortie-write-probe-${process.pid}-${crypto.randomUUID()}`);
  try {
    writeFileSync(probe, "");
  } catch (err) {
    return describe(err);
  }
  try {
    rmSync(probe, { force: true });
  } catch (err) {
    return describe(err);
  }
  return undefined;
}

function describe(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const message = err instanceof Error ? err.message : String(err);
  return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
}
