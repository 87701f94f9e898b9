// Stopping a live agent process group on behalf of stopSession.
import { signalGroup } from "../../platform/process-group.ts";
import { STOP_GRACE_MS } from "./fork-turn.ts";

/**
 * SIGTERM to the group, then whichever comes first: the leader exits (resolve), the grace period
 * ends (SIGKILL, resolve), or the caller's signal aborts (SIGKILL, reject with its reason).
 */
export async function stopProcessGroup(
  pgid: number,
  exited: Promise<unknown>,
  signal: AbortSignal,
  graceMs: number = STOP_GRACE_MS,
): Promise<void> {
  if (signal.aborted) {
    signalGroup(pgid, "SIGKILL");
    throw signal.reason;
  }
  if (!signalGroup(pgid, "SIGTERM")) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await Promise.race([
      exited.then(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
      new Promise<never>((_, reject) => {
        onAbort = () => reject(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener("abort", onAbort);
    signalGroup(pgid, "SIGKILL");
  }
}
