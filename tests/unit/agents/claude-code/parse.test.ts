import { describe, expect, test } from "bun:test";
import { finalizeClaudeTurn } from "../../../../src/agents/claude-code/finalize.ts";
import { ClaudeStreamParser } from "../../../../src/agents/claude-code/parse.ts";
import { emptyUsage } from "../../../../src/agents/process/usage.ts";
import type { AgentEvent, TokenUsage } from "../../../../src/domain/agent.ts";
import { recordingLogger } from "../../../fakes/agent-cli/recording-logger.ts";
import { brief, collectedEvents, fixtureLines, tokenEvents } from "../../../fakes/agent-cli/stream-replay.ts";
import { tokenUsage } from "../../../fakes/agent-cli/token-usage.ts";

interface Replay {
  events: AgentEvent[];
  parser: ClaudeStreamParser;
  log: ReturnType<typeof recordingLogger>;
}

function replay(lines: string[], base: TokenUsage = emptyUsage(), exitCode = 0): Replay {
  const { events, emit } = collectedEvents("4242");
  const log = recordingLogger();
  const parser = new ClaudeStreamParser({ emit, base, sessionId: "start-id", logger: log.logger });
  for (const line of lines) parser.handleLine(line);
  parser.emitEstimatedUsage();
  const decision = finalizeClaudeTurn(parser, { exitCode }, [], { resumed: false, logger: log.logger });
  if (decision.kind === "terminal") {
    emit(decision.type, {
      message: decision.message,
      ...(decision.apiDurationMs ? { apiDurationMs: decision.apiDurationMs } : {}),
    });
  }
  return { events, parser, log };
}

