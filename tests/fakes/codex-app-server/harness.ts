// Test harness for the codex adapter against the scripted fake app-server: a temp workspace, a
// scenario, an adapter with a recording logger, and helpers to run turns and read the client log.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CodexAdapter, type CodexDeps } from "../../../src/agents/codex/index.ts";
import type { AgentEvent, Session, StartSessionParams } from "../../../src/domain/agent.ts";
import {
  adapterConfig,
  runAgentTurn,
  sessionParams,
  type TurnRun,
  testIssue,
} from "../agent-cli/adapter-session.ts";
import { type RecordingLogger, recordingLogger } from "../agent-cli/recording-logger.ts";
import {
  fakeAppServerCommand,
  type LoggedMessage,
  readClientLog,
  type Scenario,
  writeScenario,
} from "./scenario.ts";

export interface Harness {
  dir: string;
  workspace: string;
  logPath: string;
  adapters: CodexAdapter[];
  cleanup(): Promise<void>;
}

export function createHarness(): Harness {
  const dir = mkdtempSync(join(tmpdir(), "sortie-codex-"));
  const workspace = join(dir, "ws");
  mkdirSync(workspace);
  const adapters: CodexAdapter[] = [];
  return {
    dir,
    workspace,
    logPath: join(dir, "client.jsonl"),
    adapters,
    async cleanup() {
      for (const a of adapters) await a.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface AdapterSetup {
  adapter: CodexAdapter;
  log: RecordingLogger;
  command: string;
}

export function makeAdapter(
  h: Harness,
  scenario: Scenario,
  options: {
    codexOptions?: Record<string, unknown>;
    env?: Record<string, string>;
    deps?: Partial<CodexDeps>;
    readTimeoutMs?: number;
    scenarioName?: string;
  } = {},
): AdapterSetup {
  const scenarioPath = writeScenario(h.dir, scenario, options.scenarioName);
  const log = recordingLogger();
  const command = fakeAppServerCommand();
  const config = adapterConfig("codex", command, options.codexOptions ?? {}, {
    readTimeoutMs: options.readTimeoutMs ?? 5000,
  });
  const adapter = new CodexAdapter(config, {
    logger: log.logger,
    baseEnv: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      FAKE_CODEX_SCENARIO: scenarioPath,
      FAKE_CODEX_LOG: h.logPath,
      ...options.env,
    },
    ...options.deps,
  });
  h.adapters.push(adapter);
  return { adapter, log, command };
}

export function startParams(h: Harness, overrides: Partial<StartSessionParams> = {}): StartSessionParams {
  return sessionParams({ kind: "codex", workspace: h.workspace }, overrides);
}

export const issue = testIssue;

export type { TurnRun } from "../agent-cli/adapter-session.ts";

export function runTurn(
  adapter: CodexAdapter,
  session: Session,
  options: { prompt?: string; signal?: AbortSignal; turnNumber?: number } = {},
): Promise<TurnRun> {
  return runAgentTurn(adapter, session, options);
}

/** What the client sent, requests only (in order). */
export function clientRequests(h: Harness): LoggedMessage[] {
  return readClientLog(h.logPath).filter((m) => m.method !== undefined);
}

/** The client's answer to the server request with this id. */
export function clientReply(h: Harness, id: number | string): LoggedMessage | undefined {
  return readClientLog(h.logPath).find((m) => m.method === undefined && m.id === id);
}

/** Events without their timestamps and pids, for whole-list comparisons. */
export function eventShapes(events: readonly AgentEvent[]): Record<string, unknown>[] {
  return events.map(({ timestamp: _t, agentPid: _p, ...rest }) => rest);
}
