// Process-wide logging: LogTape with one synchronous stderr sink, so the last lines before
// process.exit (fatal start-up errors, "shutting down") are never lost.
import { writeSync } from "node:fs";
import { configureSync, type LogLevel, type LogRecord, resetSync } from "@logtape/logtape";
import type { LogFormatName, LogLevelName } from "../config/extensions.ts";
import { formatJsonRecord, formatTextRecord } from "./format.ts";

const LOGTAPE_LEVELS: Record<LogLevelName, LogLevel> = {
  debug: "debug",
  info: "info",
  warn: "warning",
  error: "error",
};

export interface LoggingOptions {
  level: LogLevelName;
  format: LogFormatName;
  /** Where formatted lines go; stderr by default. Tests pass a collector. */
  write?: (line: string) => void;
}

const writeStderr = (line: string): void => {
  writeSync(2, line);
};

/** (Re)configures LogTape; safe to call again when the workflow's `logging` block is applied. */
export function configureLogging(options: LoggingOptions): void {
  const format = options.format === "json" ? formatJsonRecord : formatTextRecord;
  const write = options.write ?? writeStderr;
  const sink = (record: LogRecord): void => write(format(record));
  resetSync();
  configureSync({
    reset: true,
    sinks: { stderr: sink },
    loggers: [
      { category: ["sortie"], lowestLevel: LOGTAPE_LEVELS[options.level], sinks: ["stderr"] },
      { category: ["logtape", "meta"], lowestLevel: "error", sinks: ["stderr"] },
    ],
  });
}
