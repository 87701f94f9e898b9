// A fake of the Anthropic Messages API for driving the real `claude` CLI offline. Answers are
// scripted from the latest user message, every request is logged, and each answer carries fixed,
// known token usage so tests can compare the CLI's reported totals with what the "model" charged.
//
// Script (in the latest user text):
//   WRITE:<file>:<content>   answer with a Write tool call (relative files resolve against the
//                            working directory named in the system prompt)
//   BASH:<command>           answer with a Bash tool call
//   SLEEP:<ms>               delay the answer (the connection stays open, for abort tests);
//                            `releaseDelays()` ends every delay in progress at once
//   anything else            plain text "Hello from the fake Anthropic server."
// After a tool_result comes back, the answer is final text "Done. Tool said: <result>".

export interface FakeUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  host: string;
  body: unknown;
  /** Addressed to another host (the fake is also the agent's proxy). */
  foreign: boolean;
}

export interface MessageCall {
  request: AnthropicRequest;
  usage: FakeUsage;
  answer: "tool_use" | "text";
}

interface ContentBlock {
  type: string;
  text?: string;
  content?: unknown;
  tool_use_id?: string;
  id?: string;
  name?: string;
  input?: unknown;
}

interface AnthropicMessage {
  role: string;
  content: string | ContentBlock[];
}

export interface AnthropicRequest {
  model?: string;
  stream?: boolean;
  system?: string | { type: string; text: string }[];
  messages?: AnthropicMessage[];
  tools?: { name: string }[];
  max_tokens?: number;
}

export interface FakeAnthropicOptions {
  /** Usage charged for every answered /v1/messages request. */
  usage?: Partial<FakeUsage>;
  model?: string;
  /** Answer every /v1/messages call with this HTTP error (401 = bad API key). */
  errorStatus?: number;
}

export interface FakeAnthropic {
  readonly url: string;
  readonly requests: readonly LoggedRequest[];
  readonly messageCalls: readonly MessageCall[];
  /** Sum of the usage of every answered /v1/messages call. */
  totals(): FakeUsage;
  /** Answers every request currently held by a SLEEP now (a test decides when the "model" is done). */
  releaseDelays(): void;
  stop(): Promise<void>;
}

export const DEFAULT_FAKE_USAGE: FakeUsage = {
  input_tokens: 1200,
  output_tokens: 42,
  cache_read_input_tokens: 300,
  cache_creation_input_tokens: 25,
};

export function startFakeAnthropic(options: FakeAnthropicOptions = {}): FakeAnthropic {
  const usage: FakeUsage = { ...DEFAULT_FAKE_USAGE, ...options.usage };
  const requests: LoggedRequest[] = [];
  const messageCalls: MessageCall[] = [];
  let seq = 0;
  // Bumped by releaseDelays(); a delayed answer stops waiting once it changes.
  const release = { generation: 0 };

  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    async fetch(req, srv) {
      const host = req.headers.get("host") ?? "";
      // Also configured as the agent's HTTP(S) proxy: anything bound for another host arrives
      // here (CONNECT for https) and is logged as foreign and refused.
      if (req.method === "CONNECT" || host !== `127.0.0.1:${srv.port}`) {
        requests.push({ method: req.method, path: req.url, host, body: undefined, foreign: true });
        return new Response("sortie fake: no other hosts", { status: 403 });
      }
      const url = new URL(req.url);
      const text = req.method === "POST" ? await req.text() : "";
      let body: unknown = text;
      try {
        body = text === "" ? undefined : JSON.parse(text);
      } catch {
        // keep raw text
      }
      requests.push({ method: req.method, path: url.pathname, host, body, foreign: false });

      if (req.method === "POST" && url.pathname === "/v1/messages/count_tokens") {
        return Response.json({ input_tokens: usage.input_tokens });
      }
      if (req.method === "POST" && url.pathname === "/v1/messages" && options.errorStatus !== undefined) {
        const type = options.errorStatus === 401 ? "authentication_error" : "api_error";
        return Response.json(
          { type: "error", error: { type, message: "sortie fake: scripted failure" } },
          { status: options.errorStatus },
        );
      }
      if (req.method === "POST" && url.pathname === "/v1/messages") {
        seq += 1;
        const request = (body ?? {}) as AnthropicRequest;
        const reply = scriptReply(request, seq);
        messageCalls.push({ request, usage, answer: reply.kind });
        const model = options.model ?? request.model ?? "claude-fake-1";
        if (request.stream === false) return Response.json(jsonMessage(reply, model, usage, seq));
        return sseResponse(reply, model, usage, seq, reply.delayMs, req.signal, release);
      }
      // Anything else the CLI probes at start-up gets a harmless empty answer.
      return Response.json({});
    },
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    messageCalls,
    totals() {
      const sum: FakeUsage = {
        input_tokens: 0,
        output_tokens: 0,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
      };
      for (const call of messageCalls) {
        sum.input_tokens += call.usage.input_tokens;
        sum.output_tokens += call.usage.output_tokens;
        sum.cache_read_input_tokens += call.usage.cache_read_input_tokens;
        sum.cache_creation_input_tokens += call.usage.cache_creation_input_tokens;
      }
      return sum;
    },
    releaseDelays() {
      release.generation += 1;
    },
    async stop() {
      await server.stop(true);
    },
  };
}

type Reply =
  | { kind: "text"; text: string; delayMs: number }
  | { kind: "tool_use"; name: string; input: Record<string, unknown>; delayMs: number };

