import { afterEach, describe, expect, test } from "bun:test";
import { gitHubComment, gitHubIssue, gitHubPullRequest } from "../../../fakes/github/builders.ts";
import { fixtureIssues, githubFixture } from "../../../fakes/github/fixtures.ts";
import { instrumented, metricsRecorder, setupGitHub, sortieError, stopFakes } from "./setup.ts";

afterEach(stopFakes);

describe("fetchCandidateIssues without a query filter", () => {
  test("lists open issues oldest first with GitHub's headers and keeps active, non-PR issues", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: fixtureIssues() } });
    const issues = await tracker.fetchCandidateIssues();

    expect(issues.map((issue) => [issue.id, issue.state])).toEqual([
      ["1", "backlog"],
      ["3", "in-progress"],
      ["5", "review"],
    ]);
    expect(issues.every((issue) => issue.comments === null)).toBe(true);
    expect(issues[1]).toMatchObject({ identifier: "3", displayId: "owner/repo#3", assignee: "bob" });

    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request?.method).toBe("GET");
    expect(request?.path).toBe("/repos/owner/repo/issues");
    expect(Object.fromEntries(request?.query ?? [])).toEqual({
      state: "open",
      sort: "created",
      direction: "asc",
      per_page: "50",
    });
    expect(request?.headers.get("authorization")).toBe(`Bearer ${fake.token}`);
    expect(request?.headers.get("accept")).toBe("application/vnd.github+json");
    expect(request?.headers.get("x-github-api-version")).toBe("2026-03-10");
    expect(request?.headers.get("user-agent")).toBe("sortie/test");
    expect(request?.body).toBe("");
  });

  test("follows Link rel=next across pages verbatim, with the same headers on every page", async () => {
    const seeds = Array.from({ length: 120 }, (_, i) =>
      i % 10 === 9 ? gitHubPullRequest(i + 1, ["backlog"]) : gitHubIssue(i + 1, ["backlog"]),
    );
    const { fake, tracker } = setupGitHub({ fake: { issues: seeds } });
    const issues = await tracker.fetchCandidateIssues();

    expect(issues).toHaveLength(108);
    expect(issues.map((issue) => Number(issue.id))).toEqual(
      Array.from({ length: 120 }, (_, i) => i + 1).filter((n) => n % 10 !== 0),
    );
    expect(fake.requests.map((r) => r.query.get("page"))).toEqual([null, "2", "3"]);
    for (const request of fake.requests) {
      expect(request.path).toBe("/repos/owner/repo/issues");
      expect(request.query.get("per_page")).toBe("50");
      expect(request.query.get("direction")).toBe("asc");
      expect(request.headers.get("authorization")).toBe(`Bearer ${fake.token}`);
      expect(request.headers.get("x-github-api-version")).toBe("2026-03-10");
    }
  });

  test("an empty repository yields an empty list", async () => {
    const { tracker } = setupGitHub();
    expect(await tracker.fetchCandidateIssues()).toEqual([]);
  });

  test("a body that is not an issue list is a payload error", async () => {
    const { fake, tracker } = setupGitHub();
    fake.inject({ path: "/repos/owner/repo/issues", status: 200, body: { message: "not a list" } });
    const error = await sortieError(tracker.fetchCandidateIssues());
    expect([error.kind, error.message]).toEqual(["tracker_payload_error", "failed to parse issues response"]);
  });
});

