// GitHub's rate limits: which responses exhaust a budget, how long to pause, and how a 403 that
// is a rate limit is told from a 403 that is a missing permission. Budgets are per resource
// (`core`, `search`, …), named by the X-RateLimit-Resource header of every response.
import type { Exhaustion } from "../http/client.ts";
import { RateLimiter } from "../http/rate-limit.ts";
import { type HttpErrorInfo, retryAfterSuffix, type StatusMapping } from "../http/status.ts";

export const CORE_RESOURCE = "core";
export const SEARCH_RESOURCE = "search";

/**
 * Records counters under the resource GitHub names in `X-RateLimit-Resource` when it names one
 * (GitHub Enterprise may use its own names), else under the resource the request was sent for.
 */
export class GitHubRateLimiter extends RateLimiter {
  override observe(resource: string, headers: Headers, status: number): void {
    const named = headers.get("x-ratelimit-resource")?.trim();
    super.observe(named ? named : resource, headers, status);
  }
}

type Kind = "primary" | "secondary";

/**
 * Which rate limit a failed response reports, or undefined when it is not one. Primary: the
 * budget is spent (`X-RateLimit-Remaining: 0`). Secondary (concurrency, points, content
 * creation): a 429, a 403 whose body mentions a rate limit, or a 403 with `Retry-After`.
 */
export function rateLimitKind(info: HttpErrorInfo): Kind | undefined {
  if (info.status !== 403 && info.status !== 429) return undefined;
  if (info.headers.get("x-ratelimit-remaining")?.trim() === "0") return "primary";
  if (info.status === 429) return "secondary";
  if (info.body.toLowerCase().includes("rate limit")) return "secondary";
  if (info.headers.get("retry-after")?.trim()) return "secondary";
  return undefined;
}

/** GitHub's mapping of the statuses it treats differently from the shared default. */
export function mapGitHubStatus(info: HttpErrorInfo): StatusMapping | undefined {
  if (info.status === 401) return { kind: "tracker_auth_error", detail: "bad credentials" };
  if (info.status === 429) {
    return { kind: "tracker_api_error", detail: `rate limited${retryAfterSuffix(info.headers)}` };
  }
  if (info.status !== 403) return undefined;
  const kind = rateLimitKind(info);
  if (kind === "primary") return { kind: "tracker_api_error", detail: "rate limited (primary)" };
  if (kind === "secondary") {
    return { kind: "tracker_api_error", detail: `rate limited (secondary)${retryAfterSuffix(info.headers)}` };
  }
  return { kind: "tracker_auth_error", detail: "insufficient permissions" };
}

/**
 * Pauses the resource after a response that exhausted it: a successful answer that spent the
 * last request of the budget (until the reset), a primary limit (Retry-After, else the reset),
 * a secondary limit (Retry-After, else 60 s — its reset header is the primary budget's and says
 * nothing about it). A 304 never pauses: it costs nothing.
 */
export function gitHubExhaustion(limiter: RateLimiter): (info: HttpErrorInfo) => Exhaustion | undefined {
  return (info) => {
    if (info.status === 304) return undefined;
    if (info.status >= 200 && info.status < 300) {
      if (info.headers.get("x-ratelimit-remaining")?.trim() !== "0") return undefined;
      return { reason: "rate limit budget exhausted", until: limiter.pauseUntil(info.headers) };
    }
    const kind = rateLimitKind(info);
    if (kind === "primary") {
      return { reason: "primary rate limit", until: limiter.pauseUntil(info.headers) };
    }
    if (kind === "secondary") {
      return {
        reason: "secondary rate limit",
        until: limiter.pauseUntil(info.headers, { useReset: false }),
      };
    }
    return undefined;
  };
}
