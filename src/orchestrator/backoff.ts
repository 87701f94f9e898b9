// Retry delays: a fixed short delay for continuations, exponential backoff with a cap for failures.

export const CONTINUATION_DELAY_MS = 1000;
const FAILURE_BASE_MS = 10_000;
export const DEFAULT_MAX_RETRY_BACKOFF_MS = 300_000;

/** `min(10000 × 2^(attempt−1), cap)`; attempt ≤ 0 counts as 1; cap ≤ 0 means the default. */
export function failureBackoffMs(attempt: number, capMs: number): number {
  const cap = capMs > 0 ? capMs : DEFAULT_MAX_RETRY_BACKOFF_MS;
  const n = attempt <= 0 ? 1 : attempt;
  return Math.max(0, Math.trunc(Math.min(FAILURE_BASE_MS * 2 ** (n - 1), cap)));
}