describe("fetchCandidateIssues with a query filter", () => {
  test("searches open issues of the repository with the filter appended", async () => {
    const search = githubFixture<{ items: Record<string, unknown>[] }>("search.json");
    const { fake, tracker } = setupGitHub({
      fake: {
        issues: [
          ...fixtureIssues(),
          ...search.items,
          gitHubIssue(11, ["review"], { assignees: [{ login: "x" }] }),
        ],
      },
      tracker: { queryFilter: "no:assignee label:review" },
    });
    const issues = await tracker.fetchCandidateIssues();

    expect(issues.map((issue) => [issue.id, issue.title, issue.state])).toEqual([
      ["5", "Page-two issue", "review"],
      ["10", "Search result: review phase", "review"],
    ]);
    const [request] = fake.requests;
    expect(request?.path).toBe("/search/issues");
    expect(Object.fromEntries(request?.query ?? [])).toEqual({
      q: "repo:owner/repo type:issue state:open no:assignee label:review",
      sort: "created",
      order: "asc",
      per_page: "50",
    });
  });

  test("drops pull requests and non-active states from search results", async () => {
    const { tracker } = setupGitHub({
      fake: {
        issues: [gitHubIssue(1, ["done"]), gitHubIssue(2, ["backlog"]), gitHubPullRequest(3, ["backlog"])],
      },
      tracker: { queryFilter: "is:pr" },
    });
    // The filter asks for pull requests; the adapter still never treats one as an issue.
    expect(await tracker.fetchCandidateIssues()).toEqual([]);
  });

  test("incomplete search results are used and logged as a warning", async () => {
    const { fake, tracker, logger } = setupGitHub({
      fake: { issues: [gitHubIssue(1, ["backlog"])] },
      tracker: { queryFilter: "label:backlog" },
    });
    fake.setIncompleteResults(true);
    expect((await tracker.fetchCandidateIssues()).map((issue) => issue.id)).toEqual(["1"]);
    expect(logger.records.filter((r) => r.level === "warn")).toEqual([
      {
        level: "warn",
        message: "tracker search results incomplete",
        properties: { query: "repo:owner/repo type:issue state:open label:backlog", returned: 1 },
      },
    ]);
  });

  test("search results page through Link like lists do", async () => {
    const seeds = Array.from({ length: 75 }, (_, i) => gitHubIssue(i + 1, ["review"]));
    const { fake, tracker } = setupGitHub({
      fake: { issues: seeds },
      tracker: { queryFilter: "label:review" },
    });
    expect(await tracker.fetchCandidateIssues()).toHaveLength(75);
    expect(fake.requests.map((r) => [r.path, r.query.get("page")])).toEqual([
      ["/search/issues", null],
      ["/search/issues", "2"],
    ]);
  });
});

describe("fetchIssueById", () => {
  function detailSetup(fakeOptions: Parameters<typeof setupGitHub>[0] = {}) {
    const blocker = githubFixture<Record<string, unknown>[]>("blockers.json");
    return setupGitHub({
      ...fakeOptions,
      fake: {
        issues: [githubFixture("issue.json"), ...blocker, githubFixture("parent.json")],
        comments: { 42: githubFixture<Record<string, unknown>[]>("comments.json") },
        blockedBy: { 42: [5] },
        parents: { 42: 7 },
        ...fakeOptions.fake,
      },
    });
  }

  test("returns the issue with blockers, parent and comments from four sequential requests", async () => {
    const { fake, tracker } = detailSetup();
    const issue = await tracker.fetchIssueById("42");

    expect(issue).toEqual({
      id: "42",
      identifier: "42",
      displayId: "owner/repo#42",
      title: "Add dark mode support",
      description: "Users want a **dark mode** option.",
      priority: null,
      state: "in-progress",
      branchName: "",
      url: "https://github.com/owner/repo/issues/42",
      labels: ["in-progress", "ui", "enhancement"],
      assignee: "alice",
      issueType: "Feature",
      parent: { id: "7", identifier: "7" },
      comments: [
        {
          id: "9001",
          author: "alice",
          body: "Looks good, please proceed.",
          createdAt: "2026-01-15T10:00:00Z",
        },
        { id: "9002", author: "bob", body: "Please fix the indentation.", createdAt: "2026-01-16T11:30:00Z" },
      ],
      blockedBy: [{ id: "5", identifier: "5", state: "in-progress" }],
      createdAt: "2026-01-01T00:00:00Z",
      updatedAt: "2026-01-02T00:00:00Z",
    });
    expect(fake.requests.map((r) => [r.method, r.path, r.query.toString()])).toEqual([
      ["GET", "/repos/owner/repo/issues/42", ""],
      ["GET", "/repos/owner/repo/issues/42/dependencies/blocked_by", "per_page=50"],
      ["GET", "/repos/owner/repo/issues/42/parent", ""],
      ["GET", "/repos/owner/repo/issues/42/comments", "per_page=50"],
    ]);
    // A plain read: the ETag cache belongs to state lookups only.
    expect(fake.requests[0]?.headers.has("if-none-match")).toBe(false);
  });

  test("no dependencies API, no parent and no comments give [], null and []", async () => {
    const { tracker } = setupGitHub({
      fake: { issues: [githubFixture("issue.json")], dependencies: false },
    });
    const issue = await tracker.fetchIssueById("42");
    expect([issue.blockedBy, issue.parent, issue.comments]).toEqual([[], null, []]);
  });

  test("a missing issue is tracker_not_found after one request", async () => {
    const { fake, tracker } = detailSetup();
    const error = await sortieError(tracker.fetchIssueById("99"));
    expect([error.kind, error.message]).toEqual(["tracker_not_found", "issue not found: 99"]);
    expect(fake.requests).toHaveLength(1);
  });

  test("a pull request is not an issue", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: [gitHubPullRequest(2, ["in-progress"])] } });
    const error = await sortieError(tracker.fetchIssueById("2"));
    expect([error.kind, error.message]).toEqual([
      "tracker_not_found",
      "resource is a pull request, not an issue: 2",
    ]);
    expect(fake.requests).toHaveLength(1);
  });

  test("an id that cannot be an issue number is not found without a request", async () => {
    const { fake, tracker } = detailSetup();
    for (const id of ["", "abc", "0", "..", "42/comments", "PROJ-1"]) {
      const error = await sortieError(tracker.fetchIssueById(id));
      expect(error.kind).toBe("tracker_not_found");
    }
    expect(fake.requests).toHaveLength(0);
  });

  test("a blockers failure other than 404 fails the call", async () => {
    const { fake, tracker } = detailSetup();
    fake.inject({ path: "/repos/owner/repo/issues/42/dependencies/blocked_by", status: 500, body: "boom" });
    const error = await sortieError(tracker.fetchIssueById("42"));
    expect(error.kind).toBe("tracker_transport_error");
    expect(error.message).toBe(
      "GET /repos/owner/repo/issues/42/dependencies/blocked_by: server error 500: boom",
    );
  });

  test("comments page through Link", async () => {
    const comments = Array.from({ length: 61 }, (_, i) => gitHubComment(i + 1, "carol", `comment ${i + 1}`));
    const { fake, tracker } = setupGitHub({
      fake: { issues: [gitHubIssue(3, [])], comments: { 3: comments } },
    });
    const fetched = await tracker.fetchIssueComments("3");
    expect(fetched.map((c) => c.id)).toEqual(comments.map((c) => String(c.id)));
    expect(fetched[60]).toEqual({
      id: "61",
      author: "carol",
      body: "comment 61",
      createdAt: String(comments[60]?.created_at),
    });
    expect(fake.requestsTo("/repos/owner/repo/issues/3/comments").map((r) => r.query.get("page"))).toEqual([
      null,
      "2",
    ]);
  });

  test("fetchIssueComments of a missing issue is tracker_not_found", async () => {
    const { tracker } = setupGitHub();
    const error = await sortieError(tracker.fetchIssueComments("7"));
    expect([error.kind, error.message]).toEqual(["tracker_not_found", "issue not found: 7"]);
  });

  test("fetchIssueComments of an issue without comments is []", async () => {
    const { tracker } = setupGitHub({ fake: { issues: [gitHubIssue(3, [])] } });
    expect(await tracker.fetchIssueComments("3")).toEqual([]);
  });
});