describe("Claude stream parsing of the recorded fixtures", () => {
  test("init_event.json: session_started adopts the CLI's session id", () => {
    const { events, parser } = replay(fixtureLines("agent-claude/init_event.json"));
    expect(events[0]).toMatchObject({
      type: "session_started",
      sessionId: "abc12345-def6-4789-abcd-ef0123456789",
      agentPid: "4242",
      message: "session started",
    });
    expect(parser.sessionId).toBe("abc12345-def6-4789-abcd-ef0123456789");
    // Nothing else happened: the process exited without an assistant message.
    expect(brief(events.slice(1))).toEqual([["turn_failed", "agent exited without producing output"]]);
  });

  test("assistant_message.json: start snapshot is only a fallback estimate, summary names the tool", () => {
    const lines = fixtureLines("agent-claude/assistant_message.json");
    const { events, emit } = collectedEvents();
    const log = recordingLogger();
    const parser = new ClaudeStreamParser({
      emit,
      base: emptyUsage(),
      sessionId: "s",
      logger: log.logger,
    });
    parser.handleLine(lines[0] ?? "");
    expect(brief(events)).toEqual([
      ["notification", "I'll analyze the codebase and implement the requested changes. [tool: Read]"],
    ]);
    expect(parser.model).toBe("claude-sonnet-4-20250514");
    expect(parser.turnUsage()).toEqual(tokenUsage(12500, 350, 8000, 1500, null));
    // Without a result line the estimate is reported once, and logged.
    parser.emitEstimatedUsage();
    expect(tokenEvents(events)).toEqual([
      expect.objectContaining({
        usage: tokenUsage(12500, 350, 8000, 1500, null),
        requests: 1,
        model: "claude-sonnet-4-20250514",
      }),
    ]);
    expect(log.find("debug", "claude usage estimated without result line")).toHaveLength(1);
  });

  test("tool_use_message.json: tool_use and tool_result in one message", () => {
    const { events } = replay(fixtureLines("agent-claude/tool_use_message.json"));
    expect(events.find((e) => e.type === "tool_result")).toMatchObject({
      toolName: "Bash",
      toolError: false,
      message: "tool_result: Bash",
    });
    expect(events.find((e) => e.type === "notification")?.message).toBe("[tool: Bash] [tool_result: ok]");
  });

  test("tool_use_parallel.json: two tool calls in flight", () => {
    const { events } = replay(fixtureLines("agent-claude/tool_use_parallel.json"));
    expect(events[0]?.message).toEndWith("[tool: Read] [tool: Read]");
    expect(events[0]?.message).toBe("I'll read both files simultaneously. [tool: Read] [tool: Read]");
  });

  test("tool_use_error_result.json: a result without its tool_use is tool 'unknown' with the error text", () => {
    const { events } = replay(fixtureLines("agent-claude/tool_use_error_result.json"));
    expect(events[0]).toMatchObject({
      type: "tool_result",
      toolName: "unknown",
      toolDurationMs: 0,
      toolError: true,
      message: "bash: command not found: foobar",
    });
  });

  test("tool_use_error_result.jsonl: the Bash error propagates and the turn completes", () => {
    const { events } = replay(fixtureLines("agent-claude/tool_use_error_result.jsonl"));
    expect(events.find((e) => e.type === "tool_result")).toMatchObject({
      toolName: "Bash",
      toolError: true,
      message: "bash: command not found: foobar",
    });
    expect(tokenEvents(events)).toEqual([
      expect.objectContaining({
        usage: tokenUsage(300, 50, null, null, 0.001),
        requests: 2,
        apiDurationMs: 800,
      }),
    ]);
    expect(brief(events).at(-1)).toEqual(["turn_completed", "The command failed."]);
  });

  test("tool_use_error_xml_wrapped.jsonl: the <tool_use_error> envelope is stripped", () => {
    const { events } = replay(fixtureLines("agent-claude/tool_use_error_xml_wrapped.jsonl"));
    expect(events.find((e) => e.type === "tool_result")).toMatchObject({
      toolName: "Edit",
      toolError: true,
      message:
        "Found 3 matches of the string to replace, but replace_all is false. Use the str_replace API with replace_all=true to replace all instances.",
    });
  });

  test("tool_use_result_separate.jsonl: results inside later assistant messages; one token_usage from result", () => {
    const { events } = replay(fixtureLines("agent-claude/tool_use_result_separate.jsonl"));
    expect(events.filter((e) => e.type === "tool_result").map((e) => [e.toolName, e.toolError])).toEqual([
      ["Read", false],
      ["Bash", false],
    ]);
    expect(tokenEvents(events)).toEqual([
      expect.objectContaining({
        usage: tokenUsage(6000, 230, null, null, 0.005),
        requests: 3,
        apiDurationMs: 5000,
      }),
    ]);
    expect(brief(events).at(-1)).toEqual(["turn_completed", "All tests pass."]);
  });

  test("tool_use_result_user_event.jsonl: results inside user messages (2.1.x layout)", () => {
    const { events } = replay(fixtureLines("agent-claude/tool_use_result_user_event.jsonl"));
    expect(events.filter((e) => e.type === "tool_result").map((e) => e.toolName)).toEqual(["Read"]);
    expect(tokenEvents(events)).toEqual([
      expect.objectContaining({ usage: tokenUsage(1300, 50, null, null, 0.002), requests: 2 }),
    ]);
  });

  test("full_session.jsonl: one token_usage with cache and cost, then turn_completed", () => {
    const { events, parser } = replay(fixtureLines("agent-claude/full_session.jsonl"));
    expect(brief(events)).toEqual([
      ["session_started", "session started"],
      ["notification", "I'll read the file first. [tool: Read]"],
      ["notification", "[tool: Write]"],
      ["notification", "Done. The changes have been applied."],
      ["token_usage", ""],
      ["turn_completed", "Done. The changes have been applied."],
    ]);
    expect(tokenEvents(events)[0]).toMatchObject({
      usage: tokenUsage(6000, 300, 4000, 500, 0.01),
      requests: 3,
      apiDurationMs: 12000,
      model: "claude-sonnet-4-20250514",
    });
    expect(events.at(-1)?.apiDurationMs).toBe(12000);
    expect(parser.sessionId).toBe("full-session-id-001");
  });

  test("result_success.json: standalone result", () => {
    const { events } = replay(fixtureLines("agent-claude/result_success.json"));
    expect(tokenEvents(events)).toEqual([
      expect.objectContaining({
        usage: tokenUsage(15000, 3200, 8000, 2000, 0.0234),
        apiDurationMs: 38000,
        requests: 1,
      }),
    ]);
    expect(brief(events).at(-1)).toEqual([
      "turn_completed",
      "I've implemented the changes. The tests pass and the code compiles successfully.",
    ]);
  });

  test("result_error_max_turns.json: turn_failed with the subtype, kind turn_failed", () => {
    const r = replay(fixtureLines("agent-claude/result_error_max_turns.json"));
    expect(brief(r.events).at(-1)).toEqual(["turn_failed", "error_max_turns"]);
    const decision = finalizeClaudeTurn(r.parser, { exitCode: 1 }, [], {
      resumed: false,
      logger: r.log.logger,
    });
    expect(decision).toMatchObject({ kind: "terminal", type: "turn_failed", message: "error_max_turns" });
    if (decision.kind === "terminal") expect(decision.error?.kind).toBe("turn_failed");
  });

  test("result_error_execution.json: turn_failed error_during_execution with the result text as cause", () => {
    const r = replay(fixtureLines("agent-claude/result_error_execution.json"));
    expect(brief(r.events).at(-1)).toEqual(["turn_failed", "error_during_execution"]);
    const decision = finalizeClaudeTurn(r.parser, { exitCode: 1 }, [], {
      resumed: false,
      logger: r.log.logger,
    });
    if (decision.kind !== "terminal") throw new Error("expected terminal");
    expect(decision.error?.toString()).toBe(
      "agent: turn_failed: error_during_execution: Error: EACCES: permission denied, open '/etc/shadow'",
    );
  });

  test("api_retry_event.json: a notification describing the retry", () => {
    const { events } = replay(fixtureLines("agent-claude/api_retry_event.json"));
    expect(events[0]).toMatchObject({
      type: "notification",
      message: "API retry attempt 1/5 (delay 1000ms, status 429: rate_limit)",
    });
  });

  test("stream_event.json: an empty notification (stall heartbeat)", () => {
    const { events } = replay(fixtureLines("agent-claude/stream_event.json"));
    expect(events[0]).toMatchObject({ type: "notification", message: "" });
  });

  test("malformed_line.txt: malformed with the raw line, the turn continues", () => {
    const lines = [
      ...fixtureLines("agent-claude/malformed_line.txt"),
      ...fixtureLines("agent-claude/result_success.json"),
    ];
    const { events } = replay(lines);
    expect(events[0]).toMatchObject({ type: "malformed", message: "this is not json {{{ garbage line <<<" });
    expect(events.at(-1)?.type).toBe("turn_completed");
  });

  test("real CLI transcript: two invocations, the second resumed, usage is session-cumulative", () => {
    const lines = fixtureLines("real-cli/claude-transcript.jsonl");
    const secondInit = lines.findIndex((l, i) => i > 0 && l.includes('"subtype":"init"'));
    const first = replay(lines.slice(0, secondInit));
    expect(brief(first.events)).toEqual([
      ["session_started", "session started"],
      ["notification", "[tool: Write]"],
      ["tool_result", "tool_result: Write"],
      ["notification", expect.stringMatching(/^Done. Tool said: File created successfully/)],
      ["token_usage", ""],
      ["turn_completed", expect.stringMatching(/^Done. Tool said: File created successfully/)],
    ]);
    expect(tokenEvents(first.events)[0]).toMatchObject({
      usage: tokenUsage(9129, 115, 0, 0, 0.038815999999999996),
      requests: 2,
      model: "claude-opus-5-5",
      apiDurationMs: 241,
    });

    const base = first.parser.sessionUsage();
    const second = replay(lines.slice(secondInit), base);
    expect(second.events.filter((e) => e.type === "tool_result").map((e) => e.toolName)).toEqual(["Bash"]);
    // Counters add up across the session; cost is the CLI's own cumulative figure.
    expect(tokenEvents(second.events)[0]).toMatchObject({
      usage: tokenUsage(9129 + 9478, 115 + 92, 0, 0, 0.078568),
      requests: 2,
    });
    expect(second.parser.sessionId).toBe("7d7a303c-aa58-4c5a-85ed-ff128c547e5a");
    expect(brief(second.events).at(-1)).toEqual([
      "turn_completed",
      "Done. Tool said: bash_out.txt\nhello.txt",
    ]);
  });

  test("real CLI with partial messages: stream events are heartbeats, one request counted", () => {
    const { events } = replay(fixtureLines("real-cli/claude-include-partial-messages.jsonl"));
    expect(events.filter((e) => e.type === "notification" && e.message === "")).toHaveLength(11);
    expect(events.find((e) => e.type === "notification" && e.message === "system/status")).toBeDefined();
    expect(tokenEvents(events)).toEqual([
      expect.objectContaining({
        usage: tokenUsage(4507, 22, 0, 0, 0.018468),
        requests: 1,
        apiDurationMs: 82,
      }),
    ]);
    expect(brief(events).at(-1)).toEqual(["turn_completed", "Hello from the fake Anthropic server."]);
  });
});

