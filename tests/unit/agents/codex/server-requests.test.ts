import { describe, expect, test } from "bun:test";
import type { DynamicTool } from "../../../../src/agents/codex/index.ts";
import { waitFor } from "../../../fakes/agent-cli/wait.ts";
import {
  type AdapterOptions,
  clientReply,
  clientRequests,
  runTurn,
  startedSession,
  useHarness,
} from "../../../fakes/codex-app-server/harness.ts";
import type { Step } from "../../../fakes/codex-app-server/scenario.ts";

const h = useHarness();

const TURN_ID = "turn-9";
const started = [
  `{"id":0,"result":{"turn":{"id":"${TURN_ID}","status":"inProgress"}}}`,
  `{"method":"turn/started","params":{"threadId":"thread-abc-123","turn":{"id":"${TURN_ID}"}}}`,
];
const completed = `{"method":"turn/completed","params":{"threadId":"thread-abc-123","turn":{"id":"${TURN_ID}","status":"completed"}}}`;
const interrupted = `{"method":"turn/completed","params":{"threadId":"thread-abc-123","turn":{"id":"${TURN_ID}","status":"interrupted"}}}`;

function serverRequest(id: number, method: string, params: Record<string, unknown>): string {
  return JSON.stringify({ id, method, params: { threadId: "thread-abc-123", turnId: TURN_ID, ...params } });
}

const sessionWith = (turn: Step[], options: AdapterOptions = {}) =>
  startedSession(
    h,
    { "turn/start": [turn], "turn/interrupt": [['{"id":0,"result":{}}', interrupted]] },
    options,
  );

function tool(
  name: string,
  run: (args: unknown) => Promise<{ success: boolean; output: string }>,
): DynamicTool {
  return {
    name,
    description: `the ${name} tool`,
    inputSchema: '{"type":"object","properties":{"op":{"type":"string"}}}',
    execute: (args) => run(args),
  };
}

