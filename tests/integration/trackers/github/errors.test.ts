import { afterEach, describe, expect, test } from "bun:test";
import { errorMessage } from "../../../../src/domain/errors.ts";
import { createGitHubTracker } from "../../../../src/trackers/github/index.ts";
import { gitHubIssue } from "../../../fakes/github/builders.ts";
import { secondaryRateLimit } from "../../../fakes/github/server.ts";
import { recordingLogger } from "../../../unit/trackers/support.ts";
import { setupGitHub, sortieError, stopFakes } from "./setup.ts";

afterEach(stopFakes);

const issues = () => [gitHubIssue(1, ["backlog"])];

describe("error mapping", () => {
  test.each([
    [
      400,
      { message: "Problems parsing JSON" },
      "tracker_payload_error",
      'bad request: {"message":"Problems parsing JSON"}',
    ],
    [
      410,
      { message: "Issues are disabled" },
      "tracker_api_error",
      'gone (410): {"message":"Issues are disabled"}',
    ],
    [
      422,
      { message: "Validation Failed" },
      "tracker_payload_error",
      'validation failed: {"message":"Validation Failed"}',
    ],
    [500, "oops", "tracker_transport_error", "server error 500: oops"],
    [503, "", "tracker_transport_error", "server error 503: "],
    [418, "teapot", "tracker_api_error", "unexpected status 418: teapot"],
  ] as const)("HTTP %i → %s", async (status, body, kind, detail) => {
    const { fake, tracker } = setupGitHub({ fake: { issues: issues() } });
    fake.inject({ status, body });
    const error = await sortieError(tracker.fetchCandidateIssues());
    expect([error.kind, error.message]).toEqual([kind, `GET /repos/owner/repo/issues: ${detail}`]);
  });

  test("a renamed repository's redirect is followed", async () => {
    const { fake, tracker } = setupGitHub({
      fake: { issues: issues() },
      tracker: { project: "owner/old-name" },
    });
    fake.inject({
      path: "/repos/owner/old-name/issues",
      status: 301,
      headers: {
        location: `${fake.url}/repos/owner/repo/issues?state=open&sort=created&direction=asc&per_page=50`,
      },
      body: { message: "Moved Permanently" },
    });
    expect((await tracker.fetchCandidateIssues()).map((issue) => issue.displayId)).toEqual([
      "owner/old-name#1",
    ]);
    expect(fake.requests.map((r) => r.path)).toEqual([
      "/repos/owner/old-name/issues",
      "/repos/owner/repo/issues",
    ]);
  });

  test("a deleted issue answers 410, which is an API error and not 'not found'", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: issues() } });
    fake.repo.delete(1);
    const error = await sortieError(tracker.fetchIssueById("1"));
    expect(error.kind).toBe("tracker_api_error");
    expect(error.message).toStartWith("GET /repos/owner/repo/issues/1: gone (410): ");
  });

  test("a wrong token is tracker_auth_error 'bad credentials'", async () => {
    const { tracker } = setupGitHub({ fake: { issues: issues() }, apiKey: "ghp_wrongTokenValue123" });
    const error = await sortieError(tracker.fetchCandidateIssues());
    expect([error.kind, error.message]).toEqual([
      "tracker_auth_error",
      "GET /repos/owner/repo/issues: bad credentials",
    ]);
  });

  test("no answer within the timeout is a transport error", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: issues() }, timeoutMs: 100 });
    fake.inject({ delayMs: 2_000 });
    const error = await sortieError(tracker.fetchCandidateIssues());
    expect([error.kind, error.message]).toEqual([
      "tracker_transport_error",
      "GET /repos/owner/repo/issues: transport error",
    ]);
  });

  test("a refused connection is a transport error", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: issues() } });
    await fake.stop();
    const error = await sortieError(tracker.fetchIssueStatesByIds(["1"]));
    expect(error.kind).toBe("tracker_transport_error");
  });

  test("a caller abort is re-thrown as-is", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: issues() } });
    fake.inject({ delayMs: 2_000 });
    const controller = new AbortController();
    const pending = tracker.fetchCandidateIssues(controller.signal);
    const reason = new DOMException("shutting down", "AbortError");
    controller.abort(reason);
    expect(await pending.catch((err: unknown) => err)).toBe(reason);
  });
});

