import { describe, expect, test } from "bun:test";
import { CopilotAccounting } from "../../../../src/agents/copilot-cli/accounting.ts";
import { finalizeCopilotTurn } from "../../../../src/agents/copilot-cli/finalize.ts";
import { CopilotStreamParser, stderrShowsStaleSession } from "../../../../src/agents/copilot-cli/parse.ts";
import type { FinalizeDecision } from "../../../../src/agents/process/fork-turn.ts";
import { emptyUsage } from "../../../../src/agents/process/usage.ts";
import type { AgentEvent, TokenUsage } from "../../../../src/domain/agent.ts";
import { recordingLogger } from "../../../fakes/agent-cli/recording-logger.ts";
import { collectedEvents, fixtureLines, tokenEvents } from "../../../fakes/agent-cli/stream-replay.ts";
import { UNKNOWN_TOKENS } from "../../../fakes/agent-cli/token-usage.ts";

interface Replay {
  events: AgentEvent[];
  parser: CopilotStreamParser;
  decision: FinalizeDecision;
  log: ReturnType<typeof recordingLogger>;
}

function replay(
  lines: readonly string[],
  options: { exitCode?: number; base?: TokenUsage; accounting?: CopilotAccounting; stderr?: string[] } = {},
): Replay {
  const { events, emit } = collectedEvents("4242");
  const log = recordingLogger();
  const parser = new CopilotStreamParser({
    emit,
    base: options.base ?? emptyUsage(),
    accounting: options.accounting ?? new CopilotAccounting(),
    logger: log.logger,
  });
  for (const line of lines) parser.handleLine(line);
  const decision = finalizeCopilotTurn(parser, { exitCode: options.exitCode ?? 0 }, options.stderr ?? [], {
    resumed: false,
    logger: log.logger,
  });
  return { events, parser, decision, log };
}

/** Events without the empty heartbeats. */
const brief = (events: AgentEvent[]) =>
  events.filter((e) => !(e.type === "notification" && e.message === "")).map((e) => [e.type, e.message]);
const heartbeats = (events: AgentEvent[]) =>
  events.filter((e) => e.type === "notification" && e.message === "").length;

