import { describe, expect, test } from "bun:test";
import { parseExportUsage } from "../../../../src/agents/opencode/export-usage.ts";
import {
  combineUsage,
  OpenCodeStreamParser,
  stderrShowsStaleSession,
} from "../../../../src/agents/opencode/parse.ts";
import { emptyUsage } from "../../../../src/agents/process/usage.ts";
import type { TokenUsage } from "../../../../src/domain/agent.ts";
import { brief, collectedEvents, fixtureLines, fixtureText } from "../../../fakes/agent-cli/stream-replay.ts";
import { tokenUsage } from "../../../fakes/agent-cli/token-usage.ts";

function replay(
  lines: readonly string[],
  options: { base?: TokenUsage; sessionId?: string; announced?: boolean; model?: string } = {},
) {
  const { events, emit } = collectedEvents("777");
  const parser = new OpenCodeStreamParser({
    emit,
    base: options.base ?? emptyUsage(),
    sessionId: options.sessionId ?? "",
    announced: options.announced ?? false,
    model: options.model ?? "",
  });
  const results = lines.map((l) => parser.handleLine(l));
  return { events, parser, results };
}

describe("opencode stream parser on the recorded fixtures", () => {
  test("simple_turn: the session starts with the first envelope, step usage excludes cache from the total", () => {
    const { events, parser } = replay(fixtureLines("agent-opencode/simple_turn.jsonl"));
    expect(brief(events)).toEqual([
      ["session_started", "session started"],
      ["notification", "step started"],
      ["notification", "Hello, world!"],
      ["token_usage", ""],
      ["notification", "step finished: stop"],
    ]);
    expect(events[0]).toMatchObject({ sessionId: "ses_abc123", agentPid: "777" });
    expect(events[3]).toMatchObject({ usage: tokenUsage(14406, 21, 1840, 0, 0), requests: 1 });
    expect(events[3]?.model).toBeUndefined();
    expect(parser.sessionId).toBe("ses_abc123");
    expect(parser.tokenSteps).toBe(1);
    expect(parser.error).toBeUndefined();
  });

  test("tool_success: a completed tool is a tool_result with its own duration", () => {
    const { events } = replay(fixtureLines("agent-opencode/tool_success.jsonl"));
    expect(events.filter((e) => e.type === "tool_result")).toEqual([
      expect.objectContaining({ toolName: "read", toolDurationMs: 13, toolError: false, message: "" }),
    ]);
    // A step without cache counts leaves them unknown.
    expect(events.find((e) => e.type === "token_usage")?.usage).toEqual(tokenUsage(800, 200, null, null, 0));
  });

  test("permission_warning_then_error: the plain-text notice is progress, the rejected tool an error", () => {
    const { events } = replay(fixtureLines("agent-opencode/permission_warning_then_error.txt"));
    expect(brief(events)).toEqual([
      ["notification", "! permission requested: bash; auto-rejecting"],
      ["session_started", "session started"],
      ["tool_result", "The user rejected permission to use this specific tool call."],
    ]);
    expect(events[2]).toMatchObject({ toolName: "bash", toolDurationMs: 1, toolError: true });
  });

  test("logical_failure_exit0: an error envelope fails the turn with the provider's message", () => {
    const { events, parser } = replay(fixtureLines("agent-opencode/logical_failure_exit0.jsonl"));
    expect(brief(events)).toEqual([
      ["session_started", "session started"],
      ["notification", "step started"],
      ["turn_failed", "invalid api key"],
    ]);
    expect(parser.error).toBe("invalid api key");
    expect(parser.sessionId).toBe("ses_fail123");
  });

  test("malformed_event: an unknown JSON type is malformed and the stream goes on", () => {
    const { events, results } = replay(fixtureLines("agent-opencode/malformed_event.jsonl"));
    expect(brief(events)).toEqual([
      ["session_started", "session started"],
      ["notification", "step started"],
      ["malformed", "unknown event type: unknown_future_type"],
    ]);
    expect(results).toEqual(["continue", "continue"]);
  });

  test("resume_turn: a resumed session with the same id is no mismatch and is announced only once", () => {
    const lines = fixtureLines("agent-opencode/resume_turn.jsonl");
    const first = replay(lines, { sessionId: "ses_abc123" });
    expect(brief(first.events)).toEqual([
      ["session_started", "session started"],
      ["notification", "step started"],
      ["notification", "Resuming work."],
      ["token_usage", ""],
      ["notification", "step finished: stop"],
    ]);
    expect(first.parser.mismatch).toBeUndefined();
    const again = replay(lines, {
      sessionId: "ses_abc123",
      announced: true,
      base: first.parser.sessionUsage(),
    });
    expect(again.events.filter((e) => e.type === "session_started")).toEqual([]);
    expect(again.parser.sessionUsage()).toEqual(tokenUsage(1400, 200, null, null, 0));
  });

  test("the pinned CLI's transcript: two turns of one session, usage summed per step and per session", () => {
    const lines = fixtureLines("real-cli/opencode-transcript.jsonl");
    // Turn 2 starts after the first `stop` step.
    const split = lines.findIndex((l) => l.includes('"reason":"stop"')) + 1;
    const first = replay(lines.slice(0, split), { model: "fake/fake-model" });
    expect(brief(first.events)).toEqual([
      ["session_started", "session started"],
      ["notification", "step started"],
      ["tool_result", ""],
      ["token_usage", ""],
      ["notification", "step finished: tool-calls"],
      ["notification", "step started"],
      ["notification", "Done. Tool said: Wrote file successfully."],
      ["token_usage", ""],
      ["notification", "step finished: stop"],
    ]);
    expect(first.events[2]).toMatchObject({ toolName: "write", toolDurationMs: 26, toolError: false });
    const firstUsage = first.events.filter((e) => e.type === "token_usage");
    expect(firstUsage.map((e) => e.usage)).toEqual([
      tokenUsage(7358, 63, 0, 0, 0),
      tokenUsage(14794, 84, 0, 0, 0),
    ]);
    expect(firstUsage.every((e) => e.model === "fake/fake-model" && e.requests === 1)).toBe(true);

    const second = replay(lines.slice(split), {
      sessionId: first.parser.sessionId,
      announced: true,
      base: first.parser.sessionUsage(),
    });
    expect(second.events.filter((e) => e.type === "session_started" || e.type === "malformed")).toEqual([]);
    expect(second.events.find((e) => e.type === "tool_result")).toMatchObject({
      toolName: "bash",
      toolDurationMs: 258,
    });
    expect(second.parser.turnUsage()).toEqual(tokenUsage(15026, 85, 0, 0, 0));
    expect(second.parser.sessionUsage()).toEqual(tokenUsage(29820, 169, 0, 0, 0));
    expect(second.events.filter((e) => e.type === "token_usage").at(-1)?.usage).toEqual(
      tokenUsage(29820, 169, 0, 0, 0),
    );
  });
});

