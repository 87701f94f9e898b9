import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MockAdapter } from "../../../../src/agents/mock/index.ts";
import type { AgentEvent, StartSessionParams } from "../../../../src/domain/agent.ts";
import { SortieError } from "../../../../src/domain/errors.ts";
import { emptyIssue } from "../../../../src/domain/issue.ts";
import { adapterConfig, sessionParams } from "../../../fakes/agent-cli/adapter-session.ts";
import { recordingLogger } from "../../../fakes/agent-cli/recording-logger.ts";

let dir: string;
let workspace: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sortie-mock-"));
  workspace = join(dir, "ws");
  mkdirSync(workspace);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const TIMEOUTS = { turnTimeoutMs: 1000, readTimeoutMs: 1000 };

function mock(options: Record<string, unknown> = {}) {
  return new MockAdapter(adapterConfig("mock", "", options, TIMEOUTS), {
    logger: recordingLogger().logger,
    baseEnv: {},
    now: () => new Date(0),
  });
}

function params(overrides: Partial<StartSessionParams> = {}): StartSessionParams {
  return sessionParams({ kind: "mock", workspace, ...TIMEOUTS }, overrides);
}

const issue = emptyIssue({ id: "1", identifier: "DEMO-7" });
const never = new AbortController().signal;

async function run(adapter: MockAdapter, turnNumber = 1, signal = never) {
  const session = await adapter.startSession(params(), never);
  const events: AgentEvent[] = [];
  const outcome = await adapter.runTurn(
    session,
    { prompt: "p", issue, turnNumber, onEvent: (e) => events.push(e) },
    signal,
  );
  return { outcome, events, session };
}

describe("mock adapter", () => {
  test("a default turn: session_started, three notifications, usage, completed", async () => {
    const { outcome, events, session } = await run(mock());
    expect(session).toEqual({ id: "mock-session-001", agentPid: "", internal: expect.anything() });
    expect(events.map((e) => [e.type, e.message])).toEqual([
      ["session_started", "mock session started"],
      ["notification", "mock notification 1"],
      ["notification", "mock notification 2"],
      ["notification", "mock notification 3"],
      ["token_usage", "mock token usage"],
      ["turn_completed", "mock turn completed"],
    ]);
    expect(events[0]?.sessionId).toBe("mock-session-001");
    expect(outcome).toEqual({
      result: {
        sessionId: "mock-session-001",
        exitReason: "turn_completed",
        usage: {
          inputTokens: 100,
          outputTokens: 50,
          totalTokens: 150,
          cacheReadTokens: 0,
          cacheWriteTokens: null,
          costUsd: null,
        },
      },
    });
  });

  test("usage grows with the adapter-wide turn counter, shared by all sessions", async () => {
    const adapter = mock({
      input_tokens_per_turn: 10,
      output_tokens_per_turn: 1,
      cache_read_tokens_per_turn: 2,
    });
    await run(adapter);
    const { events } = await run(adapter);
    expect(events.find((e) => e.type === "token_usage")?.usage).toMatchObject({
      inputTokens: 20,
      outputTokens: 2,
      totalTokens: 22,
      cacheReadTokens: 4,
    });
  });

  test("turn_outcomes map to their terminal events and error kinds; past the end is completed", async () => {
    const adapter = mock({
      turn_outcomes: ["failed", "cancelled", "error", "input_required", "other"],
      events_per_turn: 0,
    });
    const seen: [string, string | undefined, string][] = [];
    for (let i = 0; i < 6; i++) {
      const { outcome, events } = await run(adapter);
      seen.push([outcome.result.exitReason, outcome.error?.kind, events.at(-1)?.message ?? ""]);
    }
    expect(seen).toEqual([
      ["turn_failed", "turn_failed", "mock turn failed"],
      ["turn_cancelled", "turn_cancelled", "mock turn cancelled"],
      ["turn_ended_with_error", "port_exit", "mock turn error"],
      ["turn_input_required", "turn_input_required", "mock turn input_required"],
      ["turn_completed", undefined, "mock turn other"],
      ["turn_completed", undefined, "mock turn completed"],
    ]);
  });

  test("model, api duration, agent pid and tool calls appear on the events", async () => {
    const { events } = await run(
      mock({
        model_name: "mock-model",
        api_duration_ms: 42,
        agent_pid: "777",
        events_per_turn: 1,
        tool_calls: [
          { tool_name: "Read", duration_ms: 5, error: false },
          { tool_name: "Bash", error: true },
          "junk",
        ],
      }),
    );
    expect(events.find((e) => e.type === "token_usage")).toMatchObject({
      model: "mock-model",
      apiDurationMs: 42,
    });
    expect(events.every((e) => e.agentPid === "777")).toBe(true);
    expect(events.filter((e) => e.type === "tool_result")).toEqual([
      expect.objectContaining({
        toolName: "Read",
        toolDurationMs: 5,
        toolError: false,
        message: "mock tool Read",
      }),
      expect.objectContaining({
        toolName: "Bash",
        toolDurationMs: 0,
        toolError: true,
        message: "mock tool Bash",
      }),
    ]);
  });

  test("start_error, an empty workspace and stop_error fail as configured", async () => {
    const err = await mock({ start_error: "no agent here" })
      .startSession(params(), never)
      .catch((e) => e);
    expect(err).toBeInstanceOf(SortieError);
    expect(err.kind).toBe("agent_not_found");
    expect(err.message).toBe("no agent here");
    const empty = await mock()
      .startSession(params({ workspacePath: "" }), never)
      .catch((e) => e);
    expect(empty.kind).toBe("invalid_workspace_cwd");
    const adapter = mock({ stop_error: "nope" });
    const session = await adapter.startSession(params(), never);
    await expect(adapter.stopSession(session, never)).rejects.toThrow("mock stop: nope");
  });

  test("turn_delay_ms is abortable: cancel is turn_cancelled, a timeout is turn_timeout", async () => {
    const adapter = mock({ turn_delay_ms: 60_000 });
    const ctl = new AbortController();
    const pending = run(adapter, 1, ctl.signal);
    setTimeout(() => ctl.abort(), 20);
    const cancelled = await pending;
    expect(cancelled.outcome.result.exitReason).toBe("turn_cancelled");
    expect(cancelled.outcome.error?.kind).toBe("turn_cancelled");
    expect(cancelled.events.map((e) => [e.type, e.message])).toEqual([
      ["turn_cancelled", "context cancelled"],
    ]);

    const timedOut = await run(adapter, 1, AbortSignal.timeout(20));
    expect(timedOut.outcome.result.exitReason).toBe("turn_cancelled");
    expect(timedOut.outcome.error?.kind).toBe("turn_timeout");
  });
});

