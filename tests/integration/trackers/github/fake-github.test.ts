// The fake GitHub itself: the behaviour the adapter tests rely on must be GitHub's.
import { afterEach, describe, expect, test } from "bun:test";
import { gitHubIssue, gitHubPullRequest } from "../../../fakes/github/builders.ts";
import { type FakeGitHub, type FakeGitHubOptions, startFakeGitHub } from "../../../fakes/github/server.ts";
import { fakeClock } from "../../../unit/trackers/support.ts";

const fakes: FakeGitHub[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.stop()));
});

function start(options: FakeGitHubOptions = {}): FakeGitHub {
  const fake = startFakeGitHub(options);
  fakes.push(fake);
  return fake;
}

function call(fake: FakeGitHub, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has("authorization")) headers.set("authorization", `Bearer ${fake.token}`);
  return fetch(`${fake.url}${path}`, { ...init, headers });
}

describe("fake GitHub", () => {
  test("rejects requests without the token with 401 Bad credentials", async () => {
    const fake = start();
    const response = await call(fake, "/repos/owner/repo/issues", {
      headers: { authorization: "Bearer nope" },
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { message: string }).message).toBe("Bad credentials");
  });

  test("pages with absolute Link URLs: next and last, then first and prev", async () => {
    const fake = start({ issues: Array.from({ length: 5 }, (_, i) => gitHubIssue(i + 1, [])) });
    const first = await call(fake, "/repos/owner/repo/issues?per_page=2&direction=asc");
    expect(((await first.json()) as { number: number }[]).map((i) => i.number)).toEqual([1, 2]);
    expect(first.headers.get("link")).toBe(
      `<${fake.url}/repos/owner/repo/issues?per_page=2&direction=asc&page=2>; rel="next", ` +
        `<${fake.url}/repos/owner/repo/issues?per_page=2&direction=asc&page=3>; rel="last"`,
    );
    const last = await call(fake, "/repos/owner/repo/issues?per_page=2&direction=asc&page=3");
    expect(((await last.json()) as { number: number }[]).map((i) => i.number)).toEqual([5]);
    expect(last.headers.get("link")).not.toContain('rel="next"');
    expect(last.headers.get("link")).toContain('rel="prev"');
  });

  test("lists newest first unless asked otherwise, and filters by state", async () => {
    const fake = start({
      issues: [gitHubIssue(1, []), gitHubIssue(2, [], { state: "closed" }), gitHubIssue(3, [])],
    });
    const numbers = async (query: string) =>
      ((await (await call(fake, `/repos/owner/repo/issues${query}`)).json()) as { number: number }[]).map(
        (i) => i.number,
      );
    expect(await numbers("")).toEqual([3, 1]);
    expect(await numbers("?state=all&direction=asc")).toEqual([1, 2, 3]);
    expect(await numbers("?state=closed")).toEqual([2]);
  });

  test("search understands repo, type, state, labels, no:assignee and free words", async () => {
    const fake = start({
      issues: [
        gitHubIssue(1, ["needs review", "bug"], { title: "Crash on start" }),
        gitHubIssue(2, ["needs review"], { assignees: [{ login: "ann" }] }),
        gitHubIssue(3, ["bug"], { state: "closed" }),
        gitHubPullRequest(4, ["needs review"]),
      ],
    });
    const search = async (q: string) => {
      const response = await call(
        fake,
        `/search/issues?${new URLSearchParams({ q, sort: "created", order: "asc" })}`,
      );
      const body = (await response.json()) as { total_count: number; items: { number: number }[] };
      return body.items.map((i) => i.number);
    };
    expect(await search('repo:owner/repo type:issue label:"needs review"')).toEqual([1, 2]);
    expect(await search('repo:owner/repo label:"needs review"')).toEqual([1, 2, 4]);
    expect(await search("repo:owner/repo type:issue state:closed label:bug")).toEqual([3]);
    expect(await search("repo:owner/repo is:issue is:open no:assignee -label:bug")).toEqual([]);
    expect(await search("repo:owner/repo type:issue no:assignee")).toEqual([1, 3]);
    expect(await search("repo:owner/repo crash")).toEqual([1]);
    expect(await search("repo:other/repo type:issue")).toEqual([]);
    expect((await call(fake, "/search/issues")).status).toBe(422);
  });

  test("search serves only the first 1000 results", async () => {
    const fake = start({ issues: Array.from({ length: 1010 }, (_, i) => gitHubIssue(i + 1, ["x"])) });
    const page = (n: number) => call(fake, `/search/issues?q=repo:owner/repo&per_page=50&page=${n}`);
    const twenty = await page(20);
    expect(((await twenty.json()) as { total_count: number }).total_count).toBe(1010);
    expect(twenty.headers.get("link")).not.toContain('rel="next"');
    expect((await page(21)).status).toBe(422);
  });

  test("issue ETags: 304 for a matching If-None-Match, weak or strong, without spending budget", async () => {
    const fake = start({ issues: [gitHubIssue(1, [])], weakEtags: true });
    const first = await call(fake, "/repos/owner/repo/issues/1");
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toStartWith('W/"');
    expect(first.headers.get("x-ratelimit-remaining")).toBe("4999");
    for (const tag of [etag, etag.slice(2), `"other", ${etag}`]) {
      const again = await call(fake, "/repos/owner/repo/issues/1", { headers: { "if-none-match": tag } });
      expect(again.status).toBe(304);
      expect(again.headers.get("x-ratelimit-remaining")).toBe("4999");
    }
    fake.repo.setLabels(1, ["bug"]);
    const changed = await call(fake, "/repos/owner/repo/issues/1", { headers: { "if-none-match": etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
  });

  test("labels: POST adds (case-insensitively), DELETE removes or answers 404, strict repos refuse unknown labels", async () => {
    const fake = start({ issues: [gitHubIssue(1, ["Bug"])], labels: ["backlog"], strictLabels: true });
    const add = (labels: string[]) =>
      call(fake, "/repos/owner/repo/issues/1/labels", { method: "POST", body: JSON.stringify({ labels }) });
    expect((await add(["bug", "BACKLOG"])).status).toBe(200);
    expect(fake.repo.labelsOf(1)).toEqual(["Bug", "backlog"]);
    expect((await add(["unknown"])).status).toBe(422);
    expect((await call(fake, "/repos/owner/repo/issues/1/labels/BUG", { method: "DELETE" })).status).toBe(
      200,
    );
    expect((await call(fake, "/repos/owner/repo/issues/1/labels/bug", { method: "DELETE" })).status).toBe(
      404,
    );
  });

  test("PATCH closes and reopens; invalid states are 422; comments are created with 201", async () => {
    const fake = start({ issues: [gitHubIssue(1, [])] });
    const patch = (body: unknown) =>
      call(fake, "/repos/owner/repo/issues/1", { method: "PATCH", body: JSON.stringify(body) });
    expect((await patch({ state: "closed", state_reason: "completed" })).status).toBe(200);
    expect(fake.repo.get(1)).toMatchObject({ state: "closed", state_reason: "completed" });
    expect((await patch({ state: "open" })).status).toBe(200);
    expect(fake.repo.get(1)?.state).toBe("open");
    expect((await patch({ state: "done" })).status).toBe(422);
    const comment = await call(fake, "/repos/owner/repo/issues/1/comments", {
      method: "POST",
      body: JSON.stringify({ body: "hello" }),
    });
    expect(comment.status).toBe(201);
    expect(
      (await call(fake, "/repos/owner/repo/issues/1/comments", { method: "POST", body: "{" })).status,
    ).toBe(400);
  });

  test("missing things are 404, deleted issues 410", async () => {
    const fake = start({ issues: [gitHubIssue(1, []), gitHubIssue(2, [])], dependencies: false });
    expect((await call(fake, "/repos/owner/repo/issues/9")).status).toBe(404);
    expect((await call(fake, "/repos/owner/repo/issues/1/parent")).status).toBe(404);
    expect((await call(fake, "/repos/owner/repo/issues/1/dependencies/blocked_by")).status).toBe(404);
    expect((await call(fake, "/repos/other/repo/issues")).status).toBe(404);
    fake.repo.delete(2);
    expect((await call(fake, "/repos/owner/repo/issues/2")).status).toBe(410);
  });

  test("budgets: X-RateLimit-* on every answer, 403 once spent, refilled after the reset", async () => {
    const clock = fakeClock("2026-03-01T10:00:00.000Z");
    const fake = start({ issues: [gitHubIssue(1, [])], limits: { core: 2 }, now: clock.now });
    const get = () => call(fake, "/repos/owner/repo/issues/1");
    const first = await get();
    expect(Object.fromEntries([...first.headers].filter(([name]) => name.startsWith("x-ratelimit")))).toEqual(
      {
        "x-ratelimit-limit": "2",
        "x-ratelimit-remaining": "1",
        "x-ratelimit-used": "1",
        "x-ratelimit-reset": String(Date.parse("2026-03-01T11:00:00Z") / 1000),
        "x-ratelimit-resource": "core",
      },
    );
    expect((await get()).status).toBe(200);
    const refused = await get();
    expect([refused.status, refused.headers.get("x-ratelimit-remaining")]).toEqual([403, "0"]);
    expect(((await refused.json()) as { message: string }).message).toContain("API rate limit exceeded");
    const search = await call(fake, "/search/issues?q=repo:owner/repo");
    expect([search.status, search.headers.get("x-ratelimit-resource")]).toEqual([200, "search"]);
    clock.advance(3_600_000);
    expect((await get()).headers.get("x-ratelimit-remaining")).toBe("1");
  });
});
