// Test harness for the codex adapter against the scripted fake app-server: a temp workspace per
// test, a scenario, an adapter with a recording logger, and helpers to run turns and read the
// client log.
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
import { useScratch } from "../agent-cli/scratch.ts";
import {
  fakeAppServerCommand,
  handshakeReplies,
  type LoggedMessage,
  readClientLog,
  type Scenario,
  writeScenario,
} from "./scenario.ts";

export interface Harness {
  readonly dir: string;
  readonly workspace: string;
  readonly logPath: string;
  /** Closes the adapter after the test. */
  closeAfter(adapter: CodexAdapter): CodexAdapter;
}

/** Call at the top of a test file: each test gets a fresh temp dir, cleaned up after it. */
export function useHarness(): Harness {
  const scratch = useScratch("sortie-codex-");
  return {
    get dir() {
      return scratch.root;
    },
    get workspace() {
      return scratch.workspace;
    },
    get logPath() {
      return scratch.path("client.jsonl");
    },
    closeAfter: (adapter) => scratch.closeAfter(adapter),
  };
}

export interface AdapterSetup {
  adapter: CodexAdapter;
  log: RecordingLogger;
  command: string;
}

export interface AdapterOptions {
  codexOptions?: Record<string, unknown>;
  env?: Record<string, string>;
  deps?: Partial<CodexDeps>;
  readTimeoutMs?: number;
  scenarioName?: string;
}

export function makeAdapter(h: Harness, scenario: Scenario, options: AdapterOptions = {}): AdapterSetup {
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
  return { adapter: h.closeAfter(adapter), log, command };
}

export function startParams(h: Harness, overrides: Partial<StartSessionParams> = {}): StartSessionParams {
  return sessionParams({ kind: "codex", workspace: h.workspace }, overrides);
}

/** An adapter whose server answers the handshake and then `replies`, with a session started on it. */
export async function startedSession(
  h: Harness,
  replies: Scenario["replies"],
  options: AdapterOptions = {},
): Promise<AdapterSetup & { session: Session }> {
  const setup = makeAdapter(h, { replies: { ...handshakeReplies(), ...replies } }, options);
  const session = await setup.adapter.startSession(startParams(h), new AbortController().signal);
  return { ...setup, session };
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
