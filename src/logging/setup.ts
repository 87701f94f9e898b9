// Process-wide logging: LogTape with one synchronous stderr sink, so the last lines before
// process.exit (fatal start-up errors, "shutting down") are never lost.
import { writeSync } from "node:fs";
import { configureSync, type LogLevel, type LogRecord, resetSync } from "@logtape/logtape";
import { formatJsonRecord, formatTextRecord } from "./format.ts";

export type LogLevelName = "debug" | "info" | "warn" | "error";
export type LogFormatName = "text" | "json";

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

/** Parses a `--log-level` / `logging.level` value (case-insensitive, not trimmed). */
export function parseLogLevel(value: string): LogLevelName {
  const v = value.toLowerCase();
  if (v === "debug" || v === "info" || v === "warn" || v === "error") return v;
  throw new Error(`unknown log level ${JSON.stringify(value)}: accepted values are debug, info, warn, error`);
}

/** Parses a `--log-format` / `logging.format` value (case-insensitive). */
export function parseLogFormat(value: string): LogFormatName {
  const v = value.toLowerCase();
  if (v === "text" || v === "json") return v;
  throw new Error(`unknown log format ${JSON.stringify(value)}: accepted values are text, json`);
}
