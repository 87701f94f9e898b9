// Turns an aborted signal into the turn's cancellation outcome. The worker combines its own abort
// with AbortSignal.timeout(turn_timeout_ms): a TimeoutError reason is a turn timeout (retryable),
// anything else a cancellation (stall, reconciliation, shutdown).
import { agentError, type SortieError } from "../../domain/errors.ts";

export function isTimeoutReason(reason: unknown): boolean {
  return reason instanceof DOMException && reason.name === "TimeoutError";
}

export interface Cancellation {
  /** Message of the `turn_cancelled` event. */
  eventMessage: string;
  error: SortieError;
}

export function cancellationOf(signal: AbortSignal, turnTimeoutMs: number): Cancellation {
  if (isTimeoutReason(signal.reason)) {
    return {
      eventMessage: "turn timed out",
      error: agentError("turn_timeout", `turn exceeded turn_timeout_ms (${turnTimeoutMs} ms)`, signal.reason),
    };
  }
  return {
    eventMessage: "context cancelled",
    error: agentError("turn_cancelled", "turn cancelled", signal.reason),
  };
}
