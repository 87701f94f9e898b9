// Sortie's own tools offered to Codex as "dynamic tools": listed on `thread/start`, called by
// the server with an `item/tool/call` request, answered with the tool's output.
import type { Logger } from "@logtape/logtape";
import type { Emit } from "../events.ts";

import type { DynamicTool, DynamicToolResult } from "../types.ts";

export type { DynamicTool, DynamicToolResult } from "../types.ts";

export interface DynamicToolSpec {
  name: string;
  description: string;
  inputSchema: unknown;
}

/** The `dynamicTools` of `thread/start`, sorted by name; undefined when there are none. */
export function dynamicToolSpecs(tools: readonly DynamicTool[]): DynamicToolSpec[] | undefined {
  if (tools.length === 0) return undefined;
  return [...tools]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((t) => ({ name: t.name, description: t.description, inputSchema: schemaObject(t.inputSchema) }));
}

function schemaObject(schema: unknown): unknown {
  if (typeof schema !== "string") return schema ?? { type: "object" };
  try {
    return JSON.parse(schema);
  } catch {
    return { type: "object" };
  }
}

/** The reply to `item/tool/call`; `output` is kept beside `contentItems` for older servers. */
export function toolCallReply(success: boolean, output: string): Record<string, unknown> {
  return { success, output, contentItems: [{ type: "inputText", text: output }] };
}

export interface ToolCallContext {
  /** null = sortie has no tool registry at all. */
  tools: readonly DynamicTool[] | null;
  emit: Emit;
  logger: Logger;
  signal: AbortSignal;
  clock?: () => number;
}

/**
 * Runs one `item/tool/call` and resolves with the reply payload. Unknown tools are refused (and
 * reported as `unsupported_tool_call`) so the model gets an answer instead of a hung turn.
 */
export async function runToolCall(params: unknown, ctx: ToolCallContext): Promise<Record<string, unknown>> {
  const p = typeof params === "object" && params !== null ? (params as Record<string, unknown>) : undefined;
  const name = typeof p?.tool === "string" ? p.tool : undefined;
  if (p === undefined || name === undefined || name === "") {
    return toolCallReply(false, "invalid tool call params");
  }
  const tool = ctx.tools?.find((t) => t.name === name);
  if (tool === undefined) {
    const message =
      ctx.tools === null || ctx.tools.length === 0
        ? `no tool registry configured for tool "${name}"`
        : `tool "${name}" not registered`;
    ctx.logger.warn("unsupported tool call", { tool_name: name });
    ctx.emit("unsupported_tool_call", { toolName: name, message });
    return toolCallReply(false, `unsupported tool: ${name}`);
  }

  const clock = ctx.clock ?? (() => performance.now());
  const started = clock();
  let result: DynamicToolResult;
  try {
    result = await tool.execute(p.arguments ?? {}, ctx.signal);
  } catch (err) {
    result = { success: false, output: err instanceof Error ? err.message : String(err) };
  }
  const toolDurationMs = Math.max(0, Math.round(clock() - started));
  ctx.emit("tool_result", {
    toolName: name,
    toolDurationMs,
    toolError: !result.success,
    message: result.success ? `tool_result: ${name}` : result.output,
  });
  return toolCallReply(result.success, result.output);
}
