// Rate-limit pacing for remote trackers: the latest X-RateLimit-* snapshot per resource, and a
// pause per resource until the API's reset time. A call to a paused resource fails fast with
// tracker_api_error instead of waiting or retrying, so a poll tick logs one error and moves on;
// the orchestrator's normal error paths (keep workers, retry with backoff) absorb it.
import { trackerError } from "../../domain/errors.ts";
import { rfc3339Seconds } from "../../domain/time.ts";
import type { RateLimitPause } from "../../domain/tracker.ts";
import type { TrackerLogger } from "../registry.ts";

/** Latest rate-limit facts for one resource, as `/api/status` shows them. */
export interface RateLimitSnapshot {
  resource: string;
  limit: number | null;
  remaining: number | null;
  resetAt: Date | null;
  /** Calls to this resource currently fail fast. */
  paused: boolean;
}

export interface RateLimiterOptions {
  now: () => Date;
  logger: TrackerLogger;
  /** Pause length when the response names no reset time; 60 s. */
  fallbackPauseMs?: number;
}

interface Counters {
  limit: number | null;
  remaining: number | null;
  resetAt: Date | null;
}

interface Pause {
  until: Date;
  reason: string;
}

const DEFAULT_FALLBACK_PAUSE_MS = 60_000;
/** A reset time in the past (clock skew) still pauses briefly instead of not at all. */
const MINIMUM_PAUSE_MS = 1_000;

export class RateLimiter {
  readonly #now: () => Date;
  readonly #logger: TrackerLogger;
  readonly #fallbackPauseMs: number;
  readonly #counters = new Map<string, Counters>();
  readonly #pauses = new Map<string, Pause>();

  constructor(options: RateLimiterOptions) {
    this.#now = options.now;
    this.#logger = options.logger;
    this.#fallbackPauseMs = options.fallbackPauseMs ?? DEFAULT_FALLBACK_PAUSE_MS;
  }

  /**
   * Throws tracker_api_error `<METHOD> <path>: rate limited (paused until <RFC 3339>)` while the
   * resource is paused. Called before every request; never touches the network.
   */
  assertOpen(resource: string, method: string, path: string): void {
    const pause = this.#activePause(resource);
    if (pause === undefined) return;
    throw trackerError(
      "tracker_api_error",
      `${method} ${path}: rate limited (paused until ${rfc3339Seconds(pause.until)})`,
    );
  }

  /** Records the X-RateLimit-* headers of any response, errors included. */
  observe(resource: string, headers: Headers, status: number): void {
    const limit = intHeader(headers, "x-ratelimit-limit");
    const remaining = intHeader(headers, "x-ratelimit-remaining");
    const resetAt = resetHeader(headers);
    if (limit === null && remaining === null && resetAt === null) return;
    const previous = this.#counters.get(resource);
    // A 304 does not spend the budget, so it never lowers what an earlier response reported.
    const keepRemaining =
      status === 304 && previous?.remaining != null && (remaining === null || remaining < previous.remaining);
    this.#counters.set(resource, {
      limit: limit ?? previous?.limit ?? null,
      remaining: keepRemaining ? (previous?.remaining ?? null) : (remaining ?? previous?.remaining ?? null),
      resetAt: resetAt ?? previous?.resetAt ?? null,
    });
  }

  /**
   * Pauses the resource until `until`. A second exhaustion during an active pause (a request
   * that was already in flight) only extends it: one WARN per pause.
   */
  pause(resource: string, until: Date, reason: string): void {
    const current = this.#activePause(resource);
    if (current !== undefined) {
      if (until > current.until) current.until = until;
      return;
    }
    this.#pauses.set(resource, { until, reason });
    this.#logger.warn("tracker rate limit reached, pausing", {
      resource,
      until: rfc3339Seconds(until),
      reason,
    });
  }

  /**
   * When a response that exhausted the budget lets calls resume: Retry-After, else the reset
   * header (unless `useReset` is false — GitHub's secondary limits carry the primary budget's
   * reset, which says nothing about them), else the fallback pause.
   */
  pauseUntil(headers: Headers, options: { useReset?: boolean } = {}): Date {
    const now = this.#now();
    const reset = options.useReset === false ? null : resetHeader(headers);
    const until = retryAfterTime(headers, now) ?? reset ?? new Date(now.getTime() + this.#fallbackPauseMs);
    const earliest = now.getTime() + MINIMUM_PAUSE_MS;
    return until.getTime() < earliest ? new Date(earliest) : until;
  }

  /** Pauses in force now, sorted by resource. */
  pauses(): RateLimitPause[] {
    return [...this.#pauses.keys()].sort().flatMap((resource) => {
      const pause = this.#activePause(resource);
      return pause === undefined ? [] : [{ resource, until: pause.until, reason: pause.reason }];
    });
  }

  /** Every resource with recorded counters or a pause, sorted by resource. */
  snapshots(): RateLimitSnapshot[] {
    const resources = new Set([...this.#counters.keys(), ...this.#pauses.keys()]);
    return [...resources].sort().map((resource) => {
      const counters = this.#counters.get(resource);
      return {
        resource,
        limit: counters?.limit ?? null,
        remaining: counters?.remaining ?? null,
        resetAt: counters?.resetAt ?? null,
        paused: this.#activePause(resource) !== undefined,
      };
    });
  }

  /** The pause in force, ending (and logging the end of) an expired one. */
  #activePause(resource: string): Pause | undefined {
    const pause = this.#pauses.get(resource);
    if (pause === undefined) return undefined;
    if (pause.until.getTime() > this.#now().getTime()) return pause;
    this.#pauses.delete(resource);
    this.#logger.info("tracker rate limit pause ended", { resource });
    return undefined;
  }
}

function intHeader(headers: Headers, name: string): number | null {
  const value = headers.get(name)?.trim();
  if (value === undefined || !/^-?\d+$/.test(value)) return null;
  return Number.parseInt(value, 10);
}

/** `X-RateLimit-Reset` as epoch seconds (GitHub) or an ISO-8601 timestamp (Jira). */
function resetHeader(headers: Headers): Date | null {
  const value = headers.get("x-ratelimit-reset")?.trim();
  if (value === undefined || value === "") return null;
  if (/^\d+$/.test(value)) return new Date(Number.parseInt(value, 10) * 1000);
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? null : new Date(parsed);
}

/** `Retry-After` as delay seconds or an HTTP date. */
function retryAfterTime(headers: Headers, now: Date): Date | null {
  const value = headers.get("retry-after")?.trim();
  if (value === undefined || value === "") return null;
  if (/^\d+$/.test(value)) return new Date(now.getTime() + Number.parseInt(value, 10) * 1000);
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? null : new Date(parsed);
}