describe("copilot stream parser on the recorded fixtures", () => {
  test("simple_session: session bookkeeping is quiet, output tokens of an older CLI, a completed turn", () => {
    const { events, parser, decision, log } = replay(fixtureLines("agent-copilot/simple_session.jsonl"));
    expect(brief(events)).toEqual([
      ["notification", "assistant.turn_start"],
      ["token_usage", ""],
      ["notification", "hello world"],
      ["notification", "assistant.turn_end"],
      ["token_usage", ""],
    ]);
    expect(heartbeats(events)).toBe(1);
    const usage = tokenEvents(events);
    expect(usage[0]).toMatchObject({
      usage: { ...UNKNOWN_TOKENS, outputTokens: 6, totalTokens: 6 },
      requests: 1,
      model: "claude-opus-4.6",
    });
    // The result line adds the premium requests and no further model requests.
    expect(usage[1]).toMatchObject({
      usage: { ...UNKNOWN_TOKENS, outputTokens: 6, totalTokens: 6, premiumRequests: 6 },
      requests: 0,
    });
    expect(parser.result).toEqual({
      sessionId: "aa778ea0-6eab-4ce9-b87e-11d6d33dab4f",
      exitCode: 0,
      premiumRequests: 6,
      totalApiDurationMs: 6866,
    });
    expect(decision).toEqual({ kind: "terminal", type: "turn_completed", message: "", apiDurationMs: 6866 });
    expect(log.find("debug", "copilot event").map((e) => e.properties.event_type)).toEqual([
      "session.mcp_servers_loaded",
      "session.tools_updated",
      "user.message",
    ]);
  });

  test("tool_use_session: tool request summary, start/complete pairing by call id, task summary", () => {
    const { events, parser, decision } = replay(fixtureLines("agent-copilot/tool_use_session.jsonl"));
    expect(brief(events)).toEqual([
      ["notification", "assistant.turn_start"],
      ["token_usage", ""],
      ["notification", "requesting 1 tool(s): view"],
      ["notification", "tool started: view"],
      ["tool_result", ""],
      ["token_usage", ""],
      ["notification", "The file contains a simple Go main package."],
      ["notification", "Read and summarized main.go"],
      ["notification", "assistant.turn_end"],
      ["token_usage", ""],
    ]);
    // The completion line names no tool: the name comes from the matching start.
    expect(events.find((e) => e.type === "tool_result")).toMatchObject({
      toolName: "view",
      toolError: false,
    });
    expect(events.find((e) => e.type === "tool_result")?.toolDurationMs).toBeGreaterThanOrEqual(0);
    expect(tokenEvents(events).at(-1)?.usage).toEqual({
      ...UNKNOWN_TOKENS,
      outputTokens: 122,
      totalTokens: 122,
      premiumRequests: 8,
    });
    expect(parser.result?.sessionId).toBe("bb889fb1-7fbc-5dea-c98f-22e7e44ebc50");
    expect(decision).toMatchObject({ type: "turn_completed", apiDurationMs: 4200 });
  });

  test("resume_session: a continuation turn of the same conversation", () => {
    const { events, parser, decision } = replay(fixtureLines("agent-copilot/resume_session.jsonl"));
    expect(brief(events)).toEqual([
      ["notification", "assistant.turn_start"],
      ["token_usage", ""],
      ["notification", "Continuing from where we left off."],
      ["notification", "assistant.turn_end"],
      ["token_usage", ""],
    ]);
    expect(parser.result?.sessionId).toBe("aa778ea0-6eab-4ce9-b87e-11d6d33dab4f");
    expect(tokenEvents(events).at(-1)?.usage).toMatchObject({ outputTokens: 10, premiumRequests: 2 });
    expect(decision).toMatchObject({ type: "turn_completed", apiDurationMs: 1500 });
  });

  test("malformed_lines: plain text is malformed, an unknown type is other_message, the stream goes on", () => {
    const { events, decision } = replay(fixtureLines("agent-copilot/malformed_lines.jsonl"));
    expect(brief(events)).toEqual([
      ["malformed", "this is not json"],
      ["other_message", "future.event.type"],
      ["token_usage", ""],
      ["notification", "hello after malformed"],
    ]);
    // No result line, exit 0, the model answered: completed.
    expect(decision).toEqual({ kind: "terminal", type: "turn_completed", message: "" });
  });

  test("auth_failure: the CLI's plain-text error is malformed and the non-zero exit a port_exit", () => {
    const { events, decision } = replay(fixtureLines("agent-copilot/auth_failure.jsonl"), {
      exitCode: 1,
      stderr: ["Error: Not authenticated.", "", "Run copilot login"],
    });
    expect(brief(events)).toEqual([
      [
        "malformed",
        "Error: Not authenticated. Please run `copilot login` or set COPILOT_GITHUB_TOKEN, GH_TOKEN, or GITHUB_TOKEN.",
      ],
    ]);
    expect(decision).toMatchObject({ kind: "terminal", type: "turn_failed", message: "non-zero exit" });
    if (decision.kind !== "terminal") throw new Error("expected a terminal decision");
    expect(decision.error?.kind).toBe("port_exit");
    expect(decision.error?.toString()).toBe("agent: port_exit: exit code 1: Error: Not authenticated.");
  });

  test("the pinned CLI's transcript: two turns, tools, heartbeats, tokens unknown, API time per turn", () => {
    const lines = fixtureLines("real-cli/copilot-transcript.jsonl");
    const secondStart = lines.findIndex((l, i) => i > 0 && l.includes('"type":"session.skills_loaded"'));
    const accounting = new CopilotAccounting();
    const first = replay(lines.slice(0, secondStart), { accounting });
    expect(brief(first.events)).toEqual([
      ["notification", "assistant.turn_start"],
      ["notification", "requesting 1 tool(s): bash"],
      ["notification", "tool started: bash"],
      ["tool_result", ""],
      ["notification", "assistant.turn_end"],
      ["notification", "assistant.turn_start"],
      ["notification", "Done. Tool said: cp_out.txt\n<shellId: 0 completed with exit code 0>"],
      ["notification", "assistant.turn_end"],
      ["token_usage", ""],
    ]);
    expect(first.events.filter((e) => e.type === "malformed" || e.type === "other_message")).toEqual([]);
    expect(heartbeats(first.events)).toBeGreaterThan(30);
    expect(first.events.find((e) => e.type === "tool_result")).toMatchObject({
      toolName: "bash",
      toolError: false,
    });
    expect(tokenEvents(first.events)).toEqual([
      expect.objectContaining({
        usage: { ...UNKNOWN_TOKENS, premiumRequests: 0 },
        requests: 2,
        model: "fake-model",
      }),
    ]);
    expect(first.decision).toMatchObject({ type: "turn_completed", apiDurationMs: 46 });

    // The CLI's accounting continues across the resumed process: turn 2 spent 90 − 46 ms.
    const second = replay(lines.slice(secondStart), { accounting });
    expect(second.parser.result?.sessionId).toBe(first.parser.result?.sessionId ?? "");
    expect(second.parser.result?.totalApiDurationMs).toBe(90);
    expect(second.decision).toMatchObject({ type: "turn_completed", apiDurationMs: 44 });
    expect(tokenEvents(second.events)[0]?.usage?.premiumRequests).toBe(0);
  });
});

