import { describe, expect, test } from "bun:test";
import {
  type AgentTool,
  BASELINE_PROTOCOL_VERSION,
  createDispatcher,
  handleLine,
  negotiateProtocolVersion,
} from "../../../src/mcp/index.ts";

const signal = new AbortController().signal;

function tool(name: string, call: AgentTool["call"] = async () => ({ ok: name })): AgentTool {
  return { name, description: `${name} tool`, inputSchema: { type: "object", properties: {} }, call };
}

function dispatcher(tools: AgentTool[] = [tool("zeta"), tool("alpha")], onToolCall?: () => void) {
  return createDispatcher({ tools, version: "1.2.3", ...(onToolCall ? { onToolCall } : {}) });
}

async function reply(line: string, tools?: AgentTool[]): Promise<unknown> {
  const out = await handleLine(dispatcher(tools), line, signal);
  return out === null ? null : JSON.parse(out);
}

const request = (id: unknown, method: string, params?: unknown) =>
  JSON.stringify({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) });

describe("initialize", () => {
  test("answers with the server name, sortie's version and the tools capability", async () => {
    expect(await reply(request(1, "initialize", { protocolVersion: "2024-11-05" }))).toEqual({
      jsonrpc: "2.0",
      id: 1,
      result: {
        protocolVersion: "2024-11-05",
        capabilities: { tools: {} },
        serverInfo: { name: "sortie-tools", version: "1.2.3" },
      },
    });
  });

  test("echoes a supported protocol version the client asks for", async () => {
    for (const version of ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]) {
      const r = (await reply(request(7, "initialize", { protocolVersion: version }))) as {
        result: { protocolVersion: string };
      };
      expect(r.result.protocolVersion).toBe(version);
    }
  });

  test("falls back to the baseline version for unknown, missing or malformed requests", async () => {
    expect(negotiateProtocolVersion("2099-01-01")).toBe(BASELINE_PROTOCOL_VERSION);
    expect(negotiateProtocolVersion(undefined)).toBe("2024-11-05");
    expect(negotiateProtocolVersion(20241105)).toBe("2024-11-05");
    const r = (await reply(request(1, "initialize"))) as { result: { protocolVersion: string } };
    expect(r.result.protocolVersion).toBe("2024-11-05");
  });

  test("the line written is compact JSON with jsonrpc, id and result in that order", async () => {
    const out = await handleLine(dispatcher(), request("a", "ping"), signal);
    expect(out).toBe('{"jsonrpc":"2.0","id":"a","result":{}}');
  });
});

describe("tools/list", () => {
  test("lists name, description and inputSchema sorted by name", async () => {
    expect(await reply(request(2, "tools/list"))).toEqual({
      jsonrpc: "2.0",
      id: 2,
      result: {
        tools: [
          { name: "alpha", description: "alpha tool", inputSchema: { type: "object", properties: {} } },
          { name: "zeta", description: "zeta tool", inputSchema: { type: "object", properties: {} } },
        ],
      },
    });
  });

  test("an empty registry lists no tools", async () => {
    expect(await reply(request(2, "tools/list"), [])).toEqual({
      jsonrpc: "2.0",
      id: 2,
      result: { tools: [] },
    });
  });
});

describe("tools/call", () => {
  test("returns the tool's JSON output as one text content item", async () => {
    const echo = tool("echo", async (args) => ({ success: true, data: args }));
    expect(
      await reply(request(3, "tools/call", { name: "echo", arguments: { operation: "x" } }), [echo]),
    ).toEqual({
      jsonrpc: "2.0",
      id: 3,
      result: { content: [{ type: "text", text: '{"success":true,"data":{"operation":"x"}}' }] },
    });
  });

  test("a domain failure in the output is still a normal result, without isError", async () => {
    const failing = tool("t", async () => ({
      success: false,
      error: { kind: "invalid_input", message: "m" },
    }));
    const r = (await reply(request(3, "tools/call", { name: "t", arguments: {} }), [failing])) as {
      result: Record<string, unknown>;
    };
    expect(r.result.isError).toBeUndefined();
    expect(JSON.parse((r.result.content as { text: string }[])[0]?.text ?? "")).toEqual({
      success: false,
      error: { kind: "invalid_input", message: "m" },
    });
  });

  test("a tool that throws answers isError with the error text", async () => {
    const broken = tool("t", async () => {
      throw new Error("disk on fire");
    });
    expect(await reply(request(4, "tools/call", { name: "t" }), [broken])).toEqual({
      jsonrpc: "2.0",
      id: 4,
      result: { content: [{ type: "text", text: "disk on fire" }], isError: true },
    });
  });

  test("passes the arguments and the server's signal to the tool", async () => {
    let seen: { args: unknown; signal: AbortSignal } | undefined;
    const spy = tool("spy", async (args, s) => {
      seen = { args, signal: s };
      return {};
    });
    const controller = new AbortController();
    await handleLine(
      createDispatcher({ tools: [spy], version: "v" }),
      request(1, "tools/call", { name: "spy", arguments: { a: 1 } }),
      controller.signal,
    );
    expect(seen?.args).toEqual({ a: 1 });
    expect(seen?.signal).toBe(controller.signal);
  });

  test("reports each call to onToolCall", async () => {
    const calls: unknown[] = [];
    const d = createDispatcher({
      tools: [tool("ok"), tool("bad", async () => ({ error: "state file is a symlink" }))],
      version: "v",
      onToolCall: (name, outcome) => calls.push({ name, ...outcome }),
    });
    await handleLine(d, request(1, "tools/call", { name: "ok" }), signal);
    await handleLine(d, request(2, "tools/call", { name: "bad" }), signal);
    expect(calls).toEqual([
      { name: "ok", isError: false, failed: false },
      { name: "bad", isError: false, failed: true },
    ]);
  });

  test.each([
    ["no params", undefined, "invalid params: params must be an object"],
    ["params not an object", [1], "invalid params: params must be an object"],
    ["no name", { arguments: {} }, "invalid params: tool name required"],
    ["empty name", { name: "" }, "invalid params: tool name required"],
    ["name not a string", { name: 5 }, "invalid params: name must be a string"],
    ["unknown tool", { name: "nope" }, 'invalid params: unknown tool "nope"'],
  ])("%s is a -32602 error", async (_label, params, message) => {
    expect(await reply(request(9, "tools/call", params))).toEqual({
      jsonrpc: "2.0",
      id: 9,
      error: { code: -32602, message },
    });
  });
});

