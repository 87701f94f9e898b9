import { describe, expect, test } from "bun:test";
import { estimateActiveCost, estimateSessionCost, hasTokenRates } from "../../../src/server/token-rates.ts";
import { makeRunning } from "./fake-view.ts";

describe("token rates", () => {
  test("no rates configured means no estimates anywhere", () => {
    expect(hasTokenRates({})).toBe(false);
    expect(hasTokenRates(undefined)).toBe(false);
  });

  test("prices only the configured counters of the session's agent kind", () => {
    const rates = { "claude-code": { inputPerMtok: 3, outputPerMtok: 15, cacheReadPerMtok: 0.3 } };
    const entry = makeRunning({ inputTokens: 2_000_000, outputTokens: 100_000, cacheReadTokens: 1_000_000 });
    expect(estimateSessionCost(entry, rates)).toBeCloseTo(6 + 1.5 + 0.3, 10);
    expect(estimateSessionCost({ ...entry, agentKind: "codex" }, rates)).toBeNull();
    expect(estimateSessionCost({ ...entry, agentKind: "toString" }, rates)).toBeNull();
    expect(estimateSessionCost(entry, { "claude-code": { outputPerMtok: 10 } })).toBeCloseTo(1, 10);
  });

  test("does not price sessions whose counters are unknown", () => {
    const rates = { copilot: { inputPerMtok: 1, outputPerMtok: 1 } };
    const unknown = makeRunning({
      agentKind: "copilot",
      inputTokens: null,
      outputTokens: null,
      cacheReadTokens: null,
    });
    expect(estimateSessionCost(unknown, rates)).toBeNull();
    expect(estimateActiveCost([unknown], rates)).toBeNull();
  });

  test("sums running sessions that could be priced", () => {
    const rates = { "claude-code": { inputPerMtok: 1 } };
    const a = makeRunning({ inputTokens: 1_000_000 });
    const b = makeRunning({ inputTokens: 500_000 });
    const other = makeRunning({ agentKind: "codex", inputTokens: 9_000_000 });
    expect(estimateActiveCost([a, b, other], rates)).toBeCloseTo(1.5, 10);
    expect(estimateActiveCost([other], rates)).toBeNull();
    expect(estimateActiveCost([a], {})).toBeNull();
  });
});
