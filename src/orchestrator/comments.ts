// Lifecycle comments posted on the tracker issue (tracker.comments.on_dispatch/on_completion/on_failure).

/** Go's time.Duration.String() after truncating to whole seconds: 0s, 45s, 1m0s, 1h2m3s. */
export function goDuration(ms: number): string {
  let s = Math.max(0, Math.trunc(ms / 1000));
  if (s === 0) return "0s";
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

export function dispatchComment(agentKind: string, attempt: number): string {
  return `Sortie session started.\nSession: pending\nAgent: ${agentKind}\nWorkspace: pending\nAttempt: ${attempt}`;
}

export function completionComment(p: {
  sessionId: string;
  durationMs: number;
  turns: number;
  requeued: boolean;
  softStopReason: string;
}): string {
  const headline = p.softStopReason
    ? `Sortie session completed (agent signaled: ${p.softStopReason}).`
    : p.requeued
      ? "Sortie session completed (re-queuing)."
      : "Sortie session completed.";
  return `${headline}\nSession: ${p.sessionId || "unknown"}\nDuration: ${goDuration(p.durationMs)}\nTurns: ${p.turns}`;
}

export function failureComment(p: {
  sessionId: string;
  durationMs: number;
  error: string;
  retryAttempt: number | null;
}): string {
  const err =
    p.error === "" ? "unknown error" : p.error.length > 200 ? `${p.error.slice(0, 200)}...` : p.error;
  const retry =
    p.retryAttempt === null ? "Retry: no — not retryable" : `Retry: yes (attempt ${p.retryAttempt})`;
  return `Sortie session failed.\nSession: ${p.sessionId || "unknown"}\nDuration: ${goDuration(p.durationMs)}\nError: ${err}\n${retry}`;
}
