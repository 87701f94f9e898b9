// A test-side MCP client: sends JSON-RPC lines to a server and matches the reply lines it
// writes back by id. Works over an in-process stream pair or a child process's pipes.
import { waitFor } from "../../helpers/wait.ts";

export interface RpcReply {
  jsonrpc: string;
  id: unknown;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

export class RpcClient {
  readonly lines: string[] = [];
  #nextId = 1;
  readonly #send: (text: string) => void;

  constructor(send: (text: string) => void) {
    this.#send = send;
  }

  /** Feed output text as the server writes it (any chunking). */
  #partial = "";
  receive(text: string): void {
    const all = this.#partial + text;
    const parts = all.split("\n");
    this.#partial = parts.pop() ?? "";
    this.lines.push(...parts);
  }

  /** Every complete reply so far, parsed. */
  replies(): RpcReply[] {
    return this.lines.map((l) => JSON.parse(l) as RpcReply);
  }

  sendRaw(text: string): void {
    this.#send(text);
  }

  notify(method: string, params?: unknown): void {
    this.#send(
      `${JSON.stringify({ jsonrpc: "2.0", method, ...(params === undefined ? {} : { params }) })}\n`,
    );
  }

  async request(method: string, params?: unknown, timeoutMs = 20_000): Promise<RpcReply> {
    const id = this.#nextId++;
    this.#send(
      `${JSON.stringify({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) })}\n`,
    );
    return this.waitForReply(id, timeoutMs);
  }

  waitForReply(id: unknown, timeoutMs = 20_000): Promise<RpcReply> {
    return waitFor(() => this.replies().find((r) => r.id === id), { timeoutMs, what: `reply ${String(id)}` });
  }

  /** tools/call, returning the tool's output parsed from the text content. */
  async callTool(
    name: string,
    args?: unknown,
  ): Promise<{ output: unknown; isError: boolean; reply: RpcReply }> {
    const reply = await this.request("tools/call", {
      name,
      ...(args === undefined ? {} : { arguments: args }),
    });
    const content = (reply.result?.content ?? []) as { type: string; text: string }[];
    const text = content[0]?.text ?? "";
    const isError = reply.result?.isError === true;
    return { output: isError ? text : JSON.parse(text), isError, reply };
  }

  async initialize(protocolVersion = "2025-06-18"): Promise<RpcReply> {
    const reply = await this.request("initialize", {
      protocolVersion,
      capabilities: {},
      clientInfo: { name: "sortie-tests", version: "0" },
    });
    this.notify("notifications/initialized");
    return reply;
  }
}

/** A readable stream the test writes lines into, standing in for the server's stdin. */
export function inputPipe(): { stream: ReadableStream<Uint8Array>; write(text: string): void; end(): void } {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  return {
    stream,
    write: (text) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
  };
}