describe("copilot stream parser details", () => {
  const line = (type: string, data: unknown) => JSON.stringify({ type, data, id: "x", timestamp: "t" });

  test("a failed tool, warnings, info and task_complete defaults", () => {
    const { events, log } = replay([
      line("tool.execution_start", { toolCallId: "c1", toolName: "bash" }),
      line("tool.execution_complete", { toolCallId: "c1", success: false }),
      line("tool.execution_complete", { toolCallId: "never-started", toolName: "edit", success: true }),
      line("session.warning", { message: "quota almost used" }),
      line("session.warning", {}),
      line("session.info", {}),
      line("session.task_complete", {}),
    ]);
    expect(events.filter((e) => e.type === "tool_result")).toEqual([
      expect.objectContaining({ toolName: "bash", toolError: true }),
      expect.objectContaining({ toolName: "edit", toolError: false, toolDurationMs: 0 }),
    ]);
    expect(brief(events).slice(3)).toEqual([
      ["notification", "quota almost used"],
      ["notification", "session warning"],
      ["notification", "session info"],
      ["notification", "task complete"],
    ]);
    expect(log.find("warn", "copilot session warning").map((e) => e.properties.message)).toEqual([
      "quota almost used",
      "session warning",
    ]);
  });

  test("assistant message summaries: content trimmed to 200 runes, tool requests, fallbacks", () => {
    const { events } = replay([
      line("assistant.message", { content: `  ${"é".repeat(250)}  ` }),
      line("assistant.message", { content: "", toolRequests: [{ name: "view" }, { name: "edit" }] }),
      line("assistant.message", { content: "" }),
      line("assistant.message", "not an object"),
    ]);
    expect(brief(events)).toEqual([
      ["notification", `${"é".repeat(200)}…`],
      ["notification", "requesting 2 tool(s): view, edit"],
      ["notification", "assistant message"],
      ["notification", "assistant message"],
    ]);
  });

  test("a result with a failing or missing exit code fails the turn even when the process exits 0", () => {
    for (const exitCode of [1, undefined]) {
      const { decision } = replay([JSON.stringify({ type: "result", sessionId: "s", exitCode, usage: {} })]);
      expect(decision).toMatchObject({ type: "turn_failed", message: "non-zero exit in result event" });
      if (decision.kind !== "terminal") throw new Error("expected a terminal decision");
      expect(decision.error?.kind).toBe("turn_failed");
    }
  });

  test("a session error explains the failing result line", () => {
    const message = "Authentication failed with provider at http://127.0.0.1:1/v1 (HTTP 401).";
    const { events, decision, log } = replay([
      line("session.error", { errorType: "authentication", message, statusCode: 401 }),
      JSON.stringify({ type: "result", sessionId: "s", exitCode: 1, usage: { premiumRequests: 0 } }),
    ]);
    expect(brief(events)[0]).toEqual(["notification", message]);
    expect(log.find("warn", "copilot session error")[0]?.properties).toEqual({
      error_type: "authentication",
      message,
    });
    if (decision.kind !== "terminal") throw new Error("expected a terminal decision");
    expect(decision.error?.toString()).toBe(`agent: turn_failed: non-zero exit in result event: ${message}`);
  });

  test("exit 0 without a result and without any assistant message produced nothing", () => {
    const { decision, log } = replay([line("session.tools_updated", { model: "m" })]);
    expect(decision).toMatchObject({ type: "turn_failed", message: "agent exited without producing output" });
    expect(log.find("warn", "agent exited without producing output")).toHaveLength(1);
  });

  test("session usage adds earlier turns' output tokens and keeps unknown counters unknown", () => {
    const base = { ...emptyUsage(), outputTokens: 10, totalTokens: 10 };
    const { parser } = replay([line("assistant.message", { content: "hi", outputTokens: 5 })], { base });
    expect(parser.sessionUsage()).toEqual({ ...UNKNOWN_TOKENS, outputTokens: 15, totalTokens: 15 });
  });

  test("recognizes the CLI's answer to a resumed id it does not know", () => {
    expect(stderrShowsStaleSession(["Error: No session, task, or name matched 'abc'."])).toBe(true);
    expect(stderrShowsStaleSession(["Error: No authentication information found."])).toBe(false);
  });
});

describe("copilot session accounting", () => {
  const result = (sessionId: string, premiumRequests: number | null, totalApiDurationMs: number) => ({
    sessionId,
    exitCode: 0,
    premiumRequests,
    totalApiDurationMs,
  });

  test("premium requests and API time continue across resumed processes of one CLI session", () => {
    const a = new CopilotAccounting();
    expect(a.premiumRequests()).toBeUndefined();
    expect(a.record(result("s1", 3, 100))).toBe(100);
    expect(a.record(result("s1", 5, 160))).toBe(60);
    expect(a.premiumRequests()).toBe(5);
  });

  test("a new CLI session (stale id fallback) adds to the previous one's premium requests", () => {
    const a = new CopilotAccounting();
    a.record(result("s1", 4, 100));
    a.startNewCliSession();
    expect(a.record(result("s2", 2, 30))).toBe(30);
    expect(a.premiumRequests()).toBe(6);
    a.record(result("s3", 1, 10));
    expect(a.premiumRequests()).toBe(7);
  });

  test("a result without premium requests keeps the last known count", () => {
    const a = new CopilotAccounting();
    a.record(result("s1", 2, 10));
    a.record(result("s1", null, 20));
    expect(a.premiumRequests()).toBe(2);
  });
});
