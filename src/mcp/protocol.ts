// The Model Context Protocol's JSON-RPC 2.0 side for a tools-only server: one incoming line in,
// at most one line out. initialize, tools/list, tools/call and ping are answered; notifications
// and the client's own responses get no reply.
import { goQuote } from "../domain/go-format.ts";
import { isJsonObject } from "../domain/json.ts";
import { MCP_SERVER_NAME } from "../workspace/index.ts";
import { type AgentTool, callTool, sortTools } from "./tool.ts";

/** The version the original always answered; still the fallback for versions we do not know. */
export const BASELINE_PROTOCOL_VERSION = "2024-11-05";

/**
 * Versions whose requirements a tools-only stdio server meets; a client asking for one of these
 * gets it back. (2025-03-26 obliges servers to accept batches, which this server does.)
 */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly string[] = [
  "2025-11-25",
  "2025-06-18",
  "2025-03-26",
  BASELINE_PROTOCOL_VERSION,
];

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;

export type JsonRpcId = unknown;

export interface JsonRpcResponse {
  jsonrpc: "2.0";
  id: JsonRpcId;
  result?: unknown;
  error?: { code: number; message: string };
}

export interface DispatcherOptions {
  tools: readonly AgentTool[];
  /** sortie's version, reported in `serverInfo`. */
  version: string;
  /** Called once per tools/call, for logs. */
  onToolCall?: (name: string, outcome: { isError: boolean; failed: boolean }) => void;
}

/** Answers one decoded message (or batch); null = nothing to send. */
export type Dispatcher = (message: unknown, signal: AbortSignal) => Promise<unknown | null>;

function errorResponse(id: JsonRpcId, code: number, message: string): JsonRpcResponse {
  return { jsonrpc: "2.0", id: id ?? null, error: { code, message } };
}

function resultResponse(id: JsonRpcId, result: unknown): JsonRpcResponse {
  return { jsonrpc: "2.0", id, result };
}

/** The version to answer `initialize` with. */
export function negotiateProtocolVersion(requested: unknown): string {
  return typeof requested === "string" && SUPPORTED_PROTOCOL_VERSIONS.includes(requested)
    ? requested
    : BASELINE_PROTOCOL_VERSION;
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const tools = sortTools(options.tools);
  const byName = new Map(tools.map((t) => [t.name, t]));

  const toolsCall = async (id: JsonRpcId, params: unknown, signal: AbortSignal): Promise<JsonRpcResponse> => {
    if (!isJsonObject(params))
      return errorResponse(id, INVALID_PARAMS, "invalid params: params must be an object");
    const name = params.name;
    if (name !== undefined && name !== null && typeof name !== "string") {
      return errorResponse(id, INVALID_PARAMS, "invalid params: name must be a string");
    }
    if (name === undefined || name === null || name === "") {
      return errorResponse(id, INVALID_PARAMS, "invalid params: tool name required");
    }
    const tool = byName.get(name);
    if (tool === undefined)
      return errorResponse(id, INVALID_PARAMS, `invalid params: unknown tool ${goQuote(name)}`);
    const outcome = await callTool(tool, params.arguments, signal);
    options.onToolCall?.(name, { isError: outcome.isError, failed: outcome.failed });
    const result: Record<string, unknown> = { content: [{ type: "text", text: outcome.text }] };
    if (outcome.isError) result.isError = true;
    return resultResponse(id, result);
  };

  const single = async (message: unknown, signal: AbortSignal): Promise<JsonRpcResponse | null> => {
    if (!isJsonObject(message))
      return errorResponse(null, INVALID_REQUEST, "invalid request: expected an object");
    const { jsonrpc, id, method, params } = message;
    if (jsonrpc !== "2.0")
      return errorResponse(id, INVALID_REQUEST, 'invalid request: jsonrpc must be "2.0"');
    // Notifications (no id) are never answered; neither are the client's responses (no method).
    if (id === undefined || id === null) return null;
    if (method === undefined && ("result" in message || "error" in message)) return null;
    if (typeof method !== "string")
      return errorResponse(id, INVALID_REQUEST, "invalid request: method must be a string");
    switch (method) {
      case "initialize": {
        const requested = isJsonObject(params) ? params.protocolVersion : undefined;
        return resultResponse(id, {
          protocolVersion: negotiateProtocolVersion(requested),
          capabilities: { tools: {} },
          serverInfo: { name: MCP_SERVER_NAME, version: options.version },
        });
      }
      case "ping":
        return resultResponse(id, {});
      case "tools/list":
        return resultResponse(id, {
          tools: tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema })),
        });
      case "tools/call":
        return toolsCall(id, params, signal);
      default:
        return errorResponse(id, METHOD_NOT_FOUND, `method not found: ${method}`);
    }
  };

  return async (message, signal) => {
    if (!Array.isArray(message)) return single(message, signal);
    if (message.length === 0) return errorResponse(null, INVALID_REQUEST, "invalid request: empty batch");
    const replies: JsonRpcResponse[] = [];
    for (const entry of message) {
      const reply = await single(entry, signal);
      if (reply !== null) replies.push(reply);
    }
    return replies.length === 0 ? null : replies;
  };
}

/**
 * One line in, the reply line out (without the newline), or null. Blank lines are skipped;
 * anything that is not JSON is a parse error, answered with a null id.
 */
export async function handleLine(
  dispatch: Dispatcher,
  line: string,
  signal: AbortSignal,
): Promise<string | null> {
  if (line.trim() === "") return null;
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch {
    return JSON.stringify(errorResponse(null, PARSE_ERROR, "parse error"));
  }
  const reply = await dispatch(message, signal);
  return reply === null ? null : JSON.stringify(reply);
}
