// A minimal fake of the Anthropic Messages API that makes the real `claude` CLI call one tool
// by name: the latest user text `TOOL:<name>:<json input>` is answered with a tool_use block for
// <name> (when the request offers that tool), the tool's result with a final text quoting it.
// Every request is logged; requests for other hosts (it is also the CLI's proxy) are refused.
import { jsonMessage, type MessageReply, messageEvents } from "../../fakes/anthropic/messages.ts";
import { toolSaid } from "../../fakes/model-server/script.ts";
import { type LoggedRequest, serveFakeModel } from "../../fakes/model-server/serve.ts";

/** The CLI only ever sends JSON, so a logged body is read as a Messages request. */
export type ToolFakeRequest = Omit<LoggedRequest, "body"> & { body?: MessagesRequest };

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

function script(request: MessagesRequest, toolResults: string[]): MessageReply {
  const messages = (request.messages ?? []).filter((m) => m.role !== "system");
  const last = messages.at(-1);
  const lastBlocks = last ? blocks(last.content) : [];
  const result = last?.role === "user" ? lastBlocks.find((b) => b.type === "tool_result") : undefined;
  if (result) {
    const text = resultText(result);
    toolResults.push(text);
    return { kind: "text", text: toolSaid(text) };
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

export function startToolFake(): ToolFake {
  const toolResults: string[] = [];
  let seq = 0;
  const server = serveFakeModel((req, url, body) => {
    if (req.method === "POST" && url.pathname === "/v1/messages/count_tokens") {
      return Response.json({ input_tokens: USAGE.input_tokens });
    }
    if (req.method === "POST" && url.pathname === "/v1/messages") {
      seq += 1;
      const request = (body ?? {}) as MessagesRequest;
      const reply = script(request, toolResults);
      const model = request.model ?? "claude-fake-1";
      if (request.stream === false) return Response.json(jsonMessage(reply, model, USAGE, seq));
      // The whole answer at once: this fake never delays.
      return new Response(messageEvents(reply, model, USAGE, seq).join(""), {
        headers: { "content-type": "text/event-stream", "request-id": `req_fake_${seq}` },
      });
    }
    return Response.json({});
  });
  return {
    url: server.origin,
    requests: server.requests as ToolFakeRequest[],
    toolResults,
    stop: server.stop,
  };
}
