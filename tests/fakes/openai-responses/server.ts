// A fake of the OpenAI Responses API (`POST /v1/responses`, SSE) for driving the real `codex`
// CLI offline. Answers are scripted from the latest user message, every request is logged, and
// each answer carries fixed, known token usage so tests can compare what the CLI reports with
// what the "model" charged. The fake is also the CLI's HTTP(S) proxy: a request for any other
// host arrives here, is logged as foreign and refused.
//
// Script (in the latest user text):
//   WRITE:<file>:<content>    answer with a shell tool call that writes <content> to <file>
//   SHELL:<command>           answer with a shell tool call running <command>
//   TOOL:<name>:<json args>   answer with a call of the client-provided (dynamic) tool <name>
//   SLEEP:<ms>                delay the answer (the stream stays open, for abort tests)
//   anything else             plain text "Hello from the fake Responses server."
// After a tool's output comes back, the answer is final text "Done. Tool said: <output>".
import { scriptedCommand, scriptedDelayMs, scriptedWrite, toolSaid } from "../model-server/script.ts";
import { type LoggedRequest, serveFakeModel } from "../model-server/serve.ts";
import { sseEvent, sseResponse } from "../model-server/sse.ts";
import { sumUsage } from "../model-server/usage.ts";

export type { LoggedRequest } from "../model-server/serve.ts";

export interface FakeResponsesUsage {
  input_tokens: number;
  cached_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
}

export interface ResponseCall {
  request: ResponsesRequest;
  usage: FakeResponsesUsage;
  answer: "function_call" | "text";
  /** Name of the called tool when `answer` is a function call. */
  toolName?: string;
}

export interface ResponsesInputItem {
  type?: string;
  role?: string;
  content?: unknown;
  call_id?: string;
  name?: string;
  arguments?: string;
  output?: unknown;
}

export interface ResponsesRequest {
  model?: string;
  stream?: boolean;
  instructions?: string;
  input?: ResponsesInputItem[];
  tools?: { type?: string; name?: string }[];
}

export interface FakeResponsesOptions {
  /** Usage charged for every answered /v1/responses request. */
  usage?: Partial<FakeResponsesUsage>;
  /** Answer every /v1/responses call with this HTTP error (401 = bad API key). */
  errorStatus?: number;
}

export interface FakeResponses {
  /** Base URL including `/v1`, as `base_url` of a model provider. */
  readonly baseUrl: string;
  /** `http://127.0.0.1:<port>`, for proxy settings. */
  readonly origin: string;
  readonly requests: readonly LoggedRequest[];
  readonly responseCalls: readonly ResponseCall[];
  /** Sum of the usage of every answered /v1/responses call. */
  totals(): FakeResponsesUsage;
  stop(): Promise<void>;
}

export const DEFAULT_FAKE_RESPONSES_USAGE: FakeResponsesUsage = {
  input_tokens: 1500,
  cached_tokens: 200,
  output_tokens: 37,
  reasoning_tokens: 0,
};

export function startFakeResponses(options: FakeResponsesOptions = {}): FakeResponses {
  const usage: FakeResponsesUsage = { ...DEFAULT_FAKE_RESPONSES_USAGE, ...options.usage };
  const responseCalls: ResponseCall[] = [];
  let seq = 0;

  const server = serveFakeModel((req, url, body) => {
    if (req.method === "POST" && url.pathname === "/v1/responses") {
      if (options.errorStatus !== undefined) {
        return Response.json(
          {
            error: {
              message: "sortie fake: scripted failure (Incorrect API key provided)",
              type: options.errorStatus === 401 ? "invalid_request_error" : "server_error",
              code: options.errorStatus === 401 ? "invalid_api_key" : null,
            },
          },
          { status: options.errorStatus },
        );
      }
      seq += 1;
      const request = (body ?? {}) as ResponsesRequest;
      const reply = scriptReply(request);
      responseCalls.push({
        request,
        usage,
        answer: reply.kind,
        ...(reply.kind === "function_call" ? { toolName: reply.name } : {}),
      });
      const [created, ...rest] = responseEvents(reply, request.model ?? "fake-model", usage, seq);
      return sseResponse({
        // The response is announced before the "model" starts thinking.
        head: [created ?? ""],
        frames: rest,
        delayMs: reply.delayMs,
        keepAlive: ": keep-alive\n\n",
        signal: req.signal,
        headers: { "x-request-id": `req_fake_${seq}` },
      });
    }
    if (req.method === "GET" && url.pathname === "/v1/models")
      return Response.json({ object: "list", data: [] });
    return Response.json({ error: { message: `sortie fake: no route ${url.pathname}` } }, { status: 404 });
  });

  return {
    baseUrl: `${server.origin}/v1`,
    origin: server.origin,
    requests: server.requests,
    responseCalls,
    totals() {
      return sumUsage(
        responseCalls.map((call) => call.usage),
        { input_tokens: 0, cached_tokens: 0, output_tokens: 0, reasoning_tokens: 0 },
      );
    },
    stop: server.stop,
  };
}

