// Test doubles shared by the tracker tests: a tracker config with nothing set, a logger that
// records, a clock the test moves, and a polling wait with a deadline.
import { Secret } from "../../../src/config/secret.ts";
import type { TrackerConfig } from "../../../src/config/types.ts";
import type { TrackerLogger } from "../../../src/trackers/registry.ts";

/** The `tracker:` block with nothing set (kind file), plus `overrides`. */
export function trackerConfig(overrides: Partial<TrackerConfig> = {}): TrackerConfig {
  return {
    kind: "file",
    endpoint: "",
    apiKey: new Secret(""),
    project: "",
    activeStates: [],
    terminalStates: [],
    queryFilter: "",
    handoffState: null,
    inProgressState: null,
    comments: { onDispatch: false, onCompletion: false, onFailure: false },
    ...overrides,
  };
}

export interface LogRecord {
  level: "debug" | "info" | "warn" | "error";
  message: string;
  properties: Record<string, unknown>;
}

export interface RecordingLogger extends TrackerLogger {
  records: LogRecord[];
  messages(level?: LogRecord["level"]): string[];
}

export function recordingLogger(): RecordingLogger {
  const records: LogRecord[] = [];
  const at =
    (level: LogRecord["level"]) =>
    (message: string, properties: Record<string, unknown> = {}): void => {
      records.push({ level, message, properties });
    };
  return {
    records,
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    messages: (level) =>
      records.filter((r) => level === undefined || r.level === level).map((r) => r.message),
  };
}

export interface FakeClock {
  now: () => Date;
  advance(ms: number): void;
}

export function fakeClock(start = "2026-03-01T10:00:00.000Z"): FakeClock {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advance: (ms) => {
      current += ms;
    },
  };
}

/** Polls `condition` until it holds or the deadline passes. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await Bun.sleep(5);
  }
}

/** The rejection of a promise that must reject. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected the promise to reject");
}
