import { afterEach, describe, expect, test } from "bun:test";
import { gitHubIssue } from "../../../fakes/github/builders.ts";
import { permissionDenied, secondaryRateLimit } from "../../../fakes/github/server.ts";
import { instrumented, setupGitHub, sortieError, stopFakes } from "./setup.ts";

afterEach(stopFakes);

const START = Date.parse("2026-03-01T10:00:00Z");
const seconds = (iso: string) => Date.parse(iso) / 1000;
const issues = () => [gitHubIssue(1, ["backlog"]), gitHubIssue(2, ["review"])];

/** WARN/INFO records as [level, message, properties]. */
function limitLogs(logger: ReturnType<typeof setupGitHub>["logger"]) {
  return logger.records
    .filter((r) => r.message.startsWith("tracker rate limit"))
    .map((r) => [r.level, r.message, r.properties]);
}

describe("primary rate limit", () => {
  test("the answer that spends the last request pauses core until the reset; nothing reaches GitHub meanwhile", async () => {
    const { fake, tracker, clock, logger } = setupGitHub({ fake: { issues: issues() } });
    fake.budgets.set("core", { remaining: 1, reset: seconds("2026-03-01T10:20:00Z") });

    expect(await tracker.fetchCandidateIssues()).toHaveLength(2);
    expect(fake.requests).toHaveLength(1);

    const calls = [
      () => tracker.fetchCandidateIssues(),
      () => tracker.fetchIssueStatesByIds(["1"]),
      () => tracker.fetchIssueById("1"),
      () => tracker.transitionIssue("1", "review"),
      () => tracker.commentIssue("1", "hi"),
    ];
    for (const call of calls) {
      const error = await sortieError(call());
      expect(error.kind).toBe("tracker_api_error");
      expect(error.message).toEndWith("rate limited (paused until 2026-03-01T10:20:00Z)");
    }
    expect(fake.requests).toHaveLength(1);
    expect(tracker.rateLimitPauses()).toEqual([
      {
        resource: "core",
        until: new Date("2026-03-01T10:20:00Z"),
        reason: "rate limit budget exhausted",
        limit: 5000,
        remaining: 0,
      },
    ]);

    clock.advance(20 * 60_000 - 1000);
    await sortieError(tracker.fetchIssueStatesByIds(["1"]));
    expect(fake.requests).toHaveLength(1);

    clock.advance(1000);
    expect([...(await tracker.fetchIssueStatesByIds(["1", "2"]))]).toEqual([
      ["1", "backlog"],
      ["2", "review"],
    ]);
    expect(fake.requests).toHaveLength(3);
    expect(tracker.rateLimitPauses()).toEqual([]);
    expect(limitLogs(logger)).toEqual([
      [
        "warn",
        "tracker rate limit reached, pausing",
        { resource: "core", until: "2026-03-01T10:20:00Z", reason: "rate limit budget exhausted" },
      ],
      ["info", "tracker rate limit pause ended", { resource: "core" }],
    ]);
  });

  test("a 403 with no budget left is tracker_api_error (primary) and pauses until X-RateLimit-Reset", async () => {
    const { fake, tracker, clock } = setupGitHub({ fake: { issues: issues() } });
    fake.budgets.set("core", { remaining: 0, reset: seconds("2026-03-01T10:45:00Z") });

    const error = await sortieError(tracker.fetchCandidateIssues());
    expect([error.kind, error.message]).toEqual([
      "tracker_api_error",
      "GET /repos/owner/repo/issues: rate limited (primary)",
    ]);
    expect(tracker.rateLimitStatus()).toEqual([
      {
        resource: "core",
        limit: 5000,
        remaining: 0,
        resetAt: new Date("2026-03-01T10:45:00Z"),
        paused: true,
      },
    ]);
    await sortieError(tracker.fetchCandidateIssues());
    expect(fake.requests).toHaveLength(1);

    clock.advance(45 * 60_000);
    expect(await tracker.fetchCandidateIssues()).toHaveLength(2);
    expect(tracker.rateLimitStatus()[0]).toMatchObject({ remaining: 4999, paused: false });
  });
});

