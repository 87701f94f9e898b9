// Token accounting for one Codex thread. The app-server reports the thread's running totals
// (`thread/tokenUsage/updated`: `total` for the whole thread, `last` for the latest request), so
// this session's usage is the latest total minus what the thread had used before the session
// started: zero for a new thread, the earlier runs' tokens for a resumed one.
import type { TokenUsage } from "../../domain/agent.ts";
import { emptyUsage, tokenCount } from "../process/usage.ts";
import type { Json } from "../stream-json.ts";

export interface TokenCounts {
  input: number;
  output: number;
  cacheRead: number;
  /** null when the report has no such field (older builds). */
  cacheWrite: number | null;
}

export class ThreadUsage {
  /** The thread's totals before this session; undefined until known (resumed threads). */
  #baseline: TokenCounts | undefined;
  #current: TokenCounts | undefined;

  /** `fresh`: a thread this session created, so nothing came before it. */
  constructor(fresh: boolean) {
    if (fresh) this.#baseline = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  }

  /**
   * Totals the server repeats for an earlier turn (it does so right after `thread/resume`): they
   * are the baseline when none is known yet, and are never counted.
   */
  noteEarlierTotals(total: TokenCounts): void {
    if (this.#baseline === undefined) this.#baseline = total;
  }

  /**
   * A report for a request of this session. Returns the session usage to report, or undefined
   * when the totals did not move (a repeated report is not another model request).
   */
  update(total: TokenCounts, last: TokenCounts | undefined): TokenUsage | undefined {
    // Without a baseline, everything but the request just reported came before this session.
    this.#baseline ??= last === undefined ? total : subtract(total, last);
    if (this.#current !== undefined && sameCounts(this.#current, total)) return undefined;
    this.#current = total;
    return this.session();
  }

  /** Session-cumulative usage; every counter unknown until the first report. */
  session(): TokenUsage {
    if (this.#current === undefined || this.#baseline === undefined) return emptyUsage();
    const d = subtract(this.#current, this.#baseline);
    return {
      inputTokens: d.input,
      outputTokens: d.output,
      totalTokens: d.input + d.output,
      cacheReadTokens: d.cacheRead,
      cacheWriteTokens: d.cacheWrite,
      costUsd: null,
    };
  }
}

function subtract(a: TokenCounts, b: TokenCounts): TokenCounts {
  return {
    input: Math.max(0, a.input - b.input),
    output: Math.max(0, a.output - b.output),
    cacheRead: Math.max(0, a.cacheRead - b.cacheRead),
    cacheWrite: a.cacheWrite === null ? null : Math.max(0, a.cacheWrite - (b.cacheWrite ?? 0)),
  };
}

function sameCounts(a: TokenCounts, b: TokenCounts): boolean {
  return (
    a.input === b.input &&
    a.output === b.output &&
    a.cacheRead === b.cacheRead &&
    a.cacheWrite === b.cacheWrite
  );
}

/** `{inputTokens, outputTokens, cachedInputTokens, cacheWriteInputTokens}` of a token-usage report. */
export function countsOfBreakdown(value: unknown): TokenCounts | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const b = value as Json;
  const input = tokenCount(b.inputTokens);
  const output = tokenCount(b.outputTokens);
  if (input === null && output === null) return undefined;
  return {
    input: input ?? 0,
    output: output ?? 0,
    cacheRead: tokenCount(b.cachedInputTokens) ?? 0,
    cacheWrite: tokenCount(b.cacheWriteInputTokens),
  };
}

/** The snake_case `usage` that older app-server builds put beside `turn` in `turn/completed`. */
export function countsOfLegacyUsage(value: unknown): TokenCounts | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const u = value as Json;
  return {
    input: tokenCount(u.input_tokens) ?? 0,
    output: tokenCount(u.output_tokens) ?? 0,
    cacheRead: tokenCount(u.cached_input_tokens) ?? 0,
    cacheWrite: tokenCount(u.cache_write_input_tokens),
  };
}
