// The runtime sections: polling, workspace, hooks, agent and db_path, with their defaults,
// "zero means default" rules and path resolution.
import { isAbsolute, join, resolve } from "node:path";
import { type BuildContext, intOrDefault, readInt, report } from "./build-context.ts";
import { coerceInt, goType, hasKey, isRawMap, type RawMap, setOwn, stringField, subMap } from "./coerce.ts";
import { cleanPath, expandPath } from "./expand.ts";
import type { AgentConfig, HooksConfig } from "./types.ts";

export const DEFAULT_POLL_INTERVAL_MS = 30_000;
export const DEFAULT_HOOK_TIMEOUT_MS = 60_000;
export const AGENT_DEFAULTS = {
  kind: "claude-code",
  turnTimeoutMs: 3_600_000,
  readTimeoutMs: 5_000,
  stallTimeoutMs: 300_000,
  maxConcurrentAgents: 10,
  maxTurns: 20,
  maxRetryBackoffMs: 300_000,
} as const;

export function buildPolling(raw: RawMap, ctx: BuildContext): { intervalMs: number } {
  const interval = readInt(ctx, subMap(raw, "polling"), "interval_ms", "polling.interval_ms");
  if (interval.state === "ok" && interval.value < 0) report(ctx, "polling.interval_ms", "must be positive");
  return { intervalMs: intOrDefault(interval, DEFAULT_POLL_INTERVAL_MS) };
}

/** Go os.TempDir: $TMPDIR when non-empty, else /tmp. */
export function tempDir(env: BuildContext["env"]): string {
  const tmp = env.TMPDIR;
  return tmp === undefined || tmp === "" ? "/tmp" : tmp;
}

export function buildWorkspace(raw: RawMap, ctx: BuildContext): { root: string } {
  const rootRaw = stringField(subMap(raw, "workspace"), "root");
  const expanded = expandPath(rootRaw, ctx.env, ctx.homeDir, !ctx.overridden.has("workspace.root"));
  if (!expanded.ok) report(ctx, "workspace.root", expanded.error);
  const root =
    expanded.ok && expanded.value !== "" ? expanded.value : join(tempDir(ctx.env), "sortie_workspaces");
  return { root: resolve(ctx.cwd, root) };
}

export function buildHooks(raw: RawMap): HooksConfig {
  const section = subMap(raw, "hooks");
  const script = (key: string): string | null => {
    const value = stringField(section, key);
    return value === "" ? null : value;
  };
  const timeoutRaw = section === undefined || !hasKey(section, "timeout_ms") ? null : section.timeout_ms;
  const timeout = timeoutRaw === null || timeoutRaw === undefined ? undefined : coerceInt(timeoutRaw);
  // Invalid or non-positive timeouts fall back silently; `validate` warns about them.
  const timeoutMs = timeout?.ok && timeout.value > 0 ? timeout.value : DEFAULT_HOOK_TIMEOUT_MS;
  return {
    afterCreate: script("after_create"),
    beforeRun: script("before_run"),
    afterRun: script("after_run"),
    beforeRemove: script("before_remove"),
    timeoutMs,
  };
}

export function buildAgent(raw: RawMap, ctx: BuildContext): AgentConfig {
  const section = subMap(raw, "agent");
  const int = (key: string) => readInt(ctx, section, key, `agent.${key}`);
  const turnTimeout = int("turn_timeout_ms");
  const readTimeout = int("read_timeout_ms");
  // stall_timeout_ms: only absent/null means default; 0 or negative disables stall detection.
  const stallTimeout = int("stall_timeout_ms");
  const maxConcurrent = int("max_concurrent_agents");
  const maxTurns = int("max_turns");
  const maxBackoff = int("max_retry_backoff_ms");
  const maxSessions = int("max_sessions");
  if (maxSessions.state === "ok" && maxSessions.value < 0)
    report(ctx, "agent.max_sessions", "must be non-negative");
  const homeDir = buildHomeDir(section, ctx);
  return {
    kind: stringField(section, "kind") || AGENT_DEFAULTS.kind,
    command: stringField(section, "command"),
    turnTimeoutMs: intOrDefault(turnTimeout, AGENT_DEFAULTS.turnTimeoutMs),
    readTimeoutMs: intOrDefault(readTimeout, AGENT_DEFAULTS.readTimeoutMs),
    stallTimeoutMs: stallTimeout.state === "ok" ? stallTimeout.value : AGENT_DEFAULTS.stallTimeoutMs,
    maxConcurrentAgents: intOrDefault(maxConcurrent, AGENT_DEFAULTS.maxConcurrentAgents),
    maxTurns: intOrDefault(maxTurns, AGENT_DEFAULTS.maxTurns),
    maxRetryBackoffMs: intOrDefault(maxBackoff, AGENT_DEFAULTS.maxRetryBackoffMs),
    maxConcurrentAgentsByState: byStateLimits(section?.max_concurrent_agents_by_state),
    maxSessions: maxSessions.state === "ok" && maxSessions.value > 0 ? maxSessions.value : 0,
    homeDir,
  };
}

/** Keys lower-cased; entries that are not positive integers are dropped (validate warns). */
function byStateLimits(value: unknown): Record<string, number> {
  const limits: Record<string, number> = {};
  if (!isRawMap(value)) return limits;
  for (const key of Object.keys(value).sort()) {
    const limit = coerceInt(value[key]);
    if (limit.ok && limit.value > 0) setOwn(limits, key.toLowerCase(), limit.value);
  }
  return limits;
}

function buildHomeDir(section: RawMap | undefined, ctx: BuildContext): string {
  const value = section === undefined || !hasKey(section, "home_dir") ? null : section.home_dir;
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") {
    report(ctx, "agent.home_dir", `expected string, got ${goType(value)}`);
    return "";
  }
  const expanded = expandPath(value, ctx.env, ctx.homeDir, true);
  if (!expanded.ok) {
    report(ctx, "agent.home_dir", expanded.error);
    return "";
  }
  if (expanded.value === "") return "";
  return isAbsolute(expanded.value) ? cleanPath(expanded.value) : resolve(ctx.workflowDir, expanded.value);
}

/** db_path after overrides and expansion: "" means "use the default next to the workflow file". */
export function buildDbPathSetting(raw: RawMap, ctx: BuildContext): string {
  if (ctx.failed.has("db_path")) return "";
  const value = hasKey(raw, "db_path") ? raw.db_path : null;
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") {
    report(ctx, "db_path", `expected string, got ${goType(value)}`);
    return "";
  }
  if (value === "") return "";
  const expanded = expandPath(value, ctx.env, ctx.homeDir, !ctx.overridden.has("db_path"));
  if (!expanded.ok) {
    report(ctx, "db_path", expanded.error);
    return "";
  }
  if (expanded.value === "") {
    report(ctx, "db_path", "resolved to empty (check environment variable)");
    return "";
  }
  return expanded.value;
}
