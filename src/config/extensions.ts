// Readers for the top-level extension blocks with a core meaning (server, logging, worker,
// token_rates) and for adapter pass-through blocks. They run at start-up (and, for worker, on
// every tick), not during the config build, so their errors keep the original's wording and timing.
import { isIP } from "node:net";
import { goFloat, goQuote } from "../domain/go-format.ts";
import { goType, isRawMap, type RawMap, setOwn } from "./coerce.ts";
import { goTrimSpace } from "./go-scalar.ts";
import type { TrackerConfig } from "./types.ts";

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export const DEFAULT_SERVER_PORT = 7678;
export const DEFAULT_SERVER_HOST = "127.0.0.1";

type Extensions = Readonly<Record<string, unknown>>;

function block(extensions: Extensions, key: string): RawMap | undefined {
  const value = extensions[key];
  return isRawMap(value) ? value : undefined;
}

/** Go net.ParseIP: an IPv4 or IPv6 literal, no brackets, no zone, no host names. */
export function isIpLiteral(s: string): boolean {
  return isIP(s) !== 0 && !s.includes("%");
}

export interface ServerExtension {
  /** `server.port` (default 7678; 0 disables the server). explicit: the key is present at all. */
  port: Parsed<{ port: number; explicit: boolean }>;
  /** `server.host` (default 127.0.0.1). */
  host: Parsed<{ host: string; explicit: boolean }>;
}

/** The `server` block; a non-mapping block is ignored. */
export function parseServerExtension(extensions: Extensions): ServerExtension {
  const server = block(extensions, "server");
  return { port: parseServerPort(server), host: parseServerHost(server) };
}

function parseServerPort(server: RawMap | undefined): ServerExtension["port"] {
  if (server === undefined || !Object.hasOwn(server, "port")) {
    return { ok: true, value: { port: DEFAULT_SERVER_PORT, explicit: false } };
  }
  const value = server.port;
  if (typeof value !== "number") {
    return {
      ok: false,
      error: `invalid server.port value: unsupported type ${goType(value)}, must be an integer`,
    };
  }
  if (!Number.isInteger(value)) {
    return { ok: false, error: `invalid server.port value ${goFloat(value)}: must be an integer` };
  }
  if (value < 0 || value > 65535) {
    return { ok: false, error: `invalid server.port value ${value}: must be between 0 and 65535` };
  }
  return { ok: true, value: { port: value, explicit: true } };
}

function parseServerHost(server: RawMap | undefined): ServerExtension["host"] {
  if (server === undefined || !Object.hasOwn(server, "host")) {
    return { ok: true, value: { host: DEFAULT_SERVER_HOST, explicit: false } };
  }
  const value = server.host;
  if (typeof value !== "string") {
    return {
      ok: false,
      error: `invalid server.host value: unsupported type ${goType(value)}, must be a string`,
    };
  }
  if (!isIpLiteral(value)) {
    return { ok: false, error: `invalid server.host value ${goQuote(value)}: not a valid IP address` };
  }
  return { ok: true, value: { host: value, explicit: true } };
}

export type LogLevelName = "debug" | "info" | "warn" | "error";
export type LogFormatName = "text" | "json";

/** `debug|info|warn|error`, case-insensitive, not trimmed. */
export function parseLogLevel(value: string): Parsed<LogLevelName> {
  const lower = value.toLowerCase();
  if (lower === "debug" || lower === "info" || lower === "warn" || lower === "error")
    return { ok: true, value: lower };
  return {
    ok: false,
    error: `unknown log level ${goQuote(value)}: accepted values are debug, info, warn, error`,
  };
}

/** `text|json`, case-insensitive, not trimmed. */
export function parseLogFormat(value: string): Parsed<LogFormatName> {
  const lower = value.toLowerCase();
  if (lower === "text" || lower === "json") return { ok: true, value: lower };
  return { ok: false, error: `unknown log format ${goQuote(value)}: accepted values are text, json` };
}

export interface LoggingExtension {
  /** null: not configured (use the flag or the default). */
  level: Parsed<LogLevelName | null>;
  format: Parsed<LogFormatName | null>;
}

