import { describe, expect, test } from "bun:test";
import { countsOfBreakdown, countsOfLegacyUsage, ThreadUsage } from "../../../../src/agents/codex/usage.ts";

const counts = (input: number, output: number, cacheRead = 0, cacheWrite: number | null = 0) => ({
  input,
  output,
  cacheRead,
  cacheWrite,
});

describe("codex thread usage", () => {
  test("a fresh thread reports its totals as they are; unknown until the first report", () => {
    const u = new ThreadUsage(true);
    expect(u.session().inputTokens).toBeNull();
    expect(u.update(counts(100, 10, 5), counts(100, 10, 5))).toEqual({
      inputTokens: 100,
      outputTokens: 10,
      totalTokens: 110,
      cacheReadTokens: 5,
      cacheWriteTokens: 0,
      costUsd: null,
    });
  });

  test("a repeated report is not another request", () => {
    const u = new ThreadUsage(true);
    expect(u.update(counts(100, 10), undefined)).toBeDefined();
    expect(u.update(counts(100, 10), undefined)).toBeUndefined();
    expect(u.update(counts(150, 12), undefined)?.inputTokens).toBe(150);
  });

  test("a resumed thread subtracts the totals it had before this session", () => {
    const u = new ThreadUsage(false);
    u.noteEarlierTotals(counts(3000, 74, 400));
    u.noteEarlierTotals(counts(9999, 9999)); // only the first earlier total is the baseline
    expect(u.update(counts(4500, 111, 600), counts(1500, 37, 200))).toMatchObject({
      inputTokens: 1500,
      outputTokens: 37,
      totalTokens: 1537,
      cacheReadTokens: 200,
    });
  });

  test("a resumed thread without earlier totals takes total minus last, or counts nothing without last", () => {
    const withLast = new ThreadUsage(false);
    expect(withLast.update(counts(4500, 111), counts(1500, 37))?.inputTokens).toBe(1500);
    const withoutLast = new ThreadUsage(false);
    expect(withoutLast.update(counts(4500, 111), undefined)?.inputTokens).toBe(0);
    expect(withoutLast.update(counts(6000, 150), undefined)?.inputTokens).toBe(1500);
  });

  test("reads camelCase breakdowns and the legacy snake_case usage", () => {
    expect(
      countsOfBreakdown({ inputTokens: 5, outputTokens: 2, cachedInputTokens: 1, cacheWriteInputTokens: 3 }),
    ).toEqual(counts(5, 2, 1, 3));
    expect(countsOfBreakdown({})).toBeUndefined();
    expect(countsOfBreakdown(null)).toBeUndefined();
    expect(countsOfLegacyUsage({ input_tokens: 100, output_tokens: 50, cached_input_tokens: 10 })).toEqual(
      counts(100, 50, 10, null),
    );
    expect(countsOfLegacyUsage({})).toEqual(counts(0, 0, 0, null));
    expect(countsOfLegacyUsage(undefined)).toBeUndefined();
  });
});