describe("fetchIssuesByStates", () => {
  const seeds = () => [
    gitHubIssue(1, ["backlog"]),
    gitHubIssue(2, ["review"]),
    gitHubIssue(3, ["done"]),
    gitHubIssue(4, ["done"], { state: "closed" }),
    gitHubIssue(5, [], { state: "closed" }),
    gitHubIssue(6, ["wontfix"], { state: "closed" }),
    gitHubPullRequest(7, ["review"]),
  ];

  test("no states: [] without a request", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: seeds() } });
    expect(await tracker.fetchIssuesByStates([])).toEqual([]);
    expect(fake.requests).toHaveLength(0);
  });

  test("non-terminal states scan open issues and match derived states case-insensitively", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: seeds() } });
    const issues = await tracker.fetchIssuesByStates(["Review"]);
    expect(issues.map((issue) => [issue.id, issue.state, issue.comments])).toEqual([["2", "review", null]]);
    expect(fake.requests.map((r) => r.path)).toEqual(["/repos/owner/repo/issues"]);
  });

  test("terminal states search closed issues by label, one query each, de-duplicated", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: seeds() } });
    const issues = await tracker.fetchIssuesByStates(["review", "done", "WONTFIX"]);

    // #3 is open but labelled done: found by the open scan because a non-terminal state was asked
    // for too. #5 is closed without a terminal label: no search finds it.
    expect(issues.map((issue) => [issue.id, issue.state])).toEqual([
      ["2", "review"],
      ["3", "done"],
      ["4", "done"],
      ["6", "wontfix"],
    ]);
    expect(fake.requests.map((r) => [r.path, r.query.get("q")])).toEqual([
      ["/repos/owner/repo/issues", null],
      ["/search/issues", 'repo:owner/repo type:issue state:closed label:"done"'],
      ["/search/issues", 'repo:owner/repo type:issue state:closed label:"wontfix"'],
    ]);
    const search = fake.requests[1];
    expect(Object.fromEntries(search?.query ?? [])).toMatchObject({
      sort: "created",
      order: "asc",
      per_page: "50",
    });
  });

  test("only terminal states: no open scan", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: seeds() }, tracker: { queryFilter: "label:x" } });
    const issues = await tracker.fetchIssuesByStates(["done"]);
    expect(issues.map((issue) => issue.id)).toEqual(["4"]);
    // The query filter applies to candidates only.
    expect(fake.requests.map((r) => r.query.get("q"))).toEqual([
      'repo:owner/repo type:issue state:closed label:"done"',
    ]);
  });
});

