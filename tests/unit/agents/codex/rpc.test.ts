import { describe, expect, test } from "bun:test";
import {
  type IncomingMessage,
  type LineSink,
  RpcClient,
  RpcResponseError,
} from "../../../../src/agents/codex/rpc.ts";
import { SortieError } from "../../../../src/domain/errors.ts";
import { recordingLogger } from "../../../fakes/agent-cli/recording-logger.ts";
import { waitFor } from "../../../fakes/agent-cli/wait.ts";

/** A client wired to in-memory pipes: `written` is what it sent, `serve` feeds its stdout. */
function pipeClient(requestTimeoutMs = 1000) {
  const written: string[] = [];
  let ended = false;
  const stdin: LineSink = {
    write(chunk) {
      if (ended) throw new Error("EPIPE");
      written.push(chunk);
      return chunk.length;
    },
    flush: () => 0,
    end() {
      ended = true;
      return 0;
    },
  };
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stdout = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  const encoder = new TextEncoder();
  const client = new RpcClient({ stdin, stdout, logger: recordingLogger().logger, requestTimeoutMs });
  return {
    client,
    written,
    sent: () =>
      written
        .join("")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l)),
    serve: (text: string) => controller.enqueue(encoder.encode(text)),
    eof: () => controller.close(),
    isEnded: () => ended,
  };
}

describe("codex JSON-RPC client", () => {
  test("numbers requests from 1, writes whole lines without a jsonrpc member and matches answers by id", async () => {
    const p = pipeClient();
    const a = p.client.request("initialize", { x: 1 });
    const b = p.client.request("account/read", {});
    await waitFor(() => p.sent().length === 2, { what: "both requests" });
    expect(p.sent()).toEqual([
      { method: "initialize", id: 1, params: { x: 1 } },
      { method: "account/read", id: 2, params: {} },
    ]);
    expect(p.written.every((w) => w.endsWith("\n") && !w.includes("jsonrpc"))).toBe(true);
    p.serve('{"id":2,"result":{"account":null}}\n{"id":1,"result":{"ok":true}}\n');
    expect(await a).toEqual({ ok: true });
    expect(await b).toEqual({ account: null });
  });

  test("an error answer rejects with RpcResponseError (response_error) carrying code and message", async () => {
    const p = pipeClient();
    const req = p.client.request("thread/resume", {});
    p.serve('{"id":1,"error":{"code":-32600,"message":"no rollout found"}}\n');
    const err = await req.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcResponseError);
    expect(err).toMatchObject({
      kind: "response_error",
      code: -32600,
      message: "no rollout found",
      method: "thread/resume",
    });
  });

  test("a request nobody answers rejects with response_timeout after the bound", async () => {
    const p = pipeClient(50);
    const err = await p.client.request("initialize", {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SortieError);
    expect(err).toMatchObject({ kind: "response_timeout", message: "initialize: no response within 50 ms" });
  });

  test("server requests keep their id, including 0; notifications and malformed lines reach the handler", async () => {
    const p = pipeClient();
    const seen: IncomingMessage[] = [];
    p.client.setHandler((m) => seen.push(m));
    p.serve(
      [
        '{"method":"item/tool/call","id":0,"params":{"tool":"x"}}',
        '{"method":"turn/started","params":{"turnId":"t"}}',
        "not json",
        '{"result":{}}',
        '"a string"',
        "",
      ].join("\n"),
    );
    await waitFor(() => seen.length === 5, { what: "five messages" });
    expect(seen).toEqual([
      { kind: "request", id: 0, method: "item/tool/call", params: { tool: "x" } },
      { kind: "notification", method: "turn/started", params: { turnId: "t" } },
      expect.objectContaining({ kind: "malformed", line: "not json" }),
      { kind: "malformed", line: '{"result":{}}', reason: "neither a method nor a response id" },
      { kind: "malformed", line: '"a string"', reason: "not a JSON object" },
    ]);
    await p.client.respond(0, { success: false });
    expect(p.sent()).toEqual([{ id: 0, result: { success: false } }]);
  });

  test("messages that arrive while no handler is set are kept and delivered in order later", async () => {
    const p = pipeClient();
    p.serve('{"method":"a","params":1}\n{"method":"b","params":2}\n');
    const probe = p.client.request("ping", {});
    p.serve('{"id":1,"result":{}}\n');
    await probe;
    const seen: string[] = [];
    p.client.setHandler((m) => seen.push(m.kind === "notification" ? m.method : m.kind));
    expect(seen).toEqual(["a", "b"]);
  });

  test("end of output rejects pending requests with port_exit and refuses new ones", async () => {
    const p = pipeClient();
    const pending = p.client.request("turn/start", {});
    p.eof();
    expect(await p.client.closed).toEqual({ reason: "eof" });
    expect(await pending.catch((e: unknown) => e)).toMatchObject({ kind: "port_exit" });
    expect(await p.client.request("turn/start", {}).catch((e: unknown) => e)).toMatchObject({
      kind: "port_exit",
    });
    expect(p.client.isClosed).toBe(true);
  });

  test("a line over 1 MiB closes the client with a read error", async () => {
    const p = pipeClient();
    p.serve(`${"x".repeat(1024 * 1024 + 1)}\n`);
    const close = await p.client.closed;
    expect(close.reason).toBe("error");
  });

  test("closing the input ends stdin after queued writes; later writes fail with port_exit", async () => {
    const p = pipeClient();
    const note = p.client.notify("initialized", {});
    await p.client.closeInput();
    await note;
    expect(p.isEnded()).toBe(true);
    expect(p.sent()).toEqual([{ method: "initialized", params: {} }]);
    expect(await p.client.notify("x", {}).catch((e: unknown) => e)).toMatchObject({ kind: "port_exit" });
  });
});
