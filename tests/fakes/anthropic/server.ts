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
import {
  resolveFile,
  scriptedCommand,
  scriptedDelayMs,
  scriptedWrite,
  toolSaid,
} from "../model-server/script.ts";
import { type LoggedRequest, serveFakeModel } from "../model-server/serve.ts";
import { sseEvent, sseResponse } from "../model-server/sse.ts";
import { sumUsage } from "../model-server/usage.ts";
import { jsonMessage, type MessageReply, type MessageUsage, messageEvents } from "./messages.ts";

export type { LoggedRequest } from "../model-server/serve.ts";
export type FakeUsage = MessageUsage;

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
  const messageCalls: MessageCall[] = [];
  let seq = 0;
  // Bumped by releaseDelays(); a delayed answer stops waiting once it changes.
  const release = { generation: 0 };

  const server = serveFakeModel((req, url, body) => {
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
      return sseResponse({
        frames: messageEvents(reply, model, usage, seq),
        delayMs: reply.delayMs,
        keepAlive: sseEvent({ type: "ping" }, "ping"),
        signal: req.signal,
        release,
        headers: { "request-id": `req_fake_${seq}` },
      });
    }
    // Anything else the CLI probes at start-up gets a harmless empty answer.
    return Response.json({});
  });

  return {
    url: server.origin,
    requests: server.requests,
    messageCalls,
    totals() {
      return sumUsage(
        messageCalls.map((call) => call.usage),
        { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
      );
    },
    releaseDelays() {
      release.generation += 1;
    },
    stop: server.stop,
  };
}

type Reply = MessageReply & { delayMs: number };

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
  if (toolResult) return { kind: "text", text: toolSaid(toolResultText(toolResult)), delayMs: 0 };

  const userText = lastBlocks
    .filter((b) => b.type === "text")
    .map((b) => b.text ?? "")
    .join("\n");
  const delayMs = scriptedDelayMs(userText);
  const write = scriptedWrite(userText);
  if (write !== undefined) {
    return {
      kind: "tool_use",
      name: "Write",
      input: {
        file_path: resolveFile(write.file, workingDirectory(request)),
        content: `${write.content}\nseq=${seq}\n`,
      },
      delayMs,
    };
  }
  const bash = scriptedCommand(userText, "BASH");
  if (bash !== undefined) {
    return {
      kind: "tool_use",
      name: "Bash",
      input: { command: bash, description: "Run scripted command" },
      delayMs,
    };
  }
  return { kind: "text", text: "Hello from the fake Anthropic server.", delayMs };
}
