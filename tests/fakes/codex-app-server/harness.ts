// Test harness for the codex adapter against the scripted fake app-server: a temp workspace, a
// scenario, an adapter with a recording logger, and helpers to run turns and read the client log.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CodexAdapter, type CodexDeps } from "../../../src/agents/codex/index.ts";
import type { AgentAdapterConfig } from "../../../src/agents/types.ts";
import type { AgentEvent, Session, StartSessionParams, TurnOutcome } from "../../../src/domain/agent.ts";
import { emptyIssue } from "../../../src/domain/issue.ts";
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
  const config: AgentAdapterConfig = {
    kind: "codex",
    command,
    turnTimeoutMs: 60_000,
    readTimeoutMs: options.readTimeoutMs ?? 5000,
    stallTimeoutMs: 0,
    options: options.codexOptions ?? {},
  };
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
  return {
    workspacePath: h.workspace,
    agentConfig: {
      kind: "codex",
      command: "",
      turnTimeoutMs: 60_000,
      readTimeoutMs: 5000,
      stallTimeoutMs: 0,
    },
    resumeSessionId: "",
    sshHost: "",
    sshStrictHostKeyChecking: "",
    mcpConfigPath: "",
    env: {},
    ...overrides,
  };
}

export const issue = emptyIssue({ id: "1", identifier: "PROJ-1" });

export interface TurnRun {
  outcome: TurnOutcome;
  events: AgentEvent[];
  pgids: number[];
}

export async function runTurn(
  adapter: CodexAdapter,
  session: Session,
  options: { prompt?: string; signal?: AbortSignal; turnNumber?: number } = {},
): Promise<TurnRun> {
  const events: AgentEvent[] = [];
  const pgids: number[] = [];
  const outcome = await adapter.runTurn(
    session,
    {
      prompt: options.prompt ?? "do the work",
      issue,
      turnNumber: options.turnNumber ?? 1,
      onEvent: (e) => events.push(e),
      onProcessGroup: (g) => pgids.push(g),
    },
    options.signal ?? new AbortController().signal,
  );
  return { outcome, events, pgids };
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
