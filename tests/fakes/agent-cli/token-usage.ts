// Expected token usage in sortie's shape, written out in the tests rather than taken from the code
// under test, so that a change to what "unknown" means shows up as a failing test.

/** Usage whose total is input + output. */
export function tokenUsage(
  input: number,
  output: number,
  cacheRead: number | null,
  cacheWrite: number | null,
  cost: number | null,
) {
  return {
    inputTokens: input,
    outputTokens: output,
    totalTokens: input + output,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    costUsd: cost,
  };
}

/** Usage a CLI did not report: unknown (null), never 0. */
export const UNKNOWN_TOKENS = {
  inputTokens: null,
  outputTokens: null,
  totalTokens: null,
  cacheReadTokens: null,
  cacheWriteTokens: null,
  costUsd: null,
};
