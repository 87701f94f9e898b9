// Log record formatters compatible with the Go original's slog output, so grep/jq recipes written
// for it keep working: `time=… level=INFO msg=… k=v` (text) and one JSON object per line.
import type { LogLevel, LogRecord } from "@logtape/logtape";
import { goFloat, goQuote, isPrintable } from "../domain/go-format.ts";

const LEVEL_NAMES: Record<LogLevel, string> = {
  trace: "DEBUG",
  debug: "DEBUG",
  info: "INFO",
  warning: "WARN",
  error: "ERROR",
  fatal: "ERROR",
};

export function levelName(level: LogLevel): string {
  return LEVEL_NAMES[level];
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** Local time as `YYYY-MM-DDTHH:MM:SS.mmm` plus `Z` (UTC offset 0) or `±HH:MM`. */
export function formatLogTime(epochMs: number): string {
  const d = new Date(epochMs);
  const offsetMin = -d.getTimezoneOffset();
  const base =
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  if (offsetMin === 0) return `${base}Z`;
  const sign = offsetMin > 0 ? "+" : "-";
  const abs = Math.abs(offsetMin);
  return `${base}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function messageText(record: LogRecord): string {
  return record.message.map((part) => (typeof part === "string" ? part : String(part))).join("");
}

/** Normalises an attribute value for output: errors become their message, dates RFC 3339. */
function plainValue(value: unknown): unknown {
  if (value instanceof Error) return value.message;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "" : value.toISOString();
  if (typeof value === "bigint") return Number(value);
  if (value === undefined) return null;
  return value;
}

/** slog's rule: quote when empty or containing a space, `=`, `"`, a control or non-printable rune. */
function needsQuoting(s: string): boolean {
  if (s === "") return true;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === " " || ch === "=" || ch === '"' || ch === "\\") {
      if (ch !== "\\") return true;
      continue;
    }
    if (cp < 0x20 || cp === 0x7f) return true;
    if (cp >= 0x80 && (!isPrintable(cp) || /\s/u.test(ch))) return true;
  }
  return false;
}

function textValue(value: unknown): string {
  const v = plainValue(value);
  if (v === null) return "<nil>";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : goFloat(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return needsQuoting(s) ? goQuote(s) : s;
}

export function formatTextRecord(record: LogRecord): string {
  let line = `time=${formatLogTime(record.timestamp)} level=${levelName(record.level)} msg=${textValue(messageText(record))}`;
  for (const [key, value] of Object.entries(record.properties)) {
    line += ` ${key}=${textValue(value)}`;
  }
  return `${line}\n`;
}

export function formatJsonRecord(record: LogRecord): string {
  const out: Record<string, unknown> = {
    time: formatLogTime(record.timestamp),
    level: levelName(record.level),
    msg: messageText(record),
  };
  for (const [key, value] of Object.entries(record.properties)) {
    if (key === "time" || key === "level" || key === "msg") continue;
    const v = plainValue(value);
    out[key] = typeof v === "number" && !Number.isFinite(v) ? String(v) : v;
  }
  return `${JSON.stringify(out)}\n`;
}
