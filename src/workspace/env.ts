// Environments handed to hooks: a short allowlist of the parent's variables, every SORTIE_*
// variable (hooks are trusted config and may need tracker credentials), then the per-issue values.

/** The parent environment as a plain record (process.env fits); read only, never mutated. */
export type ParentEnv = Readonly<Record<string, string | undefined>>;

/** Parent variables a hook inherits besides SORTIE_*. */
export const HOOK_ENV_ALLOWLIST: readonly string[] = [
  "PATH",
  "HOME",
  "SHELL",
  "TMPDIR",
  "USER",
  "LOGNAME",
  "TERM",
  "LANG",
  "LC_ALL",
  "SSH_AUTH_SOCK",
];

export interface IssueEnvInput {
  issueId: string;
  issueIdentifier: string;
  /** Absolute workspace path. */
  workspace: string;
  /** null (first dispatch) and negatives become 0. */
  attempt: number | null;
}

/** `SORTIE_ATTEMPT` as a decimal: 0 on first dispatch, never negative. */
export function attemptValue(attempt: number | null): string {
  if (attempt === null || !Number.isFinite(attempt) || attempt < 0) return "0";
  return String(Math.trunc(attempt));
}

/** The per-session variables hooks and agents both receive. */
export function issueSessionEnv(input: IssueEnvInput): Record<string, string> {
  return {
    SORTIE_ISSUE_ID: input.issueId,
    SORTIE_ISSUE_IDENTIFIER: input.issueIdentifier,
    SORTIE_WORKSPACE: input.workspace,
    SORTIE_ATTEMPT: attemptValue(input.attempt),
  };
}

/** Every parent variable whose name starts with `SORTIE_`. */
export function sortieVariables(parentEnv: ParentEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(parentEnv)) {
    if (value !== undefined && name.startsWith("SORTIE_")) out[name] = value;
  }
  return out;
}

export interface HookEnvInput extends IssueEnvInput {
  parentEnv: ParentEnv;
  /** Only set as SORTIE_SSH_HOST when non-empty. */
  sshHost?: string;
  /** Replaces HOME when sortie's own HOME is not writable. */
  agentHome?: string;
  /** Hook-specific additions (after_run's self-review variables); they win over everything. */
  extra?: Record<string, string>;
}

export function buildHookEnv(input: HookEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of HOOK_ENV_ALLOWLIST) {
    const value = input.parentEnv[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, sortieVariables(input.parentEnv), issueSessionEnv(input));
  if (input.sshHost !== undefined && input.sshHost.trim() !== "") env.SORTIE_SSH_HOST = input.sshHost;
  if (input.agentHome !== undefined && input.agentHome !== "") env.HOME = input.agentHome;
  if (input.extra !== undefined) Object.assign(env, input.extra);
  return env;
}
