// Copilot's `result` line carries the CLI's accounting for the whole CLI session: a process that
// resumes a session continues its premium-request and API-time counters. This turns those
// running totals into sortie's figures: premium requests of the adapter session (a stale-id
// fallback starts a second CLI session, whose counters add to the first one's) and the API time
// each turn itself spent.
import type { CopilotResult } from "./parse.ts";

export class CopilotAccounting {
  #cliSessionId = "";
  /** Premium requests of CLI sessions this adapter session moved away from. */
  #earlier: number | undefined;
  #premium: number | undefined;
  #apiMs = 0;

  /** Records a `result` line and returns the API time the turn itself spent. */
  record(result: CopilotResult): number {
    if (result.sessionId !== "" && this.#cliSessionId !== "" && result.sessionId !== this.#cliSessionId) {
      this.#leaveSession();
    }
    if (result.sessionId !== "") this.#cliSessionId = result.sessionId;
    const turnApiMs = Math.max(0, result.totalApiDurationMs - this.#apiMs);
    this.#apiMs = Math.max(this.#apiMs, result.totalApiDurationMs);
    if (result.premiumRequests !== null) this.#premium = result.premiumRequests;
    return turnApiMs;
  }

  /** The conversation is abandoned (its id went stale): its counters are final. */
  startNewCliSession(): void {
    this.#leaveSession();
    this.#cliSessionId = "";
  }

  /** Premium requests of the adapter session; undefined until the CLI reported any. */
  premiumRequests(): number | undefined {
    if (this.#earlier === undefined && this.#premium === undefined) return undefined;
    return (this.#earlier ?? 0) + (this.#premium ?? 0);
  }

  #leaveSession(): void {
    if (this.#premium !== undefined) this.#earlier = (this.#earlier ?? 0) + this.#premium;
    this.#premium = undefined;
    this.#apiMs = 0;
  }
}