type Reply =
  | { kind: "text"; text: string; delayMs: number }
  | { kind: "function_call"; name: string; arguments: string; delayMs: number };

/** The text of a user message item (`input_text` parts or a plain string). */
export function messageText(item: ResponsesInputItem): string {
  if (typeof item.content === "string") return item.content;
  if (!Array.isArray(item.content)) return "";
  return item.content
    .map((part) =>
      typeof part === "object" && part !== null && typeof (part as { text?: unknown }).text === "string"
        ? (part as { text: string }).text
        : "",
    )
    .join("\n");
}

function outputText(output: unknown): string {
  if (typeof output === "string") return output;
  if (Array.isArray(output)) return output.map((p) => (p as { text?: string }).text ?? "").join("");
  return JSON.stringify(output ?? "");
}

/** The shell tool the CLI offered: `exec_command {cmd}` in current builds, `shell {command[]}` in older ones. */
function shellCall(request: ResponsesRequest, command: string): { name: string; arguments: string } {
  const names = new Set((request.tools ?? []).map((t) => t.name));
  if (!names.has("exec_command") && names.has("shell")) {
    return { name: "shell", arguments: JSON.stringify({ command: ["bash", "-lc", command] }) };
  }
  return { name: "exec_command", arguments: JSON.stringify({ cmd: command }) };
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

function scriptReply(request: ResponsesRequest): Reply {
  const input = request.input ?? [];
  const last = input.at(-1);
  if (last?.type === "function_call_output" || last?.type === "custom_tool_call_output") {
    return { kind: "text", text: toolSaid(outputText(last.output)), delayMs: 0 };
  }
  const lastUser = input.findLast((item) => item.type === "message" && item.role === "user");
  const userText = lastUser ? messageText(lastUser) : "";
  const delayMs = scriptedDelayMs(userText);

  const write = scriptedWrite(userText);
  if (write !== undefined) {
    const command = `printf '%s\\n' ${shellQuote(write.content)} > ${shellQuote(write.file)}`;
    return { kind: "function_call", ...shellCall(request, command), delayMs };
  }
  const shell = scriptedCommand(userText, "SHELL");
  if (shell !== undefined) return { kind: "function_call", ...shellCall(request, shell), delayMs };
  const tool = /TOOL:([A-Za-z0-9_.-]+):(\{[^\n]*\})/.exec(userText);
  if (tool?.[1] !== undefined) {
    return { kind: "function_call", name: tool[1], arguments: tool[2] ?? "{}", delayMs };
  }
  return { kind: "text", text: "Hello from the fake Responses server.", delayMs };
}

function outputItem(reply: Reply, seq: number, done: boolean): Record<string, unknown> {
  if (reply.kind === "function_call") {
    return {
      type: "function_call",
      id: `fc_fake_${seq}`,
      call_id: `call_fake_${seq}`,
      name: reply.name,
      arguments: done ? reply.arguments : "",
      status: done ? "completed" : "in_progress",
    };
  }
  return {
    type: "message",
    id: `msg_fake_${seq}`,
    role: "assistant",
    status: done ? "completed" : "in_progress",
    content: done ? [{ type: "output_text", text: reply.text, annotations: [] }] : [],
  };
}

/** The SSE frames of one streamed response, `response.created` first. */
function responseEvents(reply: Reply, model: string, usage: FakeResponsesUsage, seq: number): string[] {
  const responseId = `resp_fake_${seq}`;
  const base = { id: responseId, object: "response", model, created_at: Math.floor(Date.now() / 1000) };
  const events: Record<string, unknown>[] = [
    { type: "response.created", response: { ...base, status: "in_progress", output: [] } },
    { type: "response.output_item.added", output_index: 0, item: outputItem(reply, seq, false) },
  ];
  if (reply.kind === "text") {
    events.push({
      type: "response.output_text.delta",
      item_id: `msg_fake_${seq}`,
      output_index: 0,
      content_index: 0,
      delta: reply.text,
    });
  } else {
    events.push({
      type: "response.function_call_arguments.delta",
      item_id: `fc_fake_${seq}`,
      output_index: 0,
      delta: reply.arguments,
    });
  }
  events.push(
    { type: "response.output_item.done", output_index: 0, item: outputItem(reply, seq, true) },
    {
      type: "response.completed",
      response: {
        ...base,
        status: "completed",
        output: [outputItem(reply, seq, true)],
        usage: {
          input_tokens: usage.input_tokens,
          input_tokens_details: { cached_tokens: usage.cached_tokens },
          output_tokens: usage.output_tokens,
          output_tokens_details: { reasoning_tokens: usage.reasoning_tokens },
          total_tokens: usage.input_tokens + usage.output_tokens,
        },
      },
    },
  );
  return events.map((event) => sseEvent(event, String(event.type)));
}
