// Configured per-agent token prices and the cost estimates derived from them. Estimates are shown
// next to (never instead of) the cost an agent CLI reports itself, and are never persisted.
import type { TokenRate } from "../config/index.ts";
import type { RunningSnapshot } from "../orchestrator/snapshot.ts";

/** Agent kind → rates (parsed by the config layer). An empty map means "no rates configured": no cost UI anywhere. */
export type TokenRates = Readonly<Record<string, TokenRate>>;

export function hasTokenRates(rates: TokenRates | undefined): rates is TokenRates {
  return rates !== undefined && Object.keys(rates).length > 0;
}

/**
 * Estimated USD cost of one running session, or null when no rate is configured for its agent kind
 * or the agent reports none of the priced counters (unknown is not free).
 */
export function estimateSessionCost(
  entry: Pick<RunningSnapshot, "agentKind" | "inputTokens" | "outputTokens" | "cacheReadTokens">,
  rates: TokenRates | undefined,
): number | null {
  if (!rates) return null;
  const rate = Object.hasOwn(rates, entry.agentKind) ? rates[entry.agentKind] : undefined;
  if (!rate) return null;
  const parts: Array<[number | null, number | undefined]> = [
    [entry.inputTokens, rate.inputPerMtok],
    [entry.outputTokens, rate.outputPerMtok],
    [entry.cacheReadTokens, rate.cacheReadPerMtok],
  ];
  let sum = 0;
  let priced = false;
  for (const [tokens, perMtok] of parts) {
    if (tokens === null || perMtok === undefined) continue;
    sum += tokens * perMtok;
    priced = true;
  }
  return priced ? sum / 1_000_000 : null;
}

/** Sum of the estimates over running sessions; null unless at least one session could be priced. */
export function estimateActiveCost(
  running: readonly RunningSnapshot[],
  rates: TokenRates | undefined,
): number | null {
  if (!hasTokenRates(rates)) return null;
  let total: number | null = null;
  for (const entry of running) {
    const cost = estimateSessionCost(entry, rates);
    if (cost !== null) total = (total ?? 0) + cost;
  }
  return total;
}
