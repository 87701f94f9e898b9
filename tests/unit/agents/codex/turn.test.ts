import { describe, expect, test } from "bun:test";
import { tokenUsage } from "../../../fakes/agent-cli/token-usage.ts";
import {
  type AdapterOptions,
  clientReply,
  clientRequests,
  eventShapes,
  runTurn,
  startedSession,
  useHarness,
} from "../../../fakes/codex-app-server/harness.ts";
import { fixtureLines, type Step } from "../../../fakes/codex-app-server/scenario.ts";

const h = useHarness();

/** A session whose turn/start requests answer with these scripts, in order. */
const sessionWith = (turns: Step[][], options: AdapterOptions = {}) =>
  startedSession(h, { "turn/start": turns }, options);

const usage = (input: number, output: number, cacheRead: number) =>
  tokenUsage(input, output, cacheRead, null, null);

describe("codex turns replayed from recorded streams", () => {
  test("a successful turn announces the session, reports its usage and completes", async () => {
    const { adapter, session } = await sessionWith([fixtureLines("runturn_success.jsonl")]);
    const { outcome, events, pgids } = await runTurn(adapter, session, { prompt: "fix the bug" });

    expect(eventShapes(events)).toEqual([
      { type: "session_started", sessionId: "thread-abc-123", message: "session started" },
      { type: "token_usage", usage: usage(100, 50, 10), requests: 1, message: "" },
      { type: "turn_completed", message: "turn completed" },
    ]);
    expect(events.every((e) => e.agentPid === session.agentPid)).toBe(true);
    expect(outcome).toEqual({
      result: { sessionId: "thread-abc-123", exitReason: "turn_completed", usage: usage(100, 50, 10) },
    });
    expect(pgids).toEqual([Number(session.agentPid)]);

    const turnStart = clientRequests(h).find((r) => r.method === "turn/start");
    expect(turnStart?.id).toBe(4);
    expect(turnStart?.params).toEqual({
      threadId: "thread-abc-123",
      input: [{ type: "text", text: "fix the bug" }],
      cwd: h.workspace,
      sandboxPolicy: { type: "workspaceWrite", writableRoots: [h.workspace], networkAccess: false },
    });
  });

  test("a failed turn is turn_failed with the server's message, kind turn_failed, and its usage", async () => {
    const { adapter, session } = await sessionWith([fixtureLines("runturn_failed.jsonl")]);
    const { outcome, events } = await runTurn(adapter, session);
    expect(events.at(-1)).toMatchObject({ type: "turn_failed", message: "Context window exceeded" });
    expect(outcome.result.exitReason).toBe("turn_failed");
    expect(outcome.error?.kind).toBe("turn_failed");
    expect(outcome.error?.message).toBe("Context window exceeded");
    expect(outcome.result.usage).toEqual(usage(200000, 0, 0));
  });

  test("a command execution item is a notification and a tool_result named after the command", async () => {
    const { adapter, session } = await sessionWith([fixtureLines("runturn_items.jsonl")]);
    const { events } = await runTurn(adapter, session);
    expect(events.find((e) => e.type === "notification")?.message).toBe("[commandExecution] item-001");
    const tool = events.find((e) => e.type === "tool_result");
    expect(tool).toMatchObject({ toolName: "ls -la", toolError: false, message: "tool_result: ls -la" });
    expect(tool?.toolDurationMs).toBeGreaterThanOrEqual(0);
  });

  test("a completed agent message is a notification with its text", async () => {
    const { adapter, session } = await sessionWith([fixtureLines("runturn_agent_message.jsonl")]);
    const { events } = await runTurn(adapter, session);
    expect(events.filter((e) => e.type === "notification").map((e) => e.message)).toEqual([
      "Here is my analysis of the code.",
    ]);
  });

  test("unknown methods, plans, diffs and deltas map to other_message, plan updated, nothing and heartbeats", async () => {
    const { adapter, session } = await sessionWith([fixtureLines("runturn_misc_notifications.jsonl")]);
    const { events } = await runTurn(adapter, session);
    expect(eventShapes(events)).toEqual([
      { type: "session_started", sessionId: "thread-abc-123", message: "session started" },
      { type: "other_message", message: "some/unknown/method" },
      { type: "notification", message: "plan updated" },
      { type: "notification", message: "" },
      { type: "notification", message: "" },
      { type: "token_usage", usage: usage(0, 0, 0), requests: 1, message: "" },
      { type: "turn_completed", message: "turn completed" },
    ]);
  });

  test("an unknown dynamic tool is refused with a failure result and reported as unsupported_tool_call", async () => {
    const { adapter, session } = await sessionWith([fixtureLines("runturn_tool_call.jsonl")]);
    const { outcome, events } = await runTurn(adapter, session);
    expect(outcome.result.exitReason).toBe("turn_completed");
    expect(events.find((e) => e.type === "unsupported_tool_call")).toMatchObject({
      toolName: "create_issue",
      message: 'no tool registry configured for tool "create_issue"',
    });
    const reply = clientReply(h, 99);
    expect(reply).toEqual({
      id: 99,
      result: {
        success: false,
        output: "unsupported tool: create_issue",
        contentItems: [{ type: "inputText", text: "unsupported tool: create_issue" }],
      },
    });
  });

  test("the login-flow recordings (turn ids, tool call id 42, interrupted) replay the same way", async () => {
    const { adapter, session } = await sessionWith([
      fixtureLines("turn_completed_success.jsonl"),
      fixtureLines("turn_with_tool_call.jsonl"),
      fixtureLines("turn_completed_failed.jsonl"),
      fixtureLines("turn_interrupted.jsonl"),
    ]);
    const first = await runTurn(adapter, session);
    expect(first.events.map((e) => e.message)).toContain("Task completed successfully.");
    expect(first.outcome.result.exitReason).toBe("turn_completed");

    const second = await runTurn(adapter, session, { turnNumber: 2 });
    expect(second.events[0]).toMatchObject({ type: "notification", message: "turn started" });
    expect(second.events.find((e) => e.type === "unsupported_tool_call")?.toolName).toBe("create_issue");
    expect(clientReply(h, 42)?.result?.success).toBe(false);
    expect(second.outcome.result.exitReason).toBe("turn_completed");

    const third = await runTurn(adapter, session, { turnNumber: 3 });
    expect(third.outcome.error?.kind).toBe("turn_failed");

    const fourth = await runTurn(adapter, session, { turnNumber: 4 });
    expect(fourth.events.at(-1)).toMatchObject({ type: "turn_cancelled", message: "turn interrupted" });
    expect(fourth.outcome.result.exitReason).toBe("turn_cancelled");
    expect(fourth.outcome.error).toBeUndefined();

    // Later turns inherit the sandbox; the session is announced once.
    const starts = clientRequests(h).filter((r) => r.method === "turn/start");
    expect(starts.map((s) => s.id)).toEqual([4, 5, 6, 7]);
    expect(starts[0]?.params?.sandboxPolicy).toBeDefined();
    expect(starts.slice(1).map((s) => s.params?.sandboxPolicy)).toEqual([undefined, undefined, undefined]);
    const all = [first, second, third, fourth].flatMap((t) => t.events);
    expect(all.filter((e) => e.type === "session_started")).toHaveLength(1);
  });
});