describe("Claude parsing edge cases", () => {
  test("a repeated assistant message id is one request and one estimate", () => {
    const line = (text: string) =>
      JSON.stringify({
        type: "assistant",
        message: {
          id: "m1",
          model: "x",
          content: [{ type: "text", text }],
          usage: { input_tokens: 10, output_tokens: 1 },
        },
      });
    const { events, parser } = replay([line("a"), line("b")]);
    expect(parser.requests).toBe(1);
    expect(tokenEvents(events)[0]).toMatchObject({ usage: tokenUsage(10, 1, null, null, null), requests: 1 });
    expect(brief(events).at(-1)).toEqual(["turn_completed", ""]);
  });

  test("unknown top-level types are other_message with type/subtype", () => {
    const { events } = replay([
      JSON.stringify({ type: "tool_use" }),
      JSON.stringify({ type: "task", subtype: "x" }),
    ]);
    expect(brief(events).slice(0, 2)).toEqual([
      ["other_message", "tool_use"],
      ["other_message", "task/x"],
    ]);
  });

  test("other system subtypes are notifications", () => {
    const { events } = replay([JSON.stringify({ type: "system", subtype: "compact_boundary" })]);
    expect(events[0]).toMatchObject({ type: "notification", message: "system/compact_boundary" });
  });

  test("malformed messages are cut to 500 characters; empty lines and JSON scalars are malformed", () => {
    const { events } = replay(["x".repeat(600), "", "42"]);
    expect(events[0]?.message).toBe(`${"x".repeat(500)}…`);
    expect(brief(events).slice(1, 3)).toEqual([
      ["malformed", ""],
      ["malformed", "42"],
    ]);
  });

  test("no result and a non-zero exit is port_exit with the exit code", () => {
    const log = recordingLogger();
    const parser = new ClaudeStreamParser({
      emit: () => {},
      base: emptyUsage(),
      sessionId: "s",
      logger: log.logger,
    });
    const decision = finalizeClaudeTurn(parser, { exitCode: 1 }, ["Error: bad flag"], {
      resumed: false,
      logger: log.logger,
    });
    expect(decision).toMatchObject({ kind: "terminal", type: "turn_failed", message: "non-zero exit" });
    if (decision.kind === "terminal")
      expect(decision.error?.toString()).toBe("agent: port_exit: exit code 1: Error: bad flag");
  });

  test("no result, exit 0 and no assistant message warns and fails", () => {
    const { events, log } = replay([]);
    expect(brief(events)).toEqual([["turn_failed", "agent exited without producing output"]]);
    expect(log.find("warn", "agent exited without producing output")).toHaveLength(1);
  });

  test("a resumed turn the CLI does not know asks for a restart without emitting anything", () => {
    const stale = JSON.stringify({
      type: "result",
      subtype: "error_during_execution",
      is_error: true,
      num_turns: 0,
      total_cost_usd: 0,
      usage: { input_tokens: 0, output_tokens: 0 },
      errors: ["No conversation found with session ID: 99999999-2222-4333-8444-555555555555"],
    });
    const { events, emit } = collectedEvents();
    const log = recordingLogger();
    const parser = new ClaudeStreamParser({
      emit,
      base: emptyUsage(),
      sessionId: "s",
      logger: log.logger,
    });
    parser.handleLine(stale);
    expect(events).toEqual([]);
    expect(finalizeClaudeTurn(parser, { exitCode: 1 }, [], { resumed: true, logger: log.logger })).toEqual({
      kind: "restart",
    });
    // The same line on a fresh session is an ordinary failure.
    expect(finalizeClaudeTurn(parser, { exitCode: 1 }, [], { resumed: false, logger: log.logger }).kind).toBe(
      "terminal",
    );
  });

  test("a <synthetic> message written by the CLI itself is no model request and no model", () => {
    // Recorded from the pinned CLI against a fake server that answers 401.
    const { events, parser } = replay([
      JSON.stringify({
        type: "assistant",
        message: {
          id: "245d36ac-74d6-47fa-b988-c12a2342b2fd",
          model: "<synthetic>",
          content: [{ type: "text", text: "Failed to authenticate. API Error: 401 invalid x-api-key" }],
          usage: { input_tokens: 0, output_tokens: 0 },
        },
        error: "authentication_failed",
      }),
      JSON.stringify({
        type: "result",
        subtype: "success",
        is_error: true,
        num_turns: 1,
        result: "Failed to authenticate. API Error: 401 invalid x-api-key",
        total_cost_usd: 0,
        usage: { input_tokens: 0, output_tokens: 0 },
      }),
    ]);
    expect(parser.requests).toBe(0);
    expect(parser.model).toBe("");
    expect(tokenEvents(events)[0]?.model).toBeUndefined();
    expect(brief(events).at(-1)).toEqual([
      "turn_failed",
      "Failed to authenticate. API Error: 401 invalid x-api-key",
    ]);
  });

  test("an error result with subtype success is explained by its text", () => {
    const { events } = replay([
      JSON.stringify({
        type: "result",
        subtype: "success",
        is_error: true,
        result: "Invalid API key · Fix external API key",
      }),
    ]);
    expect(brief(events).at(-1)).toEqual(["turn_failed", "Invalid API key · Fix external API key"]);
  });
});
