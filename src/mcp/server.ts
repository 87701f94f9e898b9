// The MCP server loop: frames from the client's stream, answered in order, replies written as
// single lines. Ends when the input ends or the signal aborts; an over-long line or a read error
// rejects (the stream cannot be trusted after either).
import { errorMessage } from "../domain/errors.ts";
import { readFrames } from "./framing.ts";
import { createDispatcher, handleLine } from "./protocol.ts";
import type { AgentTool } from "./tool.ts";

/** The longest request line accepted, excluding its newline. */
export const MAX_MCP_LINE_BYTES = 10 * 1024 * 1024;

export interface McpServerLogger {
  debug(message: string, properties?: Record<string, unknown>): void;
  error(message: string, properties?: Record<string, unknown>): void;
}

export interface ServeMcpOptions {
  input: ReadableStream<Uint8Array>;
  /** Writes one complete line (the newline included). Nothing else may write to this channel. */
  write: (line: string) => void;
  tools: readonly AgentTool[];
  version: string;
  /** Aborting stops reading; in-flight tool calls see the same signal. */
  signal: AbortSignal;
  logger: McpServerLogger;
  maxLineBytes?: number;
}

export async function serveMcp(options: ServeMcpOptions): Promise<void> {
  const { logger, signal } = options;
  const dispatch = createDispatcher({
    tools: options.tools,
    version: options.version,
    onToolCall: (tool, outcome) => logger.debug("mcp tool call", { tool, failed: outcome.failed }),
  });
  await readFrames(
    options.input,
    async (line) => {
      const reply = await handleLine(dispatch, line, signal);
      if (reply === null) return;
      try {
        options.write(`${reply}\n`);
      } catch (err) {
        // The client stopped reading; its end of stdin closing will end the loop.
        logger.error("failed to write JSON-RPC response", { error: errorMessage(err) });
      }
    },
    { maxLineBytes: options.maxLineBytes ?? MAX_MCP_LINE_BYTES, signal },
  );
}
