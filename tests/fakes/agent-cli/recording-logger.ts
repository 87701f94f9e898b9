// A LogTape-shaped logger that records every call, so tests can assert on log records without
// configuring the global LogTape sinks other test files may share.
import type { Logger } from "@logtape/logtape";

export interface LogEntry {
  level: string;
  message: string;
  properties: Record<string, unknown>;
}

export interface RecordingLogger {
  logger: Logger;
  entries: LogEntry[];
  find(level: string, message: string): LogEntry[];
}

const LEVELS = new Set(["trace", "debug", "info", "warn", "warning", "error", "fatal"]);

export function recordingLogger(): RecordingLogger {
  const entries: LogEntry[] = [];
  const logger: Logger = new Proxy({} as Logger, {
    get(_target, prop) {
      if (prop === "getChild" || prop === "with") return () => logger;
      if (prop === "category") return ["test"];
      if (prop === "parent") return null;
      if (prop === "isEnabledFor") return () => true;
      if (typeof prop === "string" && LEVELS.has(prop)) {
        return (message: unknown, properties?: unknown) => {
          entries.push({
            level: prop === "warning" ? "warn" : prop,
            message: typeof message === "string" ? message : String(message),
            properties:
              typeof properties === "object" && properties !== null
                ? (properties as Record<string, unknown>)
                : {},
          });
        };
      }
      return () => {};
    },
  });
  return {
    logger,
    entries,
    find: (level, message) => entries.filter((e) => e.level === level && e.message === message),
  };
}
