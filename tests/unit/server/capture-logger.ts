// A LogTape-shaped logger that records calls, so tests can assert messages and attributes
// without configuring the global LogTape sinks.
import type { Logger } from "@logtape/logtape";

export interface LogRecordCapture {
  level: string;
  message: string;
  properties: Record<string, unknown>;
}

export function captureLogger(): { logger: Logger; records: LogRecordCapture[] } {
  const records: LogRecordCapture[] = [];
  const levels = ["trace", "debug", "info", "warn", "warning", "error", "fatal"];
  const logger: Logger = new Proxy({} as Logger, {
    get(_target, prop) {
      if (typeof prop === "string" && levels.includes(prop)) {
        return (message: string, properties?: Record<string, unknown>) => {
          records.push({ level: prop === "warning" ? "warn" : prop, message, properties: properties ?? {} });
        };
      }
      if (prop === "with" || prop === "getChild") return () => logger;
      if (prop === "isEnabledFor") return () => true;
      return undefined;
    },
  });
  return { logger, records };
}
