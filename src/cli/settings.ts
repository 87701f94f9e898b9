// Run settings that flags override: logging (flag > `logging` block > default) and the HTTP
// listener (flag > `server` block > default), with the Go original's error texts.
import {
  isIpLiteral,
  type LogFormatName,
  type LogLevelName,
  parseLogFormat,
  parseLoggingExtension,
  parseLogLevel,
  parseServerExtension,
  parseWorkerExtension,
  type ServiceConfig,
} from "../config/index.ts";
import type { RunOptions } from "./options.ts";

export function levelLabel(level: string): string {
  return level.toUpperCase();
}

/** Applies flags (which win) or the workflow's `logging` block; returns the error line on failure. */
export function resolveLogging(
  options: RunOptions,
  config: ServiceConfig | null,
): { level: LogLevelName; format: LogFormatName } | string {
  let level: LogLevelName = "info";
  let format: LogFormatName = "text";
  const ext = config ? parseLoggingExtension(config.extensions) : null;
  if (options.logLevel !== undefined) {
    const parsed = parseLogLevel(options.logLevel);
    if (!parsed.ok) return parsed.error;
    level = parsed.value;
  } else if (ext) {
    if (!ext.level.ok) return ext.level.error;
    level = ext.level.value ?? level;
  }
  if (options.logFormat !== undefined) {
    const parsed = parseLogFormat(options.logFormat);
    if (!parsed.ok) return parsed.error;
    format = parsed.value;
  } else if (ext) {
    if (!ext.format.ok) return ext.format.error;
    format = ext.format.value ?? format;
  }
  return { level, format };
}

export type Listen =
  | { host: string; port: number; explicitPort: boolean }
  | { message: "server port configuration error" | "server host configuration error"; error: string };

/** Host and port for the HTTP server; port 0 disables it. `explicitPort`: a flag or `server.port` named it. */
export function resolveListen(options: RunOptions, config: ServiceConfig): Listen {
  const server = parseServerExtension(config.extensions);
  let port: number;
  let explicitPort: boolean;
  if (options.port !== undefined) {
    if (options.port < 0 || options.port > 65535) {
      return {
        message: "server port configuration error",
        error: `invalid --port value ${options.port}: must be between 0 and 65535`,
      };
    }
    port = options.port;
    explicitPort = true;
  } else if (!server.port.ok) {
    return { message: "server port configuration error", error: server.port.error };
  } else {
    port = server.port.value.port;
    explicitPort = server.port.value.explicit;
  }
  let host: string;
  if (options.host !== undefined) {
    if (!isIpLiteral(options.host)) {
      return {
        message: "server host configuration error",
        error: `invalid --host value ${JSON.stringify(options.host)}: not a valid IP address`,
      };
    }
    host = options.host;
  } else if (!server.host.ok) {
    return { message: "server host configuration error", error: server.host.error };
  } else {
    host = server.host.value.host;
  }
  return { host, port, explicitPort };
}

/**
 * Workflow settings this build parses and validates but does not act on yet (CI and review
 * reactions, self-review, SSH worker hosts). Start-up warns about each one that is switched on,
 * rather than letting a user believe it works.
 */
export function unsupportedFeatures(config: ServiceConfig): string[] {
  const features: string[] = [];
  if (config.ciFeedback.kind !== "") features.push("reactions.ci_failure (ci_feedback)");
  if ((config.reactions.review_comments?.provider ?? "") !== "") features.push("reactions.review_comments");
  if (config.selfReview.enabled) features.push("self_review");
  if (parseWorkerExtension(config.extensions).value.sshHosts.length > 0) features.push("worker.ssh_hosts");
  return features;
}
