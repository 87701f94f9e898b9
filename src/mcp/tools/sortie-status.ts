// `sortie_status`: the session's progress as the worker last wrote it to `.sortie/state.json`
// (turn, turns left, attempt, duration, tokens). Problems with the file are answered, not thrown.
import { readStateJson } from "../../workspace/index.ts";
import type { AgentTool } from "../tool.ts";

export const SORTIE_STATUS_TOOL_NAME = "sortie_status";

export const SORTIE_STATUS_DESCRIPTION =
  "Returns live session runtime metadata: current turn number, remaining turns, session duration, " +
  "and cumulative token usage.";

export const NO_INPUT_SCHEMA: Record<string, unknown> = {
  type: "object",
  properties: {},
  additionalProperties: false,
};

export interface SortieStatus {
  turn_number: number;
  max_turns: number;
  turns_remaining: number;
  attempt: number | null;
  session_duration_seconds: number;
  tokens: {
    input_tokens: number;
    output_tokens: number;
    total_tokens: number;
    cache_read_tokens: number;
  };
}

export interface SortieStatusOptions {
  /** Absolute workspace path (`SORTIE_WORKSPACE`). */
  workspace: string;
  now?: () => number;
}

export async function readSortieStatus(
  options: SortieStatusOptions,
): Promise<SortieStatus | { error: string }> {
  const read = await readStateJson(options.workspace);
  if (!read.ok) return { error: read.error };
  const s = read.state;
  const now = options.now?.() ?? Date.now();
  return {
    turn_number: s.turnNumber,
    max_turns: s.maxTurns,
    turns_remaining: Math.max(s.maxTurns - s.turnNumber, 0),
    attempt: s.attempt,
    // Seconds with millisecond precision.
    session_duration_seconds: Math.round(now - s.startedAtMs) / 1000,
    tokens: {
      input_tokens: s.inputTokens,
      output_tokens: s.outputTokens,
      total_tokens: s.totalTokens,
      cache_read_tokens: s.cacheReadTokens,
    },
  };
}

export function sortieStatusTool(options: SortieStatusOptions): AgentTool {
  return {
    name: SORTIE_STATUS_TOOL_NAME,
    description: SORTIE_STATUS_DESCRIPTION,
    inputSchema: NO_INPUT_SCHEMA,
    call: () => readSortieStatus(options),
  };
}
