// The environment an agent process starts with: sortie's own environment without its SORTIE_*
// configuration and secrets, plus the per-session variables and the adapter's managed overrides.

export interface AgentEnvParts {
  /** Sortie's own environment snapshot. */
  baseEnv: Readonly<Record<string, string | undefined>>;
  /** SORTIE_* names the operator explicitly lets through (`env_passthrough`). */
  passthrough?: readonly string[];
  /** Per-session variables (SORTIE_ISSUE_ID, SORTIE_WORKSPACE, …, HOME when redirected). */
  sessionEnv?: Readonly<Record<string, string>>;
  /** Variables the adapter itself manages; applied last. */
  overrides?: Readonly<Record<string, string>>;
}

export function composeAgentEnv(parts: AgentEnvParts): Record<string, string> {
  const allowed = new Set(parts.passthrough ?? []);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parts.baseEnv)) {
    if (value === undefined) continue;
    if (name.startsWith("SORTIE_") && !allowed.has(name)) continue;
    env[name] = value;
  }
  Object.assign(env, parts.sessionEnv ?? {}, parts.overrides ?? {});
  return env;
}