describe("codex server requests are always answered", () => {
  test("command and file-change approvals are granted for the session and reported", async () => {
    const { adapter, session } = await sessionWith([
      ...started,
      serverRequest(0, "item/commandExecution/requestApproval", {
        itemId: "call_1",
        command: "/bin/bash -lc 'touch x.txt'",
        availableDecisions: ["accept", "cancel"],
      }),
      serverRequest(1, "item/fileChange/requestApproval", { itemId: "call_2" }),
      serverRequest(2, "execCommandApproval", { command: ["rm", "-rf", "build"] }),
      serverRequest(3, "item/permissions/requestApproval", {
        itemId: "call_3",
        reason: "needs network",
        permissions: { network: { enabled: true }, fileSystem: null },
      }),
      completed,
    ]);
    const { outcome, events } = await runTurn(adapter, session);
    expect(outcome.result.exitReason).toBe("turn_completed");
    // The server offered no "acceptForSession" for the command, so plain "accept" is chosen.
    expect(clientReply(h, 0)?.result).toEqual({ decision: "accept" });
    expect(clientReply(h, 1)?.result).toEqual({ decision: "acceptForSession" });
    expect(clientReply(h, 2)?.result).toEqual({ decision: "approved_for_session" });
    expect(clientReply(h, 3)?.result).toEqual({ permissions: { network: { enabled: true } }, scope: "turn" });
    expect(events.filter((e) => e.type === "approval_auto_approved").map((e) => e.message)).toEqual([
      "approved command: /bin/bash -lc 'touch x.txt'",
      "approved file change: call_2",
      "approved command: rm -rf build",
      "approved permissions: needs network",
    ]);
  });

  test("MCP elicitations are declined and unknown server requests get a method-not-found error", async () => {
    const { adapter, session } = await sessionWith([
      ...started,
      serverRequest(0, "mcpServer/elicitation/request", { serverName: "x" }),
      serverRequest(1, "something/new", {}),
      completed,
    ]);
    const { outcome, events } = await runTurn(adapter, session);
    expect(outcome.result.exitReason).toBe("turn_completed");
    expect(clientReply(h, 0)?.result).toEqual({ action: "decline", content: null, _meta: null });
    expect(clientReply(h, 1)?.error).toEqual({
      code: -32601,
      message: "sortie does not handle something/new",
    });
    expect(events.map((e) => e.type)).toContain("other_message");
  });

  test("a request for user input is refused and ends the turn as turn_input_required", async () => {
    const { adapter, session } = await sessionWith([
      ...started,
      serverRequest(0, "item/tool/requestUserInput", {
        itemId: "call_4",
        questions: [{ id: "q1", header: "Target", question: "Which branch should I use?" }],
      }),
      { $hang: true },
    ]);
    const { outcome, events } = await runTurn(adapter, session);
    expect(clientReply(h, 0)?.error?.code).toBe(-32000);
    const interrupt = clientRequests(h).find((r) => r.method === "turn/interrupt");
    expect(interrupt?.params).toEqual({ threadId: "thread-abc-123", turnId: TURN_ID });
    expect(events.at(-1)).toMatchObject({
      type: "turn_input_required",
      message: "agent asked for input: Which branch should I use?",
    });
    expect(outcome.result.exitReason).toBe("turn_input_required");
    expect(outcome.error?.kind).toBe("turn_input_required");
  });

  test("sortie's tools are offered sorted with parsed schemas and run when Codex calls them", async () => {
    const calls: unknown[] = [];
    const tools = [
      tool("tracker_api", async (args) => {
        calls.push(args);
        return { success: true, output: '{"success":true,"data":{"state":"open"}}' };
      }),
      tool("a_failing_tool", async () => {
        throw new Error("tracker unreachable");
      }),
    ];
    const { adapter, session } = await sessionWith(
      [
        ...started,
        serverRequest(0, "item/tool/call", { callId: "c1", tool: "tracker_api", arguments: { op: "get" } }),
        serverRequest(1, "item/tool/call", { callId: "c2", tool: "a_failing_tool", arguments: {} }),
        serverRequest(2, "item/tool/call", { callId: "c3", tool: "create_issue", arguments: {} }),
        serverRequest(3, "item/tool/call", { callId: "c4" }),
        completed,
      ],
      { deps: { tools } },
    );
    expect(clientRequests(h).find((r) => r.method === "thread/start")?.params?.dynamicTools).toEqual([
      {
        name: "a_failing_tool",
        description: "the a_failing_tool tool",
        inputSchema: { type: "object", properties: { op: { type: "string" } } },
      },
      {
        name: "tracker_api",
        description: "the tracker_api tool",
        inputSchema: { type: "object", properties: { op: { type: "string" } } },
      },
    ]);

    const { outcome, events } = await runTurn(adapter, session);
    expect(outcome.result.exitReason).toBe("turn_completed");
    expect(calls).toEqual([{ op: "get" }]);
    expect(clientReply(h, 0)?.result).toEqual({
      success: true,
      output: '{"success":true,"data":{"state":"open"}}',
      contentItems: [{ type: "inputText", text: '{"success":true,"data":{"state":"open"}}' }],
    });
    expect(clientReply(h, 1)?.result).toMatchObject({ success: false, output: "tracker unreachable" });
    expect(clientReply(h, 2)?.result).toMatchObject({
      success: false,
      output: "unsupported tool: create_issue",
    });
    expect(clientReply(h, 3)?.result).toMatchObject({ success: false, output: "invalid tool call params" });

    const results = events.filter((e) => e.type === "tool_result");
    expect(results.map((e) => [e.toolName, e.toolError, e.message])).toEqual([
      ["tracker_api", false, "tool_result: tracker_api"],
      ["a_failing_tool", true, "tracker unreachable"],
    ]);
    expect(events.find((e) => e.type === "unsupported_tool_call")?.message).toBe(
      'tool "create_issue" not registered',
    );
  });

  test("an empty tool registry offers no dynamic tools", async () => {
    await sessionWith([...started, completed], { deps: { tools: [] } });
    expect(clientRequests(h).find((r) => r.method === "thread/start")?.params).not.toHaveProperty(
      "dynamicTools",
    );
  });

  test("a tool still running when the turn is cancelled is aborted and its events come before the end", async () => {
    let toolSignal: AbortSignal | undefined;
    const slow: DynamicTool = {
      name: "slow",
      description: "waits for its signal",
      inputSchema: { type: "object" },
      execute: (_args, signal) =>
        new Promise((resolve) => {
          toolSignal = signal;
          signal.addEventListener("abort", () => resolve({ success: false, output: "aborted" }), {
            once: true,
          });
        }),
    };
    const { adapter, session } = await sessionWith(
      [...started, serverRequest(0, "item/tool/call", { tool: "slow", arguments: {} }), { $hang: true }],
      { deps: { tools: [slow], interruptGraceMs: 200 } },
    );
    const ctl = new AbortController();
    const running = runTurn(adapter, session, { signal: ctl.signal });
    await waitFor(() => toolSignal !== undefined, { what: "the tool to start" });
    ctl.abort();
    const { outcome, events } = await running;
    expect(toolSignal?.aborted).toBe(true);
    expect(outcome.error?.kind).toBe("turn_cancelled");
    const types = events.map((e) => e.type);
    expect(types.indexOf("tool_result")).toBeLessThan(types.indexOf("turn_cancelled"));
    expect(types.at(-1)).toBe("turn_cancelled");
  });
});
