// The environment sortie runs in when a test drives a real agent CLI offline: the CLI's own
// settings, the fake model server as its HTTP(S) proxy (so that any other host shows up in the
// fake's log) and a sortie secret that must never reach the agent.
import { proxyThroughFake } from "../model-server/proxy-env.ts";

export interface OfflineEnv {
  /** Sortie's HOME, which the agent inherits unless the session gives it another. */
  home: string;
  /** The CLI's own settings: its provider, no updates, no telemetry. */
  settings: Record<string, string>;
  /** The fake model server's origin, which becomes the proxy. */
  proxy: string;
  /** Last, so a test can override any of the above. */
  extra?: Record<string, string>;
}

export function offlineSortieEnv(env: OfflineEnv): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: env.home,
    LANG: "C.UTF-8",
    ...env.settings,
    ...proxyThroughFake(env.proxy),
    SORTIE_TRACKER_API_KEY: "must-not-leak",
    ...env.extra,
  };
}

/** The claude CLI's settings against a fake Anthropic server at `url`. */
export function claudeOfflineSettings(url: string): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: url,
    ANTHROPIC_API_KEY: "sk-ant-fake-key",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
  };
}
