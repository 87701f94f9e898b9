// A fake answer in the Anthropic Messages wire format: one content block (text or a tool call)
// as a whole JSON message, or as the SSE events of a streamed one.
import { sseEvent } from "../model-server/sse.ts";

export type MessageReply =
  | { kind: "text"; text: string }
  | { kind: "tool_use"; name: string; input: unknown };

export interface MessageUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

function stopReason(reply: MessageReply): string {
  return reply.kind === "tool_use" ? "tool_use" : "end_turn";
}

function contentBlock(reply: MessageReply, seq: number): Record<string, unknown> {
  return reply.kind === "text"
    ? { type: "text", text: reply.text }
    : { type: "tool_use", id: `toolu_fake_${seq}`, name: reply.name, input: reply.input };
}

/** The answer to a request with `stream: false`. */
export function jsonMessage(
  reply: MessageReply,
  model: string,
  usage: MessageUsage,
  seq: number,
): Record<string, unknown> {
  return {
    id: `msg_fake_${seq}`,
    type: "message",
    role: "assistant",
    model,
    content: [contentBlock(reply, seq)],
    stop_reason: stopReason(reply),
    stop_sequence: null,
    usage,
  };
}

/** The SSE frames of a streamed answer; `message_start` carries the input side of the usage. */
export function messageEvents(
  reply: MessageReply,
  model: string,
  usage: MessageUsage,
  seq: number,
): string[] {
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
          usage: {
            input_tokens: usage.input_tokens,
            output_tokens: 1,
            cache_read_input_tokens: usage.cache_read_input_tokens,
            cache_creation_input_tokens: usage.cache_creation_input_tokens,
          },
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
        delta: { stop_reason: stopReason(reply), stop_sequence: null },
        usage: { output_tokens: usage.output_tokens },
      },
    ],
    ["message_stop", { type: "message_stop" }],
  ];
  return events.map(([name, data]) => sseEvent(data, name));
}