/** The `logging` block; a non-mapping block is ignored and null reads as absent. */
export function parseLoggingExtension(extensions: Extensions): LoggingExtension {
  const logging = block(extensions, "logging");
  const read = <T>(key: "level" | "format", parse: (s: string) => Parsed<T>): Parsed<T | null> => {
    const value = logging === undefined ? undefined : logging[key];
    if (value === undefined || value === null) return { ok: true, value: null };
    if (typeof value !== "string") {
      return { ok: false, error: `invalid logging.${key}: expected string, got ${goType(value)}` };
    }
    return parse(value);
  };
  return { level: read("level", parseLogLevel), format: read("format", parseLogFormat) };
}

export type StrictHostKeyChecking = "accept-new" | "yes" | "no";

export interface WorkerExtension {
  /** Non-empty, de-duplicated, in order; empty = run agents locally. */
  sshHosts: string[];
  /** 0 = no per-host cap. */
  maxConcurrentAgentsPerHost: number;
  sshStrictHostKeyChecking: StrictHostKeyChecking;
}

/** A warning to log at WARN: a constant message plus attributes. */
export interface ExtensionWarning {
  message: string;
  attributes: Record<string, unknown>;
}

/** The `worker` block (live: re-read every tick; log its warnings only when they change). */
export function parseWorkerExtension(extensions: Extensions): {
  value: WorkerExtension;
  warnings: ExtensionWarning[];
} {
  const worker = block(extensions, "worker");
  const value: WorkerExtension = {
    sshHosts: [],
    maxConcurrentAgentsPerHost: 0,
    sshStrictHostKeyChecking: "accept-new",
  };
  const warnings: ExtensionWarning[] = [];
  if (worker === undefined) return { value, warnings };
  if (Array.isArray(worker.ssh_hosts)) {
    for (const host of worker.ssh_hosts) {
      if (typeof host === "string" && host !== "" && !value.sshHosts.includes(host))
        value.sshHosts.push(host);
    }
  }
  const perHost = worker.max_concurrent_agents_per_host;
  if (typeof perHost === "number" && Number.isInteger(perHost) && perHost > 0) {
    value.maxConcurrentAgentsPerHost = perHost;
  }
  if (Object.hasOwn(worker, "ssh_strict_host_key_checking")) {
    const raw = worker.ssh_strict_host_key_checking;
    if (typeof raw !== "string") {
      warnings.push({
        message: "received non-string ssh_strict_host_key_checking, using default",
        attributes: { default: "accept-new" },
      });
    } else {
      const normalized = goTrimSpace(raw).toLowerCase();
      if (normalized === "accept-new" || normalized === "yes" || normalized === "no") {
        value.sshStrictHostKeyChecking = normalized;
      } else {
        warnings.push({
          message: "rejected unrecognized ssh_strict_host_key_checking value",
          attributes: { value: raw, default: "accept-new" },
        });
      }
    }
  }
  return { value, warnings };
}

export interface TokenRate {
  inputPerMtok?: number;
  outputPerMtok?: number;
  cacheReadPerMtok?: number;
}

const RATE_KEYS = [
  ["input_per_mtok", "inputPerMtok"],
  ["output_per_mtok", "outputPerMtok"],
  ["cache_read_per_mtok", "cacheReadPerMtok"],
] as const;

/**
 * The `token_rates` block: agent kind → USD per million tokens. A bad entry is skipped with a
 * warning string (logged as `skipped invalid token rate entry`, `detail=<warning>`); never fatal.
 */
