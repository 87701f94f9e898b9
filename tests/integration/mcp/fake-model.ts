// A minimal fake of the Anthropic Messages API that makes the real `claude` CLI call one tool
// by name: the latest user text `TOOL:<name>:<json input>` is answered with a tool_use block for
// <name> (when the request offers that tool), the tool's result with a final text quoting it.
// Every request is logged; requests for other hosts (it is also the CLI's proxy) are refused.

export interface ToolFakeRequest {
  method: string;
  path: string;
  foreign: boolean;
  body?: MessagesRequest;
}

interface Block {
  type: string;
  text?: string;
  content?: unknown;
  name?: string;
}

export interface MessagesRequest {
  model?: string;
  stream?: boolean;
  messages?: { role: string; content: string | Block[] }[];
  tools?: { name: string }[];
}

export interface ToolFake {
  url: string;
  requests: ToolFakeRequest[];
  /** Texts of the tool results the CLI sent back, in order. */
  toolResults: string[];
  stop(): Promise<void>;
}

const USAGE = {
  input_tokens: 100,
  output_tokens: 10,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
};

function blocks(content: string | Block[]): Block[] {
  return typeof content === "string" ? [{ type: "text", text: content }] : content;
}

function resultText(block: Block): string {
  if (typeof block.content === "string") return block.content;
  if (Array.isArray(block.content)) return (block.content as Block[]).map((b) => b.text ?? "").join("");
  return "";
}

type Reply = { kind: "text"; text: string } | { kind: "tool_use"; name: string; input: unknown };

function script(request: MessagesRequest, toolResults: string[]): Reply {
  const messages = (request.messages ?? []).filter((m) => m.role !== "system");
  const last = messages.at(-1);
  const lastBlocks = last ? blocks(last.content) : [];
  const result = last?.role === "user" ? lastBlocks.find((b) => b.type === "tool_result") : undefined;
  if (result) {
    const text = resultText(result);
    toolResults.push(text);
    return { kind: "text", text: `Done. Tool said: ${text}` };
  }
  const userText = lastBlocks.map((b) => b.text ?? "").join("\n");
  const match = /TOOL:([^:\s]+):(\{.*\})/.exec(userText);
  if (match?.[1] && request.tools?.some((t) => t.name === match[1])) {
    return { kind: "tool_use", name: match[1], input: JSON.parse(match[2] ?? "{}") };
  }
  return {
    kind: "text",
    text: `No such tool offered. Tools: ${(request.tools ?? []).map((t) => t.name).join(",")}`,
  };
}

function content(reply: Reply, seq: number): Record<string, unknown> {
  return reply.kind === "text"
    ? { type: "text", text: reply.text }
    : { type: "tool_use", id: `toolu_fake_${seq}`, name: reply.name, input: reply.input };
}

function sse(reply: Reply, model: string, seq: number): Response {
  const stop = reply.kind === "tool_use" ? "tool_use" : "end_turn";
  const start =
    reply.kind === "text"
      ? { type: "text", text: "" }
      : { type: "tool_use", id: `toolu_fake_${seq}`, name: reply.name, input: {} };
  const delta =
    reply.kind === "text"
      ? { type: "text_delta", text: reply.text }
      : { type: "input_json_delta", partial_json: JSON.stringify(reply.input) };
  const events: [string, unknown][] = [
    [
      "message_start",
      {
        type: "message_start",
        message: {
          id: `msg_fake_${seq}`,
          type: "message",
          role: "assistant",
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...USAGE, output_tokens: 1 },
        },
      },
    ],
    ["content_block_start", { type: "content_block_start", index: 0, content_block: start }],
    ["content_block_delta", { type: "content_block_delta", index: 0, delta }],
    ["content_block_stop", { type: "content_block_stop", index: 0 }],
    [
      "message_delta",
      {
        type: "message_delta",
        delta: { stop_reason: stop, stop_sequence: null },
        usage: { output_tokens: USAGE.output_tokens },
      },
    ],
    ["message_stop", { type: "message_stop" }],
  ];
  const body = events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`).join("");
  return new Response(body, {
    headers: { "content-type": "text/event-stream", "request-id": `req_fake_${seq}` },
  });
}

export function startToolFake(): ToolFake {
  const requests: ToolFakeRequest[] = [];
  const toolResults: string[] = [];
  let seq = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    async fetch(req, srv) {
      const host = req.headers.get("host") ?? "";
      if (req.method === "CONNECT" || host !== `127.0.0.1:${srv.port}`) {
        requests.push({ method: req.method, path: req.url, foreign: true });
        return new Response("fake model: no other hosts", { status: 403 });
      }
      const url = new URL(req.url);
      const text = req.method === "POST" ? await req.text() : "";
      let body: MessagesRequest | undefined;
      try {
        body = text === "" ? undefined : (JSON.parse(text) as MessagesRequest);
      } catch {
        body = undefined;
      }
      requests.push({ method: req.method, path: url.pathname, foreign: false, ...(body ? { body } : {}) });
      if (req.method === "POST" && url.pathname === "/v1/messages/count_tokens") {
        return Response.json({ input_tokens: USAGE.input_tokens });
      }
      if (req.method === "POST" && url.pathname === "/v1/messages") {
        seq += 1;
        const request = body ?? {};
        const reply = script(request, toolResults);
        const model = request.model ?? "claude-fake-1";
        if (request.stream === false) {
          return Response.json({
            id: `msg_fake_${seq}`,
            type: "message",
            role: "assistant",
            model,
            content: [content(reply, seq)],
            stop_reason: reply.kind === "tool_use" ? "tool_use" : "end_turn",
            stop_sequence: null,
            usage: USAGE,
          });
        }
        return sse(reply, model, seq);
      }
      return Response.json({});
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    toolResults,
    stop: async () => {
      await server.stop(true);
    },
  };
}
