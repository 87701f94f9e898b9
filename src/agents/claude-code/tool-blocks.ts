// Tool calls inside Claude's message content: `tool_use` starts a timer, `tool_result` (in a
// later assistant message for old CLIs, in a `user` message for current ones) ends it.
import type { Emit } from "../events.ts";
import type { ToolTracker } from "../process/tool-tracker.ts";

export interface ContentBlock {
  type?: unknown;
  id?: unknown;
  name?: unknown;
  text?: unknown;
  content?: unknown;
  tool_use_id?: unknown;
  is_error?: unknown;
}

export const MAX_TOOL_ERROR_BYTES = 2048;

export function handleToolBlocks(blocks: readonly ContentBlock[], tools: ToolTracker, emit: Emit): void {
  for (const block of blocks) {
    if (block.type === "tool_use") {
      if (typeof block.id === "string" && block.id !== "") {
        tools.begin(block.id, typeof block.name === "string" ? block.name : "");
      }
    } else if (block.type === "tool_result") {
      const ended = typeof block.tool_use_id === "string" ? tools.end(block.tool_use_id) : undefined;
      const name = ended?.name || "unknown";
      const isError = block.is_error === true;
      const errorText = isError ? toolErrorText(block) : "";
      emit("tool_result", {
        toolName: name,
        toolDurationMs: ended?.durationMs ?? 0,
        toolError: isError,
        message: errorText !== "" ? errorText : `tool_result: ${name}`,
      });
    }
  }
}

const ANSI_CSI = /\x1b\[[0-9;]*[a-zA-Z]/g;

/** The human-readable error of a failed tool call, cleaned and capped at 2048 bytes. */
export function toolErrorText(block: ContentBlock): string {
  let text = "";
  if (typeof block.text === "string") text = block.text;
  else if (typeof block.content === "string") text = block.content;
  else if (Array.isArray(block.content)) {
    const first = block.content.find(
      (c): c is { type: "text"; text: string } =>
        typeof c === "object" && c !== null && c.type === "text" && typeof c.text === "string",
    );
    text = first?.text ?? "";
  }
  text = text.trim();
  const envelope = /^<tool_use_error>([\s\S]*)<\/tool_use_error>$/.exec(text);
  if (envelope) text = (envelope[1] ?? "").trim();
  text = text.replace(ANSI_CSI, "");
  return capBytes(text, MAX_TOOL_ERROR_BYTES);
}

/**
 * Keeps the first line (usually the error itself) and the end of the rest (usually where the
 * output stopped), so the total fits `max` bytes.
 */
export function capBytes(text: string, max: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= max) return text;
  const separator = "\n...\n";
  const nl = text.indexOf("\n");
  if (nl !== -1) {
    const firstLine = text.slice(0, nl);
    const room = max - Buffer.byteLength(firstLine, "utf8") - separator.length;
    if (room > 0) {
      const rest = Buffer.from(text.slice(nl + 1), "utf8");
      return firstLine + separator + tailBytes(rest, room);
    }
  }
  return tailBytes(bytes, max);
}

/** The last `max` bytes, moved forward to a character boundary. */
function tailBytes(bytes: Buffer, max: number): string {
  let start = Math.max(0, bytes.length - max);
  while (start < bytes.length && ((bytes[start] ?? 0) & 0xc0) === 0x80) start++;
  return bytes.subarray(start).toString("utf8");
}
