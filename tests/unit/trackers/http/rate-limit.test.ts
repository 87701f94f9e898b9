import { describe, expect, test } from "bun:test";
import { SortieError } from "../../../../src/domain/errors.ts";
import { RateLimiter } from "../../../../src/trackers/http/rate-limit.ts";
import { fakeClock, recordingLogger } from "../support.ts";

function limiter() {
  const clock = fakeClock("2026-03-01T10:00:00.000Z");
  const logger = recordingLogger();
  return { clock, logger, limiter: new RateLimiter({ now: clock.now, logger }) };
}

describe("pause end time", () => {
  test.each([
    [
      "Retry-After seconds win over the reset",
      { "retry-after": "30", "x-ratelimit-reset": "1772362800" },
      "2026-03-01T10:00:30.000Z",
    ],
    ["a reset in epoch seconds", { "x-ratelimit-reset": "1772362800" }, "2026-03-01T11:00:00.000Z"],
    ["an ISO-8601 reset", { "x-ratelimit-reset": "2026-03-01T10:05:00.000Z" }, "2026-03-01T10:05:00.000Z"],
    [
      "a Retry-After HTTP date",
      { "retry-after": "Sun, 01 Mar 2026 10:02:00 GMT" },
      "2026-03-01T10:02:00.000Z",
    ],
    ["no headers: 60 s", {}, "2026-03-01T10:01:00.000Z"],
    ["a reset in the past: at least 1 s", { "x-ratelimit-reset": "1000" }, "2026-03-01T10:00:01.000Z"],
    ["an unreadable Retry-After: 60 s", { "retry-after": "soon" }, "2026-03-01T10:01:00.000Z"],
  ])("%s", (_name, headers, until) => {
    expect(limiter().limiter.pauseUntil(new Headers(headers)).toISOString()).toBe(until);
  });
});

test("without the reset header, a response naming only a reset pauses for the fallback", () => {
  const { limiter: rl } = limiter();
  const headers = new Headers({ "x-ratelimit-reset": "1772362800" });
  expect(rl.pauseUntil(headers, { useReset: false }).toISOString()).toBe("2026-03-01T10:01:00.000Z");
  expect(
    rl
      .pauseUntil(new Headers({ "retry-after": "5", ...Object.fromEntries(headers) }), { useReset: false })
      .toISOString(),
  ).toBe("2026-03-01T10:00:05.000Z");
});

describe("pauses", () => {
  test("a paused resource fails fast; an extension during the pause does not warn again", () => {
    const { clock, logger, limiter: rl } = limiter();
    rl.pause("search", new Date("2026-03-01T10:01:00Z"), "rate limited");
    rl.pause("search", new Date("2026-03-01T10:02:00Z"), "rate limited");
    let error: unknown;
    try {
      rl.assertOpen("search", "GET", "/search/issues");
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SortieError);
    expect((error as SortieError).kind).toBe("tracker_api_error");
    expect((error as SortieError).message).toBe(
      "GET /search/issues: rate limited (paused until 2026-03-01T10:02:00Z)",
    );
    expect(() => rl.assertOpen("core", "GET", "/x")).not.toThrow();
    expect(logger.messages()).toEqual(["tracker rate limit reached, pausing"]);

    clock.advance(120_000);
    expect(rl.pauses()).toEqual([]);
    expect(() => rl.assertOpen("search", "GET", "/search/issues")).not.toThrow();
    expect(logger.messages()).toEqual([
      "tracker rate limit reached, pausing",
      "tracker rate limit pause ended",
    ]);
  });
});

describe("snapshots", () => {
  test("record the latest counters per resource; a 304 never lowers remaining", () => {
    const { limiter: rl } = limiter();
    const headers = (remaining: string) =>
      new Headers({
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": remaining,
        "x-ratelimit-reset": "1772362800",
      });
    rl.observe("core", headers("4000"), 200);
    rl.observe("core", headers("3000"), 304);
    expect(rl.snapshots()[0]?.remaining).toBe(4000);
    rl.observe("core", headers("4500"), 304);
    expect(rl.snapshots()[0]?.remaining).toBe(4500);
    rl.observe("core", headers("10"), 200);
    rl.observe("search", new Headers({ "x-ratelimit-remaining": "29" }), 200);
    rl.observe("other", new Headers(), 200);
    expect(rl.snapshots()).toEqual([
      {
        resource: "core",
        limit: 5000,
        remaining: 10,
        resetAt: new Date("2026-03-01T11:00:00Z"),
        paused: false,
      },
      { resource: "search", limit: null, remaining: 29, resetAt: null, paused: false },
    ]);
  });
});
