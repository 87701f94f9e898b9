// The small logging surface the config layer needs. A LogTape Logger satisfies it; `validate`
// passes silentLogger because its output is diagnostics, not log records.
import { getLogger } from "@logtape/logtape";

export interface ConfigLogger {
  debug(message: string, properties?: Record<string, unknown>): void;
  warn(message: string, properties?: Record<string, unknown>): void;
}

export function defaultConfigLogger(): ConfigLogger {
  return getLogger(["sortie", "config"]);
}

export const silentLogger: ConfigLogger = {
  debug() {},
  warn() {},
};

/** Records calls instead of logging them (tests, and callers that want to replay warnings). */
export interface RecordedLog {
  level: "debug" | "warn";
  message: string;
  properties: Record<string, unknown>;
}

export function recordingLogger(records: RecordedLog[]): ConfigLogger {
  return {
    debug(message, properties = {}) {
      records.push({ level: "debug", message, properties });
    },
    warn(message, properties = {}) {
      records.push({ level: "warn", message, properties });
    },
  };
}
