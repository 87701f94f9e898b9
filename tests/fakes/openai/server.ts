// A fake of the OpenAI Chat Completions API for driving OpenAI-compatible agent CLIs (OpenCode,
// Copilot in bring-your-own-key mode) offline. Answers are scripted from the conversation, every
// request is logged, and each answer carries fixed, known usage so tests can compare what the CLI
// reports with what the "model" charged. It doubles as the agent's HTTP(S) proxy: a request for
// any other host is logged as foreign and refused.
//
// Script (in the latest user text):
//   WRITE:<file>:<content>   a file-writing tool call: `write {filePath, content}` when the request
//                            offers `write` (OpenCode), `create {path, file_text}` when it offers
//                            `create` (Copilot), else a shell `printf` through `bash`
//   BASH:<command>           a `bash {command, description}` tool call
//   SLEEP:<ms>               delay the answer (the connection stays open, for abort tests)
//   anything else            plain text "Hello from the fake OpenAI server."
// After a tool result comes back the answer is the final text "Done. Tool said: <result>". When
// the request offers a `task_complete` tool (Copilot's autopilot keeps asking until the model calls
// it), the final answer is that call instead, with the same text as its summary; after its result
// the answer is the plain final text.
// A request without tools is a side call (OpenCode's session title) and gets a short title.
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

export type { LoggedRequest } from "../model-server/serve.ts";

export interface FakeChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  /** `prompt_tokens_details.cached_tokens`: part of prompt_tokens served from cache. */
  cached_tokens: number;
}

export type ChatAnswer = "tool_call" | "text" | "title";

export interface ChatCall {
  request: ChatRequest;
  usage: FakeChatUsage;
  answer: ChatAnswer;
  /** Name of the tool the answer called, if any. */
  tool?: string;
}