describe("mock write_file", () => {
  test("writes the content with {identifier} and {turn} filled in, creating directories", async () => {
    const { outcome, events } = await run(
      mock({
        write_file: { path: "out/{identifier}-{turn}.txt", content: "done {identifier} turn {turn}\n" },
      }),
      3,
    );
    expect(readFileSync(join(workspace, "out/DEMO-7-3.txt"), "utf8")).toBe("done DEMO-7 turn 3\n");
    expect(outcome.result.exitReason).toBe("turn_completed");
    expect(events.find((e) => e.type === "tool_result")).toMatchObject({
      toolName: "write_file",
      toolError: false,
      message: "wrote out/DEMO-7-3.txt",
    });
    // Atomic: no temp files are left behind.
    expect(readdirSync(join(workspace, "out"))).toEqual(["DEMO-7-3.txt"]);
  });

  test.each([
    ["/etc/sortie-mock-escape", "is absolute"],
    ["../escape.txt", "contains .."],
    ["a/../../escape.txt", "contains .."],
  ])("rejects %p without writing", async (path, why) => {
    const { outcome, events } = await run(mock({ write_file: { path, content: "x" } }));
    expect(outcome.result.exitReason).toBe("turn_failed");
    expect(outcome.error?.kind).toBe("turn_failed");
    expect(outcome.error?.message).toContain(why);
    expect(events.map((e) => e.type).slice(-2)).toEqual(["tool_result", "turn_failed"]);
    expect(events.at(-2)).toMatchObject({ toolName: "write_file", toolError: true });
    expect(existsSync(join(dir, "escape.txt"))).toBe(false);
  });

  test("rejects a path that leaves the workspace through a symlinked directory", async () => {
    const outside = join(dir, "outside");
    mkdirSync(outside);
    symlinkSync(outside, join(workspace, "link"));
    const { outcome } = await run(mock({ write_file: { path: "link/x.txt", content: "x" } }));
    expect(outcome.error?.message).toContain("resolves outside the workspace");
    expect(readdirSync(outside)).toEqual([]);
  });

  test("rejects a target that is a symlink to a file outside the workspace", async () => {
    const victim = join(dir, "victim.txt");
    await Bun.write(victim, "original");
    symlinkSync(victim, join(workspace, "result.txt"));
    const { outcome } = await run(mock({ write_file: { path: "result.txt", content: "x" } }));
    expect(outcome.result.exitReason).toBe("turn_failed");
    expect(readFileSync(victim, "utf8")).toBe("original");
  });
});
