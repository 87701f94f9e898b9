// Builds scenarios for the fake `codex app-server` from the recorded fixtures and reads back
// what the client sent it.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export type Step =
  | string
  | { $raw: string }
  | { $sleep: number }
  | { $stderr: string }
  | { $awaitRequest: string }
  | { $hang: true }
  | { $exit: number };

export interface Scenario {
  startup?: Step[];
  replies: Record<string, Step[][]>;
  ignoreSigterm?: boolean;
}

export const FAKE_APP_SERVER = resolve(import.meta.dir, "fake-app-server.ts");
const FIXTURES = resolve(import.meta.dir, "../../fixtures/agent-codex");

/** The non-empty lines of a recorded fixture (server → client). */
export function fixtureLines(name: string): string[] {
  return readFileSync(join(FIXTURES, name), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");
}

/** Handshake answers without login: initialize, a logged-in account, a started thread. */
export function handshakeReplies(threadFixture = "thread_start_response.jsonl"): Record<string, Step[][]> {
  return {
    initialize: [fixtureLines("initialize_response.jsonl")],
    "account/read": [fixtureLines("account_read_logged_in.jsonl")],
    "thread/start": [fixtureLines(threadFixture)],
  };
}

/** Writes the scenario and returns the agent command that runs the fake with it. */
export function writeScenario(dir: string, scenario: Scenario, name = "scenario.json"): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(scenario, null, 1));
  return path;
}

/** `agent.command` for the fake: the Bun binary running the script. */
export function fakeAppServerCommand(): string {
  return `${process.execPath} ${FAKE_APP_SERVER}`;
}

export interface LoggedMessage {
  method?: string;
  id?: number | string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

/** Every line the client wrote to the fake, parsed. */
export function readClientLog(path: string): LoggedMessage[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as LoggedMessage);
}