describe("the token never leaks", () => {
  const TOKEN = "ghp_SuperSecretTokenValue0123456789abcd";

  test("not in messages, causes or logs, even when GitHub echoes the Authorization header", async () => {
    const { fake, tracker, logger } = setupGitHub({
      fake: { issues: issues(), token: TOKEN, echoAuthorization: true },
    });
    const failures: unknown[] = [];
    const run = async (call: () => Promise<unknown>) => {
      failures.push(await call().catch((err: unknown) => err));
    };

    fake.inject({ status: 500, body: { message: "boom" } });
    await run(() => tracker.fetchCandidateIssues());
    fake.inject({ status: 422, body: { message: "Validation Failed" } });
    await run(() => tracker.commentIssue("1", "hi"));
    fake.inject({ status: 404 });
    await run(() => tracker.fetchIssueComments("1"));
    fake.inject({ status: 403, body: { message: "Resource not accessible" } });
    await run(() => tracker.addLabel("1", "x"));
    fake.inject(secondaryRateLimit(1));
    await run(() => tracker.transitionIssue("1", "review"));
    await run(() => tracker.fetchIssueById("1"));

    // Each fault was answered with the Authorization header echoed back.
    expect(fake.requests.length).toBeGreaterThanOrEqual(5);
    expect(failures).toHaveLength(6);
    for (const failure of failures) {
      const text = [
        errorMessage(failure),
        String(failure),
        JSON.stringify(failure),
        Bun.inspect(failure),
      ].join("\n");
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(TOKEN.slice(4));
    }
    expect(errorMessage(failures[0])).toContain("[redacted]");
    expect(JSON.stringify(logger.records)).not.toContain(TOKEN);
  });

  test("not when the adapter's token is wrong and GitHub echoes it", async () => {
    const wrong = "ghp_WrongButStillSecret987654321";
    const { tracker } = setupGitHub({
      fake: { issues: issues(), echoAuthorization: true },
      apiKey: wrong,
    });
    const error = await sortieError(tracker.fetchCandidateIssues());
    expect(error.kind).toBe("tracker_auth_error");
    expect(Bun.inspect(error)).not.toContain(wrong);
  });

  test("not on a transport failure", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: issues(), token: TOKEN }, timeoutMs: 50 });
    fake.inject({ delayMs: 1_000 });
    const error = await sortieError(tracker.fetchCandidateIssues());
    expect(Bun.inspect(error)).not.toContain(TOKEN);
  });
});

describe("GitHub Enterprise Server", () => {
  test.each(["", "/"])(
    "an /api/v3 endpoint (trailing slash %p) prefixes every request, Link follow-ups included",
    async (slash) => {
      const seeds = Array.from({ length: 60 }, (_, i) => gitHubIssue(i + 1, ["backlog"]));
      const { fake, config, clock } = setupGitHub({ fake: { issues: seeds, prefix: "/api/v3" } });
      expect(config.endpoint).toEndWith("/api/v3");
      const tracker = createGitHubTracker(
        { ...config, endpoint: `${config.endpoint}${slash}` },
        { fetch, logger: recordingLogger(), now: clock.now, cwd: "/" },
      );
      expect(await tracker.fetchCandidateIssues()).toHaveLength(60);
      expect(await tracker.fetchIssueStatesByIds(["1"])).toEqual(new Map([["1", "backlog"]]));
      expect(fake.requests.map((r) => [r.rawPath, r.query.get("page")])).toEqual([
        ["/api/v3/repos/owner/repo/issues", null],
        ["/api/v3/repos/owner/repo/issues", "2"],
        ["/api/v3/repos/owner/repo/issues/1", null],
      ]);
      expect(fake.requests.every((r) => r.headers.get("authorization") === `Bearer ${fake.token}`)).toBe(
        true,
      );
    },
  );
});