export function parseTokenRates(extensions: Extensions): {
  rates: Record<string, TokenRate>;
  warnings: string[];
} {
  const rates: Record<string, TokenRate> = {};
  const warnings: string[] = [];
  const value = extensions.token_rates;
  if (value === undefined || value === null) return { rates, warnings };
  if (!isRawMap(value)) return { rates, warnings: [`token_rates: expected map, got ${goType(value)}`] };
  for (const kind of Object.keys(value).sort()) {
    const entry = value[kind];
    if (!isRawMap(entry)) {
      warnings.push(`token_rates.${kind}: expected map, got ${goType(entry)}`);
      continue;
    }
    const rate: TokenRate = {};
    let valid = true;
    for (const [key, prop] of RATE_KEYS) {
      if (!Object.hasOwn(entry, key) || entry[key] === null) continue;
      const number = entry[key];
      if (typeof number !== "number" || Number.isNaN(number)) {
        warnings.push(`token_rates.${kind}.${key}: expected number, got ${goType(number)}`);
        valid = false;
      } else if (number < 0) {
        warnings.push(`token_rates.${kind}.${key}: negative rate ${goFloat(number)}`);
        valid = false;
      } else {
        rate[prop] = number;
      }
    }
    if (valid) rates[kind] = rate;
  }
  return { rates, warnings };
}

/**
 * The keys of the top-level block named after an adapter kind, minus the typed keys (typed
 * fields always win, so a pass-through block cannot override `endpoint` even when it is empty).
 */
export function passThroughBlock(
  extensions: Extensions,
  kind: string,
  typedKeys: Iterable<string> = [],
): Record<string, unknown> {
  const source = kind === "" ? undefined : block(extensions, kind);
  const reserved = new Set(typedKeys);
  const options: Record<string, unknown> = {};
  if (source === undefined) return options;
  for (const [key, value] of Object.entries(source)) if (!reserved.has(key)) setOwn(options, key, value);
  return options;
}

/**
 * The config map of a CI or SCM provider: its top-level block, plus the tracker's api_key,
 * project and endpoint (when non-empty and not set in the block) if the provider kind is the
 * tracker kind, plus extra keys not already present.
 */
export function providerConfigMap(
  kind: string,
  extensions: Extensions,
  tracker: Pick<TrackerConfig, "kind" | "apiKey" | "project" | "endpoint">,
  extra: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  const config = passThroughBlock(extensions, kind);
  if (kind === tracker.kind) {
    const apiKey = tracker.apiKey.reveal();
    if (!Object.hasOwn(config, "api_key") && apiKey !== "") config.api_key = apiKey;
    if (!Object.hasOwn(config, "project") && tracker.project !== "") config.project = tracker.project;
    if (!Object.hasOwn(config, "endpoint") && tracker.endpoint !== "") config.endpoint = tracker.endpoint;
  }
  for (const [key, value] of Object.entries(extra))
    if (!Object.hasOwn(config, key)) setOwn(config, key, value);
  return config;
}

export interface ReviewCommentsSettings {
  pollIntervalMs: number;
  debounceMs: number;
  maxContinuationTurns: number;
}

/**
 * The extras of `reactions.review_comments` (read once at start-up when its provider is set).
 * Only YAML numbers are accepted; the error is logged as `invalid review reaction config`.
 */
export function parseReviewCommentsExtras(
  extra: Readonly<Record<string, unknown>>,
): Parsed<ReviewCommentsSettings> {
  const read = (key: string, fallback: number): Parsed<number> => {
    const value = extra[key];
    if (value === undefined || value === null) return { ok: true, value: fallback };
    if (typeof value !== "number") {
      return { ok: false, error: `invalid ${key}: expected numeric value, got ${goType(value)}` };
    }
    if (!Number.isInteger(value)) {
      return { ok: false, error: `invalid ${key}: expected integer value, got fractional ${goFloat(value)}` };
    }
    return { ok: true, value };
  };
  const poll = read("poll_interval_ms", 120_000);
  if (!poll.ok) return poll;
  if (poll.value < 30_000)
    return { ok: false, error: `poll_interval_ms must be >= 30000, got ${poll.value}` };
  const debounce = read("debounce_ms", 60_000);
  if (!debounce.ok) return debounce;
  if (debounce.value < 0)
    return { ok: false, error: `debounce_ms must be non-negative, got ${debounce.value}` };
  const turns = read("max_continuation_turns", 3);
  if (!turns.ok) return turns;
  if (turns.value <= 0)
    return { ok: false, error: `max_continuation_turns must be positive, got ${turns.value}` };
  return {
    ok: true,
    value: { pollIntervalMs: poll.value, debounceMs: debounce.value, maxContinuationTurns: turns.value },
  };
}