export interface ChatMessage {
  role: string;
  content?: string | { type: string; text?: string }[] | null;
  tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

export interface ChatRequest {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  messages?: ChatMessage[];
  tools?: { type: string; function: { name: string } }[];
}

export interface FakeOpenAIOptions {
  /** Usage charged for every answered chat completion. */
  usage?: Partial<FakeChatUsage>;
  model?: string;
  /** Answer every chat completion with this HTTP error (401 = bad API key). */
  errorStatus?: number;
}

export interface FakeOpenAI {
  readonly url: string;
  /** Base URL for OpenAI clients (`<url>/v1`). */
  readonly baseUrl: string;
  readonly requests: readonly LoggedRequest[];
  readonly chatCalls: readonly ChatCall[];
  /** Sum of the usage of the answered chat completions `include` selects (default: all). */
  totals(include?: (call: ChatCall) => boolean): FakeChatUsage;
  stop(): Promise<void>;
}

export const DEFAULT_FAKE_CHAT_USAGE: FakeChatUsage = {
  prompt_tokens: 1500,
  completion_tokens: 42,
  cached_tokens: 300,
};

export const FAKE_MODEL = "fake-model";

export function startFakeOpenAI(options: FakeOpenAIOptions = {}): FakeOpenAI {
  const usage: FakeChatUsage = { ...DEFAULT_FAKE_CHAT_USAGE, ...options.usage };
  const chatCalls: ChatCall[] = [];
  let seq = 0;

  const server = serveFakeModel((req, url, body) => {
    const path = url.pathname.replace(/^\/v1/, "");
    if (req.method === "GET" && path === "/models") {
      const id = options.model ?? FAKE_MODEL;
      return Response.json({
        object: "list",
        data: [{ id, object: "model", created: 0, owned_by: "fake" }],
      });
    }
    if (req.method === "POST" && path === "/chat/completions") {
      if (options.errorStatus !== undefined) {
        const type = options.errorStatus === 401 ? "invalid_api_key" : "server_error";
        return Response.json(
          { error: { message: "sortie fake: scripted failure", type, code: type } },
          { status: options.errorStatus },
        );
      }
      seq += 1;
      const request = (body ?? {}) as ChatRequest;
      const reply = scriptReply(request);
      const call: ChatCall = { request, usage, answer: reply.kind };
      if (reply.kind === "tool_call") call.tool = reply.name;
      chatCalls.push(call);
      const model = options.model ?? request.model ?? FAKE_MODEL;
      if (request.stream !== true) return Response.json(completion(reply, model, usage, seq));
      return sseResponse({
        frames: completionChunks(reply, model, usage, seq, request.stream_options?.include_usage === true),
        delayMs: reply.delayMs,
        keepAlive: ": ping\n\n",
        signal: req.signal,
      });
    }
    return Response.json(
      { error: { message: `sortie fake: no route ${req.method} ${url.pathname}` } },
      { status: 404 },
    );
  });

  return {
    url: server.origin,
    baseUrl: `${server.origin}/v1`,
    requests: server.requests,
    chatCalls,
    totals(include = () => true) {
      return sumUsage(
        chatCalls.filter(include).map((call) => call.usage),
        { prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0 },
      );
    },
    stop: server.stop,
  };
}

type Reply =
  | { kind: "text" | "title"; text: string; delayMs: number }
  | { kind: "tool_call"; name: string; args: Record<string, unknown>; delayMs: number };

function textOf(message: ChatMessage | undefined): string {
  if (message === undefined) return "";
  if (typeof message.content === "string") return message.content;
  return (message.content ?? []).map((p) => p.text ?? "").join("\n");
}

function toolNames(request: ChatRequest): Set<string> {
  return new Set((request.tools ?? []).map((t) => t.function?.name ?? ""));
}

/** The name of the tool whose result `message` carries. */
function calledTool(messages: ChatMessage[], message: ChatMessage): string {
  for (const m of messages) {
    for (const call of m.tool_calls ?? []) if (call.id === message.tool_call_id) return call.function.name;
  }
  return "";
}

function workingDirectory(request: ChatRequest): string | undefined {
  for (const message of request.messages ?? []) {
    const text = textOf(message);
    const match =
      /Working directory: (\S+)/.exec(text) ??
      /[Cc]urrent working directory: (\S+)/.exec(text) ??
      /<cwd>([^<]+)<\/cwd>/.exec(text);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

function scriptReply(request: ChatRequest): Reply {
  const tools = toolNames(request);
  const messages = (request.messages ?? []).filter((m) => m.role !== "system" && m.role !== "developer");
  if (tools.size === 0) return { kind: "title", text: "Fake session title", delayMs: 0 };

  const last = messages.at(-1);
  if (last?.role === "tool") {
    const done = toolSaid(textOf(last));
    if (calledTool(messages, last) === "task_complete" || !tools.has("task_complete")) {
      return { kind: "text", text: done, delayMs: 0 };
    }
    return { kind: "tool_call", name: "task_complete", args: { summary: done }, delayMs: 0 };
  }

  const userText = textOf([...messages].reverse().find((m) => m.role === "user"));
  const delayMs = scriptedDelayMs(userText);
  // OpenCode quotes a prompt that contains spaces, so values stop at a double quote too.
  const write = scriptedWrite(userText, { stopAtQuote: true });
  if (write !== undefined) {
    const file = resolveFile(write.file, workingDirectory(request));
    const content = `${write.content}\n`;
    if (tools.has("write"))
      return { kind: "tool_call", name: "write", args: { filePath: file, content }, delayMs };
    if (tools.has("create"))
      return { kind: "tool_call", name: "create", args: { path: file, file_text: content }, delayMs };
    return {
      kind: "tool_call",
      name: "bash",
      args: { command: `printf '%s\\n' '${write.content}' > '${file}'`, description: "Write the file" },
      delayMs,
    };
  }
  const bash = scriptedCommand(userText, "BASH", { stopAtQuote: true });
  if (bash !== undefined) {
    return {
      kind: "tool_call",
      name: "bash",
      args: { command: bash, description: "Run scripted command" },
      delayMs,
    };
  }
  const hello = "Hello from the fake OpenAI server.";
  if (tools.has("task_complete"))
    return { kind: "tool_call", name: "task_complete", args: { summary: hello }, delayMs };
  return { kind: "text", text: hello, delayMs };
}

function usageBlock(usage: FakeChatUsage): Record<string, unknown> {
  return {
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.prompt_tokens + usage.completion_tokens,
    prompt_tokens_details: { cached_tokens: usage.cached_tokens },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}

function toolCall(reply: Extract<Reply, { kind: "tool_call" }>, seq: number) {
  return {
    id: `call_fake_${seq}`,
    type: "function",
    function: { name: reply.name, arguments: JSON.stringify(reply.args) },
  };
}

function completion(reply: Reply, model: string, usage: FakeChatUsage, seq: number): Record<string, unknown> {
  const message =
    reply.kind === "tool_call"
      ? { role: "assistant", content: null, tool_calls: [toolCall(reply, seq)] }
      : { role: "assistant", content: reply.text };
  return {
    id: `chatcmpl-fake-${seq}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, finish_reason: reply.kind === "tool_call" ? "tool_calls" : "stop" }],
    usage: usageBlock(usage),
  };
}

/** The `data:` frames of a streamed completion, ending with `[DONE]`. */
function completionChunks(
  reply: Reply,
  model: string,
  usage: FakeChatUsage,
  seq: number,
  includeUsage: boolean,
): string[] {
  const base = { id: `chatcmpl-fake-${seq}`, object: "chat.completion.chunk", created: 0, model };
  const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
    ...base,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const chunks: unknown[] = [chunk({ role: "assistant", content: "" }, null)];
  if (reply.kind === "tool_call") {
    const call = toolCall(reply, seq);
    chunks.push(
      chunk(
        {
          tool_calls: [
            {
              index: 0,
              id: call.id,
              type: "function",
              function: { name: call.function.name, arguments: "" },
            },
          ],
        },
        null,
      ),
      chunk({ tool_calls: [{ index: 0, function: { arguments: call.function.arguments } }] }, null),
      chunk({}, "tool_calls"),
    );
  } else {
    // Several deltas, like a real model streaming words.
    for (const word of reply.text.split(/(?<= )/)) chunks.push(chunk({ content: word }, null));
    chunks.push(chunk({}, "stop"));
  }
  if (includeUsage) chunks.push({ ...base, choices: [], usage: usageBlock(usage) });
  return [...chunks.map((c) => sseEvent(c)), "data: [DONE]\n\n"];
}