describe("framing errors and notifications", () => {
  test("an unparseable line is a parse error with a null id", async () => {
    for (const line of ["not json", '{"jsonrpc":"2.0","id":1', "{]"]) {
      expect(await reply(line)).toEqual({
        jsonrpc: "2.0",
        id: null,
        error: { code: -32700, message: "parse error" },
      });
    }
  });

  test("jsonrpc other than 2.0 is an invalid request that echoes the id", async () => {
    for (const jsonrpc of ["1.0", undefined, 2]) {
      expect(await reply(JSON.stringify({ jsonrpc, id: "x-1", method: "tools/list" }))).toEqual({
        jsonrpc: "2.0",
        id: "x-1",
        error: { code: -32600, message: 'invalid request: jsonrpc must be "2.0"' },
      });
    }
  });

  test("a message that is not an object is an invalid request", async () => {
    expect(await reply("42")).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32600, message: "invalid request: expected an object" },
    });
  });

  test("unknown methods are -32601 errors naming the method", async () => {
    expect(await reply(request(5, "resources/list"))).toEqual({
      jsonrpc: "2.0",
      id: 5,
      error: { code: -32601, message: "method not found: resources/list" },
    });
  });

  test("ping answers an empty result", async () => {
    expect(await reply(request(6, "ping"))).toEqual({ jsonrpc: "2.0", id: 6, result: {} });
  });

  test("notifications (no id or a null id) get no reply, whatever the method", async () => {
    let called = false;
    const tools = [
      tool("t", async () => {
        called = true;
        return {};
      }),
    ];
    expect(
      await reply(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }), tools),
    ).toBeNull();
    expect(await reply(JSON.stringify({ jsonrpc: "2.0", id: null, method: "tools/list" }), tools)).toBeNull();
    expect(
      await reply(JSON.stringify({ jsonrpc: "2.0", method: "tools/call", params: { name: "t" } }), tools),
    ).toBeNull();
    expect(called).toBe(false);
  });

  test("the client's own responses get no reply", async () => {
    expect(await reply(JSON.stringify({ jsonrpc: "2.0", id: 1, result: {} }))).toBeNull();
    expect(
      await reply(JSON.stringify({ jsonrpc: "2.0", id: 2, error: { code: 1, message: "x" } })),
    ).toBeNull();
  });

  test("blank lines are skipped", async () => {
    expect(await reply("")).toBeNull();
    expect(await reply("   \r")).toBeNull();
  });

  test("ids are echoed as given: numbers, strings, zero", async () => {
    for (const id of [0, 17, "abc", "0"]) {
      expect(((await reply(request(id, "ping"))) as { id: unknown }).id).toBe(id);
    }
  });

  test("a batch is answered with an array of the replies, notifications left out", async () => {
    const out = await reply(
      JSON.stringify([
        { jsonrpc: "2.0", id: 1, method: "ping" },
        { jsonrpc: "2.0", method: "notifications/initialized" },
        { jsonrpc: "2.0", id: 2, method: "nope" },
      ]),
    );
    expect(out).toEqual([
      { jsonrpc: "2.0", id: 1, result: {} },
      { jsonrpc: "2.0", id: 2, error: { code: -32601, message: "method not found: nope" } },
    ]);
    expect(await reply(JSON.stringify([{ jsonrpc: "2.0", method: "notifications/initialized" }]))).toBeNull();
    expect(await reply("[]")).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32600, message: "invalid request: empty batch" },
    });
  });
});
