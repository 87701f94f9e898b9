// The contract every agent tool sortie serves implements, whichever transport carries the call
// (the MCP server here, or an agent protocol with built-in tool calls).

/** A tool the agent may call: its advertisement plus the call itself. */
export interface AgentTool {
  name: string;
  description: string;
  /** A JSON Schema object describing the arguments. */
  inputSchema: Record<string, unknown>;
  /**
   * Runs the call and returns its JSON output. Domain failures (a missing issue, a bad argument,
   * an unreadable state file) are part of that output; a throw means an internal failure.
   */
  call(args: unknown, signal: AbortSignal): Promise<unknown>;
}

/** Tools in name order, as `tools/list` presents them. */
export function sortTools<T extends { name: string }>(tools: readonly T[]): T[] {
  return [...tools].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** What a call produced, rendered for a transport: the output text and whether it failed. */
export interface ToolCallOutcome {
  /** The output as JSON text, or the internal error's message. */
  text: string;
  /** True only when the tool threw (MCP `isError`). */
  isError: boolean;
  /** True when the tool threw or its output reports a failure (`success: false` or an `error` key). */
  failed: boolean;
}

export async function callTool(
  tool: AgentTool,
  args: unknown,
  signal: AbortSignal,
): Promise<ToolCallOutcome> {
  let output: unknown;
  try {
    output = await tool.call(args, signal);
  } catch (err) {
    return { text: err instanceof Error ? err.message : String(err), isError: true, failed: true };
  }
  return { text: JSON.stringify(output) ?? "null", isError: false, failed: reportsFailure(output) };
}

function reportsFailure(output: unknown): boolean {
  if (typeof output !== "object" || output === null || Array.isArray(output)) return false;
  const record = output as Record<string, unknown>;
  return record.success === false || (record.success === undefined && "error" in record);
}
