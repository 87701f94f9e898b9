// The `opencode:` block of WORKFLOW.md, read leniently into typed settings.
import { SortieError } from "../../domain/errors.ts";
import { type AdapterOptions, optBool, optString, optStringList } from "../options.ts";

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
