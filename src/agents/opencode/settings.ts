// The `opencode:` block of WORKFLOW.md, read leniently into typed settings.
import { SortieError } from "../../domain/errors.ts";
import { type AdapterOptions, optBool, optInt, optString, optStringList } from "../options.ts";

export interface OpenCodeSettings {
  /** `provider/model`. */
  model: string;
  agent: string;
  variant: string;
  thinking: boolean;
  pure: boolean;
  dangerouslySkipPermissions: boolean;
  disableAutocompact: boolean;
  allowedTools: string[];
  deniedTools: string[];
  /** Wait for the first JSON line; 0 = the adapter's default. */
  startupTimeoutMs: number;
  /** SORTIE_* variables the operator lets through to the agent. */
  envPassthrough: string[];
}

/** Throws a config error when a tool is both allowed and denied. */
export function openCodeSettings(options: AdapterOptions): OpenCodeSettings {
  const settings: OpenCodeSettings = {
    model: optString(options, "model"),
    agent: optString(options, "agent"),
    variant: optString(options, "variant"),
    thinking: optBool(options, "thinking", false),
    pure: optBool(options, "pure", false),
    dangerouslySkipPermissions: optBool(options, "dangerously_skip_permissions", true),
    disableAutocompact: optBool(options, "disable_autocompact", true),
    allowedTools: optStringList(options, "allowed_tools"),
    deniedTools: optStringList(options, "denied_tools"),
    startupTimeoutMs: Math.max(0, optInt(options, "startup_timeout_ms", 0)),
    envPassthrough: optStringList(options, "env_passthrough"),
  };
  const denied = new Set(settings.deniedTools);
  const overlap = [...new Set(settings.allowedTools.filter((t) => denied.has(t)))].sort();
  if (overlap.length > 0) {
    throw new SortieError(
      "config",
      "config_error",
      `allowed_tools and denied_tools overlap: ${overlap.join(", ")}`,
    );
  }
  return settings;
}

/**
 * Shortest default wait for the first JSON line. OpenCode prints it only once the model starts
 * answering, after its own start-up (measured 3–12 s against an instant fake model on a busy
 * machine), so the usual `read_timeout_ms` of 5 s alone would fail healthy turns.
 */
export const DEFAULT_STARTUP_TIMEOUT_MS = 30_000;

/** `startup_timeout_ms` when set, else `read_timeout_ms` but at least 30 s. */
export function startupTimeout(settings: OpenCodeSettings, readTimeoutMs: number): number {
  if (settings.startupTimeoutMs > 0) return settings.startupTimeoutMs;
  return Math.max(readTimeoutMs, DEFAULT_STARTUP_TIMEOUT_MS);
}
