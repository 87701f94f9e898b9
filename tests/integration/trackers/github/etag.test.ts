import { afterEach, describe, expect, test } from "bun:test";
import { gitHubIssue } from "../../../fakes/github/builders.ts";
import { setupGitHub, sortieError, stopFakes } from "./setup.ts";

afterEach(stopFakes);

const issues = () => [
  gitHubIssue(1, ["backlog"]),
  gitHubIssue(2, ["review"]),
  gitHubIssue(3, ["in-progress"]),
];

describe("ETag cache for state lookups", () => {
  test("a repeated lookup sends If-None-Match and answers 304s from the cache", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: issues() } });
    const first = await tracker.fetchIssueStatesByIds(["1", "2"]);
    expect(fake.requests.map((r) => r.headers.get("if-none-match"))).toEqual([null, null]);

    fake.requests.length = 0;
    const second = await tracker.fetchIssueStatesByIds(["1", "2"]);
    expect([...second]).toEqual([...first]);
    expect(fake.requests.map((r) => r.headers.get("if-none-match"))).toEqual([
      fake.repo.etag(fake.repo.get(1)!),
      fake.repo.etag(fake.repo.get(2)!),
    ]);
  });

  test("304 answers cost no rate-limit budget and do not lower the recorded remaining", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: issues() } });
    await tracker.fetchIssueStatesByIds(["1", "2", "3"]);
    const spent = fake.budgets.get("core").remaining;
    expect(spent).toBe(4997);
    for (let round = 0; round < 3; round++) await tracker.fetchIssueStatesByIds(["1", "2", "3"]);
    expect(fake.budgets.get("core").remaining).toBe(4997);
    expect(tracker.rateLimitStatus()).toEqual([
      {
        resource: "core",
        limit: 5000,
        remaining: 4997,
        resetAt: new Date(fake.budgets.get("core").reset * 1000),
        paused: false,
      },
    ]);
  });

  test("a changed issue answers 200 with a new ETag and the new state", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: issues() } });
    await tracker.fetchIssueStatesByIds(["1"]);
    const before = fake.repo.etag(fake.repo.get(1)!);
    fake.repo.setLabels(1, ["done"]);
    expect((await tracker.fetchIssueStatesByIds(["1"])).get("1")).toBe("done");
    fake.requests.length = 0;
    expect((await tracker.fetchIssueStatesByIds(["1"])).get("1")).toBe("done");
    const sent = fake.requests[0]?.headers.get("if-none-match");
    expect(sent).not.toBe(before);
    expect(sent).toBe(fake.repo.etag(fake.repo.get(1)!));
  });

  test("weak ETags are sent back verbatim", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: issues(), weakEtags: true } });
    await tracker.fetchIssueStatesByIds(["2"]);
    fake.requests.length = 0;
    expect((await tracker.fetchIssueStatesByIds(["2"])).get("2")).toBe("review");
    expect(fake.requests[0]?.headers.get("if-none-match")).toBe(`W/${fake.repo.etag(fake.repo.get(2)!)}`);
  });

  test("etag_cache_size 0 disables conditional requests", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: issues() }, options: { etag_cache_size: 0 } });
    await tracker.fetchIssueStatesByIds(["1"]);
    await tracker.fetchIssueStatesByIds(["1"]);
    expect(fake.requests.map((r) => r.headers.has("if-none-match"))).toEqual([false, false]);
    expect(fake.budgets.get("core").remaining).toBe(4998);
  });

  test("the cache keeps the most recently used issues up to etag_cache_size", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: issues() }, options: { etag_cache_size: 2 } });
    await tracker.fetchIssueStatesByIds(["1", "2"]);
    await tracker.fetchIssueStatesByIds(["1"]); // 1 becomes most recent
    await tracker.fetchIssueStatesByIds(["3"]); // evicts 2
    fake.requests.length = 0;
    await tracker.fetchIssueStatesByIds(["3", "1"]);
    await tracker.fetchIssueStatesByIds(["2"]);
    expect(fake.requests.map((r) => [r.path.split("/").pop(), r.headers.has("if-none-match")])).toEqual([
      ["3", true],
      ["1", true],
      ["2", false],
    ]);
  });

  test("errors leave the cached entry in place", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: issues() } });
    await tracker.fetchIssueStatesByIds(["1"]);
    fake.inject({ path: "/repos/owner/repo/issues/1", status: 500, body: "oops" });
    expect((await sortieError(tracker.fetchIssueStatesByIds(["1"]))).kind).toBe("tracker_transport_error");
    fake.requests.length = 0;
    expect((await tracker.fetchIssueStatesByIds(["1"])).get("1")).toBe("backlog");
    expect(fake.requests[0]?.headers.has("if-none-match")).toBe(true);
  });

  test("a deleted issue (404) drops out of the map and the cache", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: issues() } });
    await tracker.fetchIssueStatesByIds(["1"]);
    fake.inject({ path: "/repos/owner/repo/issues/1", status: 404, body: { message: "Not Found" } });
    expect((await tracker.fetchIssueStatesByIds(["1"])).size).toBe(0);
    fake.requests.length = 0;
    await tracker.fetchIssueStatesByIds(["1"]);
    expect(fake.requests[0]?.headers.has("if-none-match")).toBe(false);
  });

  test("an issue answered without an ETag is not cached", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: issues() } });
    fake.inject({ path: "/repos/owner/repo/issues/1", status: 200, body: gitHubIssue(1, ["review"]) });
    expect((await tracker.fetchIssueStatesByIds(["1"])).get("1")).toBe("review");
    fake.requests.length = 0;
    expect((await tracker.fetchIssueStatesByIds(["1"])).get("1")).toBe("backlog");
    expect(fake.requests[0]?.headers.has("if-none-match")).toBe(false);
  });

  test("other reads never use the cache", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: issues() } });
    await tracker.fetchIssueStatesByIds(["1"]);
    await tracker.fetchIssueById("1");
    await tracker.transitionIssue("1", "review");
    expect(
      fake.requestsTo("/repos/owner/repo/issues/1", "GET").map((r) => r.headers.has("if-none-match")),
    ).toEqual([false, false, false]);
  });
});
