// Configured per-agent token prices and the cost estimates derived from them. Estimates are shown
// next to (never instead of) the cost an agent CLI reports itself, and are never persisted.
import type { Logger } from "@logtape/logtape";
import { getLogger } from "@logtape/logtape";
import type { RunningSnapshot } from "../orchestrator/snapshot.ts";

/** USD per million tokens; an absent rate does not contribute to the estimate. */
export interface TokenRate {
  inputPerMtok?: number;
  outputPerMtok?: number;
  cacheReadPerMtok?: number;
}

/** Agent kind → rates. An empty map means "no rates configured": no cost UI anywhere. */
export type TokenRates = Readonly<Record<string, TokenRate>>;

const RATE_KEYS = [
  ["input_per_mtok", "inputPerMtok"],
  ["output_per_mtok", "outputPerMtok"],
  ["cache_read_per_mtok", "cacheReadPerMtok"],
] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads the `token_rates` workflow extension. Invalid entries are dropped one by one with a WARN;
 * a kind left without any valid rate is ignored.
 */
export function parseTokenRates(raw: unknown, logger: Logger = getLogger(["sortie", "server"])): TokenRates {
  if (raw === undefined || raw === null) return {};
  if (!isRecord(raw)) {
    logger.warn("skipped invalid token rate entry", { detail: "token_rates: expected a mapping" });
    return {};
  }
  const rates: Record<string, TokenRate> = {};
  for (const [kind, entry] of Object.entries(raw)) {
    if (!isRecord(entry)) {
      logger.warn("skipped invalid token rate entry", { detail: `token_rates.${kind}: expected a mapping` });
      continue;
    }
    const rate: TokenRate = {};
    for (const [wireKey, key] of RATE_KEYS) {
      const value = entry[wireKey];
      if (value === undefined) continue;
      if (typeof value !== "number" || !Number.isFinite(value)) {
        logger.warn("skipped invalid token rate entry", {
          detail: `token_rates.${kind}.${wireKey}: not a number`,
        });
      } else if (value < 0) {
        logger.warn("skipped invalid token rate entry", {
          detail: `token_rates.${kind}.${wireKey}: negative rate ${value}`,
        });
      } else {
        rate[key] = value;
      }
    }
    if (Object.keys(rate).length > 0) rates[kind] = rate;
  }
  return rates;
}

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