describe("fetchIssueStatesByIds and ByIdentifiers", () => {
  test("map the caller's keys to derived states, omitting missing issues, pull requests and non-numbers", async () => {
    const { fake, tracker } = setupGitHub({
      fake: {
        issues: [
          gitHubIssue(1, ["backlog"]),
          gitHubIssue(3, ["In-Progress", "bug"]),
          gitHubIssue(4, [], { state: "closed" }),
          gitHubPullRequest(2, ["review"]),
        ],
      },
    });
    for (const lookup of [
      (keys: string[]) => tracker.fetchIssueStatesByIds(keys),
      (keys: string[]) => tracker.fetchIssueStatesByIdentifiers(keys),
    ]) {
      fake.requests.length = 0;
      const states = await lookup(["1", "3", "999", "2", "4", "owner-repo"]);
      expect([...states]).toEqual([
        ["1", "backlog"],
        ["3", "in-progress"],
        ["4", "done"],
      ]);
      expect(fake.requests.map((r) => r.path)).toEqual([
        "/repos/owner/repo/issues/1",
        "/repos/owner/repo/issues/3",
        "/repos/owner/repo/issues/999",
        "/repos/owner/repo/issues/2",
        "/repos/owner/repo/issues/4",
      ]);
    }
  });

  test("empty input: an empty map without requests, still counted as a success", async () => {
    const { fake, tracker } = setupGitHub();
    const wrapped = instrumented(tracker);
    const metrics = metricsRecorder();
    wrapped.setMetrics?.(metrics);
    expect((await wrapped.fetchIssueStatesByIds([])).size).toBe(0);
    expect((await wrapped.fetchIssueStatesByIdentifiers([])).size).toBe(0);
    expect(await wrapped.fetchIssuesByStates([])).toEqual([]);
    expect(fake.requests).toHaveLength(0);
    expect(metrics.calls).toEqual([
      ["fetch_states_by_ids", "success"],
      ["fetch_states_by_identifiers", "success"],
    ]);
  });

  test("one logical call is one metric, whatever the number of requests", async () => {
    const { tracker } = setupGitHub({ fake: { issues: [githubFixture("issue.json")] } });
    const wrapped = instrumented(tracker);
    const metrics = metricsRecorder();
    wrapped.setMetrics?.(metrics);
    await wrapped.fetchIssueById("42");
    await wrapped.fetchIssueById("43").catch(() => {});
    expect(metrics.calls).toEqual([
      ["fetch_issue", "success"],
      ["fetch_issue", "error"],
    ]);
  });

  test("an error other than 404 fails the whole lookup", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: [gitHubIssue(1, []), gitHubIssue(2, [])] } });
    fake.inject({ path: "/repos/owner/repo/issues/2", status: 502, body: "bad gateway" });
    const error = await sortieError(tracker.fetchIssueStatesByIds(["1", "2"]));
    expect(error.kind).toBe("tracker_transport_error");
  });

  test("a caller abort between lookups stops the loop with the abort reason", async () => {
    const { fake, tracker } = setupGitHub({ fake: { issues: [gitHubIssue(1, []), gitHubIssue(2, [])] } });
    const controller = new AbortController();
    fake.inject({ path: "/repos/owner/repo/issues/1", delayMs: 50 });
    const pending = tracker.fetchIssueStatesByIds(["1", "2"], controller.signal);
    controller.abort(new Error("stop"));
    const err = await pending.then(
      () => null,
      (e: unknown) => e,
    );
    expect((err as Error).message).toBe("stop");
    expect(fake.requests.filter((r) => r.path === "/repos/owner/repo/issues/2")).toHaveLength(0);
  });
});