describe("secondary rate limits", () => {
  test("a 403 naming a secondary limit pauses for Retry-After seconds", async () => {
    const { fake, tracker, clock, logger } = setupGitHub({ fake: { issues: issues() } });
    fake.inject(secondaryRateLimit(30));

    const error = await sortieError(tracker.fetchCandidateIssues());
    expect([error.kind, error.message]).toEqual([
      "tracker_api_error",
      "GET /repos/owner/repo/issues: rate limited (secondary) (retry after 30 seconds)",
    ]);
    const paused = await sortieError(tracker.fetchCandidateIssues());
    expect(paused.message).toEndWith("(paused until 2026-03-01T10:00:30Z)");
    expect(fake.requests).toHaveLength(1);

    clock.advance(30_000);
    expect(await tracker.fetchCandidateIssues()).toHaveLength(2);
    expect(limitLogs(logger).map(([level]) => level)).toEqual(["warn", "info"]);
  });

  test("without Retry-After the pause is 60 s, whatever the primary reset says", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: issues() } });
    fake.inject(secondaryRateLimit());
    await sortieError(tracker.fetchCandidateIssues());
    expect(tracker.rateLimitPauses().map((p) => [p.resource, p.until.getTime() - START, p.reason])).toEqual([
      ["core", 60_000, "secondary rate limit"],
    ]);
  });

  test("a 429 with Retry-After is rate limited and pauses that long", async () => {
    const { fake, tracker, clock } = setupGitHub({ fake: { issues: issues() } });
    fake.inject({ status: 429, headers: { "retry-after": "5" }, body: { message: "Too Many Requests" } });
    const error = await sortieError(tracker.fetchIssueStatesByIds(["1"]));
    expect([error.kind, error.message]).toEqual([
      "tracker_api_error",
      "GET /repos/owner/repo/issues/1: rate limited (retry after 5 seconds)",
    ]);
    await sortieError(tracker.fetchIssueStatesByIds(["1"]));
    expect(fake.requests).toHaveLength(1);
    clock.advance(5_000);
    expect((await tracker.fetchIssueStatesByIds(["1"])).get("1")).toBe("backlog");
  });

  test("a 403 with Retry-After but a plain body is still a rate limit", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: issues() } });
    fake.inject({ status: 403, headers: { "retry-after": "10" }, body: { message: "Forbidden" } });
    const error = await sortieError(tracker.fetchCandidateIssues());
    expect(error.kind).toBe("tracker_api_error");
    expect(tracker.rateLimitPauses()[0]?.until).toEqual(new Date(START + 10_000));
  });

  test("a 403 for a missing permission is an auth error and pauses nothing", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: issues() } });
    fake.inject(permissionDenied());
    const error = await sortieError(tracker.addLabel("1", "x"));
    expect([error.kind, error.message]).toEqual([
      "tracker_auth_error",
      "POST /repos/owner/repo/issues/1/labels: insufficient permissions",
    ]);
    expect(tracker.rateLimitPauses()).toEqual([]);
    await tracker.addLabel("1", "x");
  });
});

describe("resources", () => {
  test("an exhausted search budget pauses candidate searches while core lookups go on", async () => {
    const { fake, tracker, clock } = setupGitHub({
      fake: { issues: issues() },
      tracker: { queryFilter: "label:backlog" },
    });
    fake.budgets.set("search", { remaining: 1, reset: seconds("2026-03-01T10:01:00Z") });
    expect((await tracker.fetchCandidateIssues()).map((i) => i.id)).toEqual(["1"]);

    const paused = await sortieError(tracker.fetchCandidateIssues());
    expect(paused.message).toBe("GET /search/issues: rate limited (paused until 2026-03-01T10:01:00Z)");
    expect((await tracker.fetchIssueStatesByIds(["2"])).get("2")).toBe("review");

    expect(tracker.rateLimitStatus()).toEqual([
      { resource: "core", limit: 5000, remaining: 4999, resetAt: new Date(START + 3_600_000), paused: false },
      {
        resource: "search",
        limit: 30,
        remaining: 0,
        resetAt: new Date("2026-03-01T10:01:00Z"),
        paused: true,
      },
    ]);
    expect(tracker.rateLimitPauses().map((p) => p.resource)).toEqual(["search"]);

    clock.advance(60_000);
    expect(await tracker.fetchCandidateIssues()).toHaveLength(1);
    expect(fake.requestsTo("/search/issues")).toHaveLength(2);
  });

  test("the registry's wrapper exposes pauses and status", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: issues() } });
    const wrapped = instrumented(tracker);
    fake.inject(secondaryRateLimit(7));
    await sortieError(wrapped.fetchCandidateIssues());
    expect(wrapped.rateLimitPauses?.().map((p) => p.resource)).toEqual(["core"]);
    expect(wrapped.rateLimitStatus?.().map((s) => [s.resource, s.paused])).toEqual([["core", true]]);
  });
});
