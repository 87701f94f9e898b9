import { describe, expect, test } from "bun:test";
import {
  GitHubRateLimiter,
  gitHubExhaustion,
  mapGitHubStatus,
  rateLimitKind,
} from "../../../../src/trackers/github/rate-limits.ts";
import type { HttpErrorInfo } from "../../../../src/trackers/http/status.ts";
import { fakeClock, recordingLogger } from "../support.ts";

function info(status: number, headers: Record<string, string> = {}, body = ""): HttpErrorInfo {
  return { method: "GET", path: "/repos/o/r/issues", status, headers: new Headers(headers), body };
}

const RESET = `${Date.parse("2026-03-01T11:00:00Z") / 1000}`;

describe("mapGitHubStatus", () => {
  test.each([
    [info(401), "tracker_auth_error", "bad credentials"],
    [info(403, { "x-ratelimit-remaining": "0" }), "tracker_api_error", "rate limited (primary)"],
    [
      info(
        403,
        { "x-ratelimit-remaining": "12", "retry-after": "60" },
        "You have exceeded a secondary rate limit",
      ),
      "tracker_api_error",
      "rate limited (secondary) (retry after 60 seconds)",
    ],
    [info(403, {}, '{"message":"API Rate Limit exceeded"}'), "tracker_api_error", "rate limited (secondary)"],
    [info(403, {}, '{"message":"Must have admin rights"}'), "tracker_auth_error", "insufficient permissions"],
    [info(429), "tracker_api_error", "rate limited"],
    [
      info(429, { "retry-after": "3", "x-ratelimit-remaining": "0" }),
      "tracker_api_error",
      "rate limited (retry after 3 seconds)",
    ],
  ])("%#: → %s %s", (response, kind, detail) => {
    expect(mapGitHubStatus(response)).toEqual({ kind: kind as never, detail });
  });

  test("leaves other statuses to the shared mapping", () => {
    for (const status of [400, 404, 410, 422, 500]) expect(mapGitHubStatus(info(status))).toBeUndefined();
  });
});

describe("rateLimitKind", () => {
  test("only 403 and 429 can be rate limits", () => {
    expect(rateLimitKind(info(500, { "x-ratelimit-remaining": "0" }))).toBeUndefined();
    expect(rateLimitKind(info(404, { "retry-after": "5" }))).toBeUndefined();
  });
});

describe("gitHubExhaustion", () => {
  const clock = fakeClock("2026-03-01T10:00:00.000Z");
  const limiter = new GitHubRateLimiter({ now: clock.now, logger: recordingLogger() });
  const exhausted = gitHubExhaustion(limiter);

  test("a success that spent the last request pauses until the reset", () => {
    expect(exhausted(info(200, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": RESET }))).toEqual({
      reason: "rate limit budget exhausted",
      until: new Date("2026-03-01T11:00:00Z"),
    });
    expect(
      exhausted(info(200, { "x-ratelimit-remaining": "1", "x-ratelimit-reset": RESET })),
    ).toBeUndefined();
  });

  test("a 304 never pauses, even reporting no budget", () => {
    expect(
      exhausted(info(304, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": RESET })),
    ).toBeUndefined();
  });

  test("primary limits pause until Retry-After, else the reset", () => {
    expect(exhausted(info(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": RESET }))?.until).toEqual(
      new Date("2026-03-01T11:00:00Z"),
    );
    expect(
      exhausted(info(429, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": RESET, "retry-after": "5" }))
        ?.until,
    ).toEqual(new Date("2026-03-01T10:00:05Z"));
  });

  test("secondary limits ignore the primary reset: Retry-After, else 60 s", () => {
    const secondary = (headers: Record<string, string>) =>
      exhausted(
        info(
          403,
          { "x-ratelimit-remaining": "4000", "x-ratelimit-reset": RESET, ...headers },
          "secondary rate limit",
        ),
      );
    expect(secondary({})).toEqual({
      reason: "secondary rate limit",
      until: new Date("2026-03-01T10:01:00Z"),
    });
    expect(secondary({ "retry-after": "20" })?.until).toEqual(new Date("2026-03-01T10:00:20Z"));
    expect(exhausted(info(429))?.until).toEqual(new Date("2026-03-01T10:01:00Z"));
  });

  test("permission errors and other failures do not pause", () => {
    expect(exhausted(info(403, {}, "Must have admin rights"))).toBeUndefined();
    expect(exhausted(info(500))).toBeUndefined();
  });
});

describe("GitHubRateLimiter", () => {
  test("records counters under the resource GitHub names, else the request's", () => {
    const limiter = new GitHubRateLimiter({ now: fakeClock().now, logger: recordingLogger() });
    limiter.observe(
      "core",
      new Headers({ "x-ratelimit-resource": "search", "x-ratelimit-remaining": "29" }),
      200,
    );
    limiter.observe(
      "core",
      new Headers({ "x-ratelimit-remaining": "4999", "x-ratelimit-limit": "5000" }),
      200,
    );
    expect(limiter.snapshots().map((s) => [s.resource, s.limit, s.remaining])).toEqual([
      ["core", 5000, 4999],
      ["search", null, 29],
    ]);
  });
});
