// What adapter tests repeat around startSession and runTurn: the `agent:` config and the session
// parameters (with the values these tests use unless they say otherwise), one turn run with its
// events and process groups collected, and the SortieError a failed start rejects with.
import { expect } from "bun:test";
import type { AgentAdapterConfig } from "../../../src/agents/types.ts";
import type {
  AgentAdapter,
  AgentEvent,
  Session,
  StartSessionParams,
  TurnOutcome,
} from "../../../src/domain/agent.ts";
import { SortieError } from "../../../src/domain/errors.ts";
import { emptyIssue, type Issue } from "../../../src/domain/issue.ts";
import { waitFor } from "./wait.ts";

export interface AgentTimeouts {
  /** Default 60 s. */
  turnTimeoutMs?: number;
  /** Default 5 s. */
  readTimeoutMs?: number;
}

function runtime(kind: string, command: string, timeouts: AgentTimeouts) {
  return {
    kind,
    command,
    turnTimeoutMs: timeouts.turnTimeoutMs ?? 60_000,
    readTimeoutMs: timeouts.readTimeoutMs ?? 5000,
    stallTimeoutMs: 0,
  };
}

/** The adapter's own `agent:` settings plus its pass-through block. */
export function adapterConfig(
  kind: string,
  command: string,
  options: Record<string, unknown> = {},
  timeouts: AgentTimeouts = {},
): AgentAdapterConfig {
  return { ...runtime(kind, command, timeouts), options };
}

export interface SessionSetup extends AgentTimeouts {
  kind: string;
  workspace: string;
  /** The session's `agent.command`; "" (default) leaves the adapter's. */
  command?: string;
  env?: Record<string, string>;
}

export function sessionParams(
  setup: SessionSetup,
  overrides: Partial<StartSessionParams> = {},
): StartSessionParams {
  return {
    workspacePath: setup.workspace,
    agentConfig: runtime(setup.kind, setup.command ?? "", setup),
    resumeSessionId: "",
    sshHost: "",
    sshStrictHostKeyChecking: "",
    mcpConfigPath: "",
    env: setup.env ?? {},
    ...overrides,
  };
}

/** The issue unit tests run turns for. */
export const testIssue = emptyIssue({ id: "1", identifier: "PROJ-1" });

/** The issue the real-CLI tests run turns for, and the variables a worker gives its session. */
export const demoIssue = emptyIssue({ id: "10001", identifier: "DEMO-1" });

export function demoSessionEnv(workspace: string): Record<string, string> {
  return {
    SORTIE_ISSUE_ID: "10001",
    SORTIE_ISSUE_IDENTIFIER: "DEMO-1",
    SORTIE_WORKSPACE: workspace,
    SORTIE_ATTEMPT: "1",
  };
}

export interface TurnRun {
  outcome: TurnOutcome;
  events: AgentEvent[];
  pgids: number[];
}

export interface TurnInput {
  /** Default "do the work". */
  prompt?: string;
  /** Default testIssue. */
  issue?: Issue;
  turnNumber?: number;
  signal?: AbortSignal;
  /** Collects the process groups here, for a test that looks at them while the turn runs. */
  pgids?: number[];
}

export async function runAgentTurn(
  adapter: AgentAdapter,
  session: Session,
  input: TurnInput = {},
): Promise<TurnRun> {
  const events: AgentEvent[] = [];
  const pgids = input.pgids ?? [];
  const outcome = await adapter.runTurn(
    session,
    {
      prompt: input.prompt ?? "do the work",
      issue: input.issue ?? testIssue,
      turnNumber: input.turnNumber ?? 1,
      onEvent: (e) => events.push(e),
      onProcessGroup: (g) => pgids.push(g),
    },
    input.signal ?? new AbortController().signal,
  );
  return { outcome, events, pgids };
}

/** One turn on the demo issue, as the real-CLI tests run it. */
export function runDemoTurn(
  adapter: AgentAdapter,
  session: Session,
  prompt: string,
  input: Omit<TurnInput, "prompt" | "issue"> = {},
): Promise<TurnRun> {
  return runAgentTurn(adapter, session, { ...input, prompt, issue: demoIssue });
}

/** What `AbortSignal.timeout(turn_timeout_ms)` aborts with when it fires. */
export function turnTimeoutReason(): DOMException {
  return new DOMException("The operation timed out.", "TimeoutError");
}

export interface AbortedTurn {
  /** When the fake model has the turn's request: then the turn is aborted. */
  asked: () => boolean;
  /** "timeout": as a turn_timeout_ms that ran out aborts; default a plain abort (a stall, shutdown). */
  by?: "timeout" | "cancel";
  /** How long the model may take to be asked; default 30 s. */
  timeoutMs?: number;
}

/** A demo-issue turn aborted while the model answers (the prompt makes the fake model slow). */
export async function abortedDemoTurn(
  adapter: AgentAdapter,
  session: Session,
  prompt: string,
  abort: AbortedTurn,
): Promise<TurnRun> {
  const ctl = new AbortController();
  const running = runDemoTurn(adapter, session, prompt, { signal: ctl.signal });
  await waitFor(abort.asked, { timeoutMs: abort.timeoutMs ?? 30_000, what: "the model request" });
  ctl.abort(abort.by === "timeout" ? turnTimeoutReason() : undefined);
  return running;
}

/** The turn ended the way every adapter ends a turn whose turn_timeout_ms ran out. */
export function expectTurnTimedOut({ outcome, events }: Pick<TurnRun, "outcome" | "events">): void {
  expect(outcome.result.exitReason).toBe("turn_cancelled");
  expect(outcome.error?.kind).toBe("turn_timeout");
  expect(events.at(-1)).toMatchObject({ type: "turn_cancelled", message: "turn timed out" });
}

/** The SortieError `promise` rejects with; anything else fails the test. */
export async function startFailure(promise: Promise<unknown>): Promise<SortieError> {
  const err = await promise.then(
    () => undefined,
    (e) => e,
  );
  if (!(err instanceof SortieError)) throw new Error(`expected a SortieError, got ${err}`);
  return err;
}