describe("opencode stream parser details", () => {
  const envelope = (type: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ type, timestamp: 1, sessionID: "ses_1", ...extra });

  test("a different session id ends the turn and stops parsing", () => {
    const { events, parser, results } = replay(
      [
        envelope("step_start", { part: {} }),
        envelope("text", { sessionID: "ses_2", part: { text: "x" } }),
        envelope("text", { part: { text: "late" } }),
      ],
      { sessionId: "ses_1" },
    );
    expect(results).toEqual(["continue", "stop", "stop"]);
    expect(parser.mismatch).toEqual({ expected: "ses_1", got: "ses_2" });
    expect(brief(events)).toEqual([
      ["session_started", "session started"],
      ["notification", "step started"],
      ["turn_ended_with_error", 'session id mismatch: expected "ses_1", got "ses_2"'],
    ]);
  });

  test("known types with an undecodable part, reasoning blocks, other plain text", () => {
    const { events } = replay([
      envelope("step_finish", { part: "nope" }),
      envelope("text"),
      envelope("reasoning", { part: { text: "hmm" } }),
      "some warning printed by a plugin",
      "[1, 2]",
    ]);
    expect(brief(events)).toEqual([
      ["session_started", "session started"],
      ["malformed", "invalid step_finish payload"],
      ["malformed", "invalid text payload"],
      ["other_message", "reasoning block"],
      ["malformed", "some warning printed by a plugin"],
      ["malformed", "[1, 2]"],
    ]);
  });

  test("error messages fall back to the error name, then a fixed text; later errors are progress", () => {
    const { events, parser } = replay([
      envelope("error", { error: { name: "APIError" } }),
      envelope("error", {}),
    ]);
    expect(brief(events).slice(1)).toEqual([
      ["turn_failed", "APIError"],
      ["notification", "opencode reported an unknown error"],
    ]);
    expect(parser.error).toBe("APIError");
  });

  test("tool durations never go negative and error status is case-insensitive", () => {
    const { events } = replay([
      envelope("tool_use", {
        part: { tool: "edit", state: { status: "ERROR", error: "boom", time: { start: 9, end: 3 } } },
      }),
    ]);
    expect(events.at(-1)).toMatchObject({
      toolName: "edit",
      toolDurationMs: 0,
      toolError: true,
      message: "boom",
    });
  });

  test("costs add up over steps and turns; unknown stays unknown", () => {
    const a = { ...emptyUsage(), inputTokens: 1, outputTokens: 2, totalTokens: 3, costUsd: 0.25 };
    const b = { ...emptyUsage(), inputTokens: 10, outputTokens: 20, totalTokens: 30, costUsd: 0.5 };
    expect(combineUsage(a, b)).toMatchObject({
      inputTokens: 11,
      outputTokens: 22,
      totalTokens: 33,
      costUsd: 0.75,
    });
    expect(combineUsage(emptyUsage(), emptyUsage())).toEqual(emptyUsage());
    expect(combineUsage(a, emptyUsage()).costUsd).toBe(0.25);
  });

  test("recognizes the CLI's answer to a --session id it does not know", () => {
    expect(stderrShowsStaleSession(["\u001b[91m\u001b[1mError: \u001b[0mSession not found"])).toBe(true);
    expect(stderrShowsStaleSession(["Error: something else"])).toBe(false);
  });
});

describe("opencode export usage", () => {
  test("export_usage: the last assistant message of the session, total without cache", () => {
    const text = fixtureText("agent-opencode/export_usage.json");
    expect(parseExportUsage(text, "ses_abc123")).toEqual({
      usage: tokenUsage(1500, 300, 200, 50, 0.05),
      model: "anthropic/claude-sonnet-4-5",
    });
    expect(parseExportUsage(text, "ses_other")).toBeUndefined();
  });

  test("export_usage_missing_tokens: no counts, no usage", () => {
    const text = fixtureText("agent-opencode/export_usage_missing_tokens.json");
    expect(parseExportUsage(text, "ses_abc123")).toBeUndefined();
  });

  test("not an export at all", () => {
    expect(parseExportUsage("Exporting session", "s")).toBeUndefined();
    expect(parseExportUsage('{"messages": 3}', "s")).toBeUndefined();
  });
});
