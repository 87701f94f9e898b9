// Variables the adapter manages for every OpenCode process: no sharing, no self-update, no LSP
// downloads, auto-compaction as configured, and the permission policy. Values inherited for these
// names are replaced, and an inherited policy is dropped when sortie sets none.
import { composeAgentEnv } from "../process/env.ts";

export interface OpenCodeEnvParts {
  baseEnv: Readonly<Record<string, string | undefined>>;
  passthrough: readonly string[];
  sessionEnv: Readonly<Record<string, string>>;
  disableAutocompact: boolean;
  /** JSON policy; undefined = no `OPENCODE_PERMISSION` at all. */
  permission: string | undefined;
}

export function openCodeEnv(parts: OpenCodeEnvParts): Record<string, string> {
  const overrides: Record<string, string> = {
    OPENCODE_AUTO_SHARE: "false",
    OPENCODE_DISABLE_AUTOCOMPACT: parts.disableAutocompact ? "true" : "false",
    OPENCODE_DISABLE_AUTOUPDATE: "true",
    OPENCODE_DISABLE_LSP_DOWNLOAD: "true",
  };
  if (parts.permission !== undefined) overrides.OPENCODE_PERMISSION = parts.permission;
  const env = composeAgentEnv({
    baseEnv: parts.baseEnv,
    passthrough: parts.passthrough,
    sessionEnv: parts.sessionEnv,
    overrides,
  });
  if (parts.permission === undefined) delete env.OPENCODE_PERMISSION;
  return env;
}
