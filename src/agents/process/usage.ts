// Token-usage arithmetic. A null counter is unknown, never zero: sums stay null only while both
// sides are unknown.
import { type TokenUsage, UNKNOWN_USAGE } from "../../domain/agent.ts";

/** Every counter unknown; a fresh object the caller may fill in. */
export function emptyUsage(): TokenUsage {
  return { ...UNKNOWN_USAGE };
}

function addCounts(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return a + b;
}

/**
 * Session-cumulative usage: counters are summed; cost is not (agents report it already
 * cumulative), so the turn's cost wins when known.
 */
export function addUsage(base: TokenUsage, turn: TokenUsage): TokenUsage {
  const input = addCounts(base.inputTokens, turn.inputTokens);
  const output = addCounts(base.outputTokens, turn.outputTokens);
  const sum: TokenUsage = {
    inputTokens: input,
    outputTokens: output,
    totalTokens: input === null && output === null ? null : (input ?? 0) + (output ?? 0),
    cacheReadTokens: addCounts(base.cacheReadTokens, turn.cacheReadTokens),
    cacheWriteTokens: addCounts(base.cacheWriteTokens, turn.cacheWriteTokens),
    costUsd: turn.costUsd ?? base.costUsd,
  };
  const premium = (base.premiumRequests ?? 0) + (turn.premiumRequests ?? 0);
  if (base.premiumRequests !== undefined || turn.premiumRequests !== undefined) sum.premiumRequests = premium;
  return sum;
}

/** Reads a token count from an agent payload: a finite non-negative number, else unknown. */
export function tokenCount(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? Math.max(0, Math.trunc(value)) : null;
}
