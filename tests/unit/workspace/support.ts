// Shared test support for the workspace layer: temp dirs, captured LogTape records, polling.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import type { HooksConfig } from "../../../src/config/types.ts";

const created: string[] = [];

export async function tempDir(prefix = "sortie-ws-test-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  for (const dir of created.splice(0)) await rm(dir, { recursive: true, force: true });
}

export interface CapturedLog {
  level: string;
  message: string;
  props: Record<string, unknown>;
}

/** Routes every `sortie.*` record into the returned array until resetLogs(). */
export async function captureLogs(): Promise<CapturedLog[]> {
  const records: CapturedLog[] = [];
  await configure({
    reset: true,
    sinks: {
      capture: (record: LogRecord) => {
        records.push({
          level: record.level,
          message: String(record.rawMessage),
          props: { ...record.properties },
        });
      },
    },
    loggers: [
      { category: ["sortie"], sinks: ["capture"], lowestLevel: "debug" },
      { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
    ],
  });
  return records;
}

export async function resetLogs(): Promise<void> {
  await reset();
}

export function findLog(records: CapturedLog[], message: string): CapturedLog | undefined {
  return records.find((r) => r.message === message);
}

/** Polls until `check` is true or the deadline passes (then throws with `what`). */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

export function hooksConfig(fields: Partial<HooksConfig> = {}): HooksConfig {
  return {
    afterCreate: null,
    beforeRun: null,
    afterRun: null,
    beforeRemove: null,
    timeoutMs: 10_000,
    ...fields,
  };
}

/** Rejects with the thrown value so tests can inspect error fields. */
export async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected the promise to reject");
}