/** The conversation without the CLI's `role: "system"` entries (an environment block it appends). */
function conversation(request: AnthropicRequest): AnthropicMessage[] {
  return (request.messages ?? []).filter((m) => m.role !== "system");
}

function blocks(message: AnthropicMessage): ContentBlock[] {
  return typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
}

function toolResultText(block: ContentBlock): string {
  if (typeof block.content === "string") return block.content;
  if (Array.isArray(block.content)) {
    return (block.content as ContentBlock[])
      .filter((c) => c.type === "text")
      .map((c) => c.text ?? "")
      .join("");
  }
  return "";
}

function systemText(request: AnthropicRequest): string {
  if (typeof request.system === "string") return request.system;
  return (request.system ?? []).map((s) => s.text).join("\n");
}

function workingDirectory(request: AnthropicRequest): string | undefined {
  const all = [
    systemText(request),
    ...(request.messages ?? []).flatMap((m) => blocks(m).map((b) => b.text ?? "")),
  ];
  for (const text of all) {
    const match = /Primary working directory: (\S+)/.exec(text) ?? /Working directory: (\S+)/.exec(text);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

function scriptReply(request: AnthropicRequest, seq: number): Reply {
  const messages = conversation(request);
  const last = messages.at(-1);
  const lastBlocks = last ? blocks(last) : [];
  const toolResult = last?.role === "user" ? lastBlocks.find((b) => b.type === "tool_result") : undefined;
  if (toolResult) return { kind: "text", text: `Done. Tool said: ${toolResultText(toolResult)}`, delayMs: 0 };

  const userText = lastBlocks
    .filter((b) => b.type === "text")
    .map((b) => b.text ?? "")
    .join("\n");
  const delayMs = Number(/SLEEP:(\d+)/.exec(userText)?.[1] ?? 0);
  const write = /WRITE:([^:\s]+):([^\n]*)/.exec(userText);
  if (write?.[1] !== undefined) {
    const cwd = workingDirectory(request);
    const file = write[1].startsWith("/") || cwd === undefined ? write[1] : `${cwd}/${write[1]}`;
    return {
      kind: "tool_use",
      name: "Write",
      input: { file_path: file, content: `${write[2] ?? ""}\nseq=${seq}\n` },
      delayMs,
    };
  }
  const bash = /BASH:([^\n]+)/.exec(userText);
  if (bash?.[1] !== undefined) {
    return {
      kind: "tool_use",
      name: "Bash",
      input: { command: bash[1], description: "Run scripted command" },
      delayMs,
    };
  }
  return { kind: "text", text: "Hello from the fake Anthropic server.", delayMs };
}

function contentBlock(reply: Reply, seq: number): Record<string, unknown> {
  return reply.kind === "text"
    ? { type: "text", text: reply.text }
    : { type: "tool_use", id: `toolu_fake_${seq}`, name: reply.name, input: reply.input };
}

function jsonMessage(reply: Reply, model: string, usage: FakeUsage, seq: number): Record<string, unknown> {
  return {
    id: `msg_fake_${seq}`,
    type: "message",
    role: "assistant",
    model,
    content: [contentBlock(reply, seq)],
    stop_reason: reply.kind === "tool_use" ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage,
  };
}

function sseResponse(
  reply: Reply,
  model: string,
  usage: FakeUsage,
  seq: number,
  delayMs: number,
  signal: AbortSignal,
  release: { readonly generation: number },
): Response {
  const encoder = new TextEncoder();
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
          usage: {
            input_tokens: usage.input_tokens,
            output_tokens: 1,
            cache_read_input_tokens: usage.cache_read_input_tokens,
            cache_creation_input_tokens: usage.cache_creation_input_tokens,
          },
        },
      },
    ],
  ];
  if (reply.kind === "text") {
    events.push(
      [
        "content_block_start",
        { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      ],
      [
        "content_block_delta",
        { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: reply.text } },
      ],
    );
  } else {
    events.push(
      [
        "content_block_start",
        {
          type: "content_block_start",
          index: 0,
          content_block: { type: "tool_use", id: `toolu_fake_${seq}`, name: reply.name, input: {} },
        },
      ],
      [
        "content_block_delta",
        {
          type: "content_block_delta",
          index: 0,
          delta: { type: "input_json_delta", partial_json: JSON.stringify(reply.input) },
        },
      ],
    );
  }
  events.push(
    ["content_block_stop", { type: "content_block_stop", index: 0 }],
    [
      "message_delta",
      {
        type: "message_delta",
        delta: { stop_reason: reply.kind === "tool_use" ? "tool_use" : "end_turn", stop_sequence: null },
        usage: { output_tokens: usage.output_tokens },
      },
    ],
    ["message_stop", { type: "message_stop" }],
  );

  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      if (delayMs > 0) {
        // Keep the connection alive with SSE pings while the "model thinks".
        const deadline = Date.now() + delayMs;
        const generation = release.generation;
        while (Date.now() < deadline && !signal.aborted && release.generation === generation) {
          controller.enqueue(encoder.encode('event: ping\ndata: {"type":"ping"}\n\n'));
          await Bun.sleep(Math.min(200, Math.max(0, deadline - Date.now())));
        }
        if (signal.aborted) {
          controller.close();
          return;
        }
      }
      for (const [name, data] of events) {
        controller.enqueue(encoder.encode(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`));
      }
      controller.close();
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      "request-id": `req_fake_${seq}`,
    },
  });
}
