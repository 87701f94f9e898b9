import { afterEach, describe, expect, test } from "bun:test";
import { SortieError } from "../../../../src/domain/errors.ts";
import { ISSUE_FIELDS } from "../../../../src/trackers/jira/adapter.ts";
import { type FakeJira, jiraIssue, startFakeJira } from "../../../fakes/jira/server.ts";
import { json, startFakeServer } from "../../../unit/trackers/http/fake-server.ts";
import { rejectionOf } from "../../../unit/trackers/support.ts";
import {
  adapterFor,
  fixture,
  fixtureComments,
  fixtureIssues,
  fixtureTransitions,
  params,
} from "./support.ts";

const SEARCH = "/rest/api/3/search/jql";
const STATUSES = ["To Do", "In Progress", "Human Review", "Done", "Won't Do"];

let fake: FakeJira | undefined;
const stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  await fake?.stop();
  fake = undefined;
  for (const stop of stops.splice(0)) await stop();
});

function start(options: Parameters<typeof startFakeJira>[0] = {}): FakeJira {
  fake = startFakeJira({ statuses: STATUSES, ...options });
  return fake;
}

async function sortieError(promise: Promise<unknown>): Promise<SortieError> {
  const err = await rejectionOf(promise);
  expect(err).toBeInstanceOf(SortieError);
  return err as SortieError;
}

describe("fetchCandidateIssues", () => {
  test("sends the candidate JQL with the full field list, Basic auth and the user agent", async () => {
    const jira = start({ issues: await fixtureIssues("search_single_page.json") });
    const { tracker } = adapterFor(jira);

    const issues = await tracker.fetchCandidateIssues();

    expect(jira.requests).toHaveLength(1);
    const request = jira.requests[0]!;
    expect(request.method).toBe("GET");
    expect(request.path).toBe(SEARCH);
    expect(params(request.query)).toEqual([
      ["jql", 'project = "PROJ" AND status IN ("To Do", "In Progress") ORDER BY priority ASC, created ASC'],
      [
        "fields",
        "summary,status,priority,labels,assignee,issuetype,parent,issuelinks,created,updated,description",
      ],
      ["maxResults", "50"],
    ]);
    expect(request.headers.get("authorization")).toBe(`Basic ${btoa(`${jira.email}:${jira.token}`)}`);
    expect(request.headers.get("accept")).toBe("application/json");
    expect(request.headers.get("user-agent")).toBe("sortie/test");
    expect(request.headers.get("content-type")).toBeNull();

    // Priority order: PROJ-2 (priority 1) before PROJ-1 (priority 2).
    expect(issues.map((issue) => issue.identifier)).toEqual(["PROJ-2", "PROJ-1"]);
    expect(issues.every((issue) => issue.comments === null)).toBe(true);
    const proj1 = issues[1]!;
    expect(proj1).toMatchObject({
      id: "10001",
      title: "Implement authentication",
      description: "Implement OAuth2 flow",
      priority: 2,
      state: "To Do",
      url: `${jira.url}/browse/PROJ-1`,
      labels: ["feature", "auth"],
      assignee: "Alice Smith",
      issueType: "Story",
      parent: { id: "10000", identifier: "PROJ-0" },
      blockedBy: [{ id: "10010", identifier: "PROJ-10", state: "In Progress" }],
    });
    expect(issues[0]).toMatchObject({ assignee: "", description: "", labels: [], priority: 1 });
  });

  test("follows nextPageToken until the server stops sending one", async () => {
    const issues = [
      ...(await fixtureIssues("search_multi_page_1.json")),
      ...(await fixtureIssues("search_multi_page_2.json")),
    ];
    const jira = start({ issues, maxSearchPageSize: 1 });
    const { tracker } = adapterFor(jira);

    const found = await tracker.fetchIssuesByStates(["To Do", "In Progress"]);

    expect(found.map((issue) => issue.identifier)).toEqual(["PROJ-3", "PROJ-4"]);
    expect(found[1]).toMatchObject({ assignee: "", description: "", priority: 2, labels: ["docs"] });
    const [first, second] = jira.requests;
    expect(first!.query.get("nextPageToken")).toBeNull();
    // The follow-up repeats the query and adds the token the first page returned.
    expect(params(second!.query)).toEqual([...params(first!.query), ["nextPageToken", expect.any(String)]]);
    expect(jira.requests).toHaveLength(2);
  });

  test("replays the recorded pages: the cursor is sent back verbatim and isLast is ignored", async () => {
    const page1 = { ...(await fixture<Record<string, unknown>>("search_multi_page_1.json")), isLast: true };
    const page2 = await fixture("search_multi_page_2.json");
    const server = startFakeServer((request) =>
      json(request.query.get("nextPageToken") === "cursor_abc" ? page2 : page1),
    );
    stops.push(server.stop);
    const { tracker } = adapterFor({ url: server.url, apiKey: "me@example.com:tok-1234" });

    const found = await tracker.fetchCandidateIssues();

    expect(found.map((issue) => issue.identifier)).toEqual(["PROJ-3", "PROJ-4"]);
    expect(server.requests.map((r) => r.query.get("nextPageToken"))).toEqual([null, "cursor_abc"]);
    expect(server.requests[1]!.query.get("jql")).toBe(server.requests[0]!.query.get("jql"));
  });

  test("an empty search is an empty list", async () => {
    const server = startFakeServer(async () => json(await fixture("search_empty.json")));
    stops.push(server.stop);
    const { tracker } = adapterFor({ url: server.url, apiKey: "me@example.com:tok-1234" });
    expect(await tracker.fetchCandidateIssues()).toEqual([]);
  });

  test("the query filter narrows the search as operator JQL", async () => {
    const jira = start({
      issues: [
        jiraIssue({ id: "1", key: "PROJ-1", summary: "ready", status: "To Do", labels: ["agent-ready"] }),
        jiraIssue({ id: "2", key: "PROJ-2", summary: "not ready", status: "To Do", labels: ["later"] }),
        jiraIssue({ id: "3", key: "PROJ-3", summary: "done", status: "Done", labels: ["agent-ready"] }),
      ],
    });
    const { tracker } = adapterFor(jira, { queryFilter: "labels = 'agent-ready'" });

    const found = await tracker.fetchCandidateIssues();

    expect(found.map((issue) => issue.identifier)).toEqual(["PROJ-1"]);
    expect(jira.searches()).toEqual([
      `project = "PROJ" AND status IN ("To Do", "In Progress") AND (labels = 'agent-ready') ORDER BY priority ASC, created ASC`,
    ]);
  });

  test("states and project keys with quotes, apostrophes and backslashes reach Jira intact", async () => {
    const odd = { key: 'A"B\\C' };
    const issue = jiraIssue({ id: "5", key: "ODD-1", summary: "odd", status: "Won't Do" });
    issue.fields.project = odd;
    const other = jiraIssue({ id: "6", key: "ODD-2", summary: "slash", status: "back\\slash" });
    other.fields.project = odd;
    const jira = start({ issues: [issue, other], statuses: [...STATUSES, 'a"b'] });
    const { tracker } = adapterFor(jira, {
      project: 'A"B\\C',
      activeStates: ["Won't Do", "back\\slash", 'a"b'],
    });

    const found = await tracker.fetchCandidateIssues();

    expect(found.map((i) => [i.identifier, i.state])).toEqual([
      ["ODD-1", "Won't Do"],
      ["ODD-2", "back\\slash"],
    ]);
    expect(jira.searches()[0]).toBe(
      'project = "A\\"B\\\\C" AND status IN ("Won\'t Do", "back\\\\slash", "a\\"b") ORDER BY priority ASC, created ASC',
    );
  });
});

describe("fetchIssueById", () => {
  test("fetches the issue with the full field list, then every comment", async () => {
    const jira = start({
      issues: [await fixture("issue_detail.json")],
      comments: { "10005": await fixtureComments("comments.json") },
    });
    const { tracker } = adapterFor(jira);

    const issue = await tracker.fetchIssueById("10005");

    expect(jira.requests.map((r) => [r.method, r.path, params(r.query)])).toEqual([
      ["GET", "/rest/api/3/issue/10005", [["fields", ISSUE_FIELDS]]],
      [
        "GET",
        "/rest/api/3/issue/10005/comment",
        [
          ["orderBy", "created"],
          ["maxResults", "50"],
          ["startAt", "0"],
        ],
      ],
    ]);
    expect(issue).toEqual({
      id: "10005",
      identifier: "PROJ-5",
      displayId: "",
      title: "Refactor database layer",
      description:
        "Refactor the persistence layer:\n\n- Extract interfaces\n- Add connection pooling\n\n```go\ndb.Close()\n```",
      priority: 2,
      state: "In Progress",
      branchName: "",
      url: `${jira.url}/browse/PROJ-5`,
      labels: ["backend", "database"],
      assignee: "Alice Smith",
      issueType: "Story",
      parent: { id: "10000", identifier: "PROJ-0" },
      comments: [
        {
          id: "20001",
          author: "Alice Smith",
          body: "Looks good, please proceed.",
          createdAt: "2025-01-16T10:00:00.000+0000",
        },
        {
          id: "20002",
          author: "",
          body: "Automated update: build passed.",
          createdAt: "2025-01-16T12:00:00.000+0000",
        },
      ],
      blockedBy: [{ id: "10020", identifier: "PROJ-20", state: "To Do" }],
      createdAt: "2025-01-25T08:30:00.000+0000",
      updatedAt: "2025-01-26T16:00:00.000+0000",
    });
  });

  test("an issue without comments has an empty, non-null list", async () => {
    const jira = start({ issues: [await fixture("issue_detail.json")] });
    const { tracker } = adapterFor(jira);
    expect((await tracker.fetchIssueById("PROJ-5")).comments).toEqual([]);
  });

  test("a blocker's state is the linked issue's current status", async () => {
    const jira = start({
      issues: [
        await fixture("issue_detail.json"),
        jiraIssue({ id: "10020", key: "PROJ-20", summary: "blocker", status: "To Do" }),
      ],
    });
    jira.setStatus("PROJ-20", "Done");
    const { tracker } = adapterFor(jira);
    expect((await tracker.fetchIssueById("10005")).blockedBy).toEqual([
      { id: "10020", identifier: "PROJ-20", state: "Done" },
    ]);
  });

  test("a missing issue is tracker_not_found", async () => {
    const jira = start({ issues: [] });
    const { tracker } = adapterFor(jira);
    const error = await sortieError(tracker.fetchIssueById("99999"));
    expect(error.kind).toBe("tracker_not_found");
    expect(error.message).toBe("issue not found: 99999");
  });
});

describe("fetchIssueComments", () => {
  test("pages by offset, advancing by what each short page returned", async () => {
    const jira = start({
      issues: [await fixture("issue_detail.json")],
      comments: {
        "PROJ-5": await fixtureComments("comments_multi_page_1.json", "comments_multi_page_2.json"),
      },
      maxCommentPageSize: 2,
    });
    const { tracker } = adapterFor(jira);

    const comments = await tracker.fetchIssueComments("10005");

    expect(comments.map((c) => [c.id, c.author, c.body])).toEqual([
      ["30001", "Bob Jones", "First comment."],
      ["30002", "Alice Smith", "Second comment."],
      ["30003", "Charlie Brown", "Third comment."],
    ]);
    expect(jira.requests.map((r) => r.query.get("startAt"))).toEqual(["0", "2"]);
    expect(jira.requests.every((r) => r.query.get("maxResults") === "50")).toBe(true);
  });

  test("replays the recorded pages and stops once total is reached", async () => {
    const pages = [await fixture("comments_multi_page_1.json"), await fixture("comments_multi_page_2.json")];
    const server = startFakeServer((request) =>
      json(request.query.get("startAt") === "2" ? pages[1] : pages[0]),
    );
    stops.push(server.stop);
    const { tracker } = adapterFor({ url: server.url, apiKey: "me@example.com:tok-1234" });

    expect((await tracker.fetchIssueComments("10005")).map((c) => c.id)).toEqual(["30001", "30002", "30003"]);
    expect(server.requests.map((r) => r.query.get("startAt"))).toEqual(["0", "2"]);
  });

  test("stops at an empty page even when total promised more", async () => {
    const server = startFakeServer((request) =>
      json({ startAt: Number(request.query.get("startAt")), maxResults: 50, total: 10, comments: [] }),
    );
    stops.push(server.stop);
    const { tracker } = adapterFor({ url: server.url, apiKey: "me@example.com:tok-1234" });
    expect(await tracker.fetchIssueComments("1")).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  test("comments_empty.json is an empty list", async () => {
    const server = startFakeServer(async () => json(await fixture("comments_empty.json")));
    stops.push(server.stop);
    const { tracker } = adapterFor({ url: server.url, apiKey: "me@example.com:tok-1234" });
    expect(await tracker.fetchIssueComments("1")).toEqual([]);
  });

  test("a missing issue is tracker_not_found", async () => {
    const jira = start({ issues: [] });
    const error = await sortieError(adapterFor(jira).tracker.fetchIssueComments("PROJ-404"));
    expect(error.kind).toBe("tracker_not_found");
    expect(error.message).toBe("issue not found: PROJ-404");
  });
});

describe("state lookups", () => {
  const many = (count: number) =>
    Array.from({ length: count }, (_, i) =>
      jiraIssue({
        id: String(20000 + i),
        key: `PROJ-${i + 1}`,
        summary: `#${i}`,
        status: i % 2 ? "Done" : "To Do",
      }),
    );

  test("by ids: batches of 40 asking for the status field only, keyed by the returned id", async () => {
    const jira = start({ issues: many(85) });
    const { tracker } = adapterFor(jira);
    const ids = [...many(85).map((issue) => issue.id), "99999", "not-a-number", " 20000 "];

    const states = await tracker.fetchIssueStatesByIds(ids);

    expect(states.size).toBe(85);
    expect(states.get("20000")).toBe("To Do");
    expect(states.get("20001")).toBe("Done");
    expect(states.has("99999")).toBe(false);
    const searches = jira.requestsTo(SEARCH);
    expect(searches).toHaveLength(3);
    for (const request of searches) {
      expect(request.query.get("fields")).toBe("status");
      expect(request.query.get("maxResults")).toBe("50");
    }
    expect(jira.searches()[0]).toStartWith("id IN (20000, 20001, ");
    expect(jira.searches()[0]).toEndWith(", 20039) ORDER BY key ASC");
    expect(jira.searches()[2]).toBe(
      "id IN (20080, 20081, 20082, 20083, 20084, 99999, 20000) ORDER BY key ASC",
    );
  });

  test("by ids: nothing numeric, nothing sent", async () => {
    const jira = start({ issues: many(1) });
    const { tracker } = adapterFor(jira);
    expect(await tracker.fetchIssueStatesByIds(["abc", ""])).toEqual(new Map());
    expect(await tracker.fetchIssueStatesByIds([])).toEqual(new Map());
    expect(jira.requests).toHaveLength(0);
  });

  test("by identifiers: quoted keys in batches, keyed by the returned key, unknown keys omitted", async () => {
    const jira = start({ issues: many(45) });
    const { tracker } = adapterFor(jira);

    const states = await tracker.fetchIssueStatesByIdentifiers([
      ...many(45).map((issue) => issue.key),
      "PROJ-999",
    ]);

    expect(states.size).toBe(45);
    expect(states.get("PROJ-1")).toBe("To Do");
    expect(states.get("PROJ-2")).toBe("Done");
    expect(jira.searches()).toHaveLength(2);
    expect(jira.searches()[1]).toBe(
      'key IN ("PROJ-41", "PROJ-42", "PROJ-43", "PROJ-44", "PROJ-45", "PROJ-999") ORDER BY key ASC',
    );
    expect(await tracker.fetchIssueStatesByIdentifiers([])).toEqual(new Map());
    expect(jira.searches()).toHaveLength(2);
  });

  test("a batch Jira rejects (unknown key) fails the lookup and is logged", async () => {
    const jira = start({ issues: many(2), rejectUnknownKeys: true });
    const { tracker, logger } = adapterFor(jira);

    const error = await sortieError(tracker.fetchIssueStatesByIdentifiers(["PROJ-1", "GONE-7"]));

    expect(error.kind).toBe("tracker_payload_error");
    expect(error.message).toContain("bad request:");
    expect(error.message).toContain("GONE-7");
    const warning = logger.records.find((r) => r.message === "tracker state lookup failed");
    expect(warning?.level).toBe("warn");
    expect(warning?.properties.issue_identifiers).toBe("PROJ-1,GONE-7");
  });

  test("an aborted lookup stops between batches with the caller's reason", async () => {
    const jira = start({ issues: many(45) });
    const { tracker } = adapterFor(jira);
    const controller = new AbortController();
    controller.abort(new Error("shutting down"));
    const err = await rejectionOf(tracker.fetchIssueStatesByIds(["20000"], controller.signal));
    expect((err as Error).message).toBe("shutting down");
    expect(jira.requests).toHaveLength(0);
  });
});

describe("transitionIssue", () => {
  test("posts the transition whose destination matches, case-insensitively", async () => {
    const offered = await fixtureTransitions("transitions.json");
    const jira = start({
      issues: [jiraIssue({ id: "10001", key: "PROJ-1", summary: "x", status: "In Progress" })],
      transitions: () => offered,
    });
    const { tracker } = adapterFor(jira);

    await tracker.transitionIssue("10001", "human review");

    expect(jira.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ["GET", "/rest/api/3/issue/10001/transitions", 200],
      ["POST", "/rest/api/3/issue/10001/transitions", 204],
    ]);
    const post = jira.requests[1]!;
    expect(post.body).toBe('{"transition":{"id":"31"}}');
    expect(post.headers.get("content-type")).toBe("application/json");
    expect(jira.statusOf("PROJ-1")).toBe("Human Review");
  });

  test("of duplicate destinations the first transition is used", async () => {
    const offered = await fixtureTransitions("transitions_duplicate_target.json");
    const jira = start({
      issues: [jiraIssue({ id: "10001", key: "PROJ-1", summary: "x", status: "In Progress" })],
      transitions: () => offered,
    });
    await adapterFor(jira).tracker.transitionIssue("PROJ-1", "Human Review");
    expect(jira.requests[1]!.body).toBe('{"transition":{"id":"31"}}');
  });

  test("no matching transition: tracker_payload_error naming the target and what is available, no POST", async () => {
    const offered = await fixtureTransitions("transitions_no_match.json");
    const jira = start({
      issues: [jiraIssue({ id: "10001", key: "PROJ-1", summary: "x", status: "To Do" })],
      transitions: () => offered,
    });
    const error = await sortieError(adapterFor(jira).tracker.transitionIssue("10001", "Human Review"));
    expect(error.kind).toBe("tracker_payload_error");
    expect(error.message).toBe(
      'no transition to state "Human Review" available for issue 10001; available: "In Progress", "Done"',
    );
    expect(jira.requestsTo("/rest/api/3/issue", "POST")).toHaveLength(0);
  });

  test("no transitions at all: available: none", async () => {
    const offered = await fixtureTransitions("transitions_empty.json");
    const jira = start({
      issues: [jiraIssue({ id: "10001", key: "PROJ-1", summary: "x", status: "Done" })],
      transitions: () => offered,
    });
    const error = await sortieError(adapterFor(jira).tracker.transitionIssue("10001", "To Do"));
    expect(error.message).toEndWith("available: none");
  });

  test("moves an issue through the default workflow, including into Won't Do", async () => {
    const jira = start({ issues: [jiraIssue({ id: "7", key: "PROJ-7", summary: "x", status: "To Do" })] });
    const { tracker } = adapterFor(jira);
    await tracker.transitionIssue("7", "In Progress");
    expect(jira.statusOf("7")).toBe("In Progress");
    await tracker.transitionIssue("7", "won't do");
    expect(jira.statusOf("7")).toBe("Won't Do");
    expect(await tracker.fetchIssueStatesByIds(["7"])).toEqual(new Map([["7", "Won't Do"]]));
  });

  test("a missing issue is tracker_not_found", async () => {
    const jira = start({ issues: [] });
    expect((await sortieError(adapterFor(jira).tracker.transitionIssue("1", "Done"))).kind).toBe(
      "tracker_not_found",
    );
  });
});

describe("commentIssue and addLabel", () => {
  test("a comment is posted as ADF, one paragraph per line, and reads back as text", async () => {
    const jira = start({ issues: [jiraIssue({ id: "7", key: "PROJ-7", summary: "x", status: "To Do" })] });
    const { tracker } = adapterFor(jira);

    await tracker.commentIssue("7", "Sortie picked this up.\n\nAgent: mock");

    const post = jira.requestsTo("/rest/api/3/issue/7/comment", "POST")[0]!;
    expect(post.status).toBe(201);
    expect(post.headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(post.body)).toEqual({
      body: {
        version: 1,
        type: "doc",
        content: [
          { type: "paragraph", content: [{ type: "text", text: "Sortie picked this up." }] },
          { type: "paragraph", content: [] },
          { type: "paragraph", content: [{ type: "text", text: "Agent: mock" }] },
        ],
      },
    });
    const comments = await tracker.fetchIssueComments("PROJ-7");
    expect(comments.map((c) => [c.author, c.body])).toEqual([
      ["Sortie Bot", "Sortie picked this up.\n\nAgent: mock"],
    ]);
  });

  test("a comment on a missing issue is tracker_not_found", async () => {
    const jira = start({ issues: [] });
    expect((await sortieError(adapterFor(jira).tracker.commentIssue("1", "x"))).kind).toBe(
      "tracker_not_found",
    );
  });

  test("addLabel sends an update operation", async () => {
    const jira = start({
      issues: [jiraIssue({ id: "7", key: "PROJ-7", summary: "x", status: "To Do", labels: ["a"] })],
    });
    await adapterFor(jira).tracker.addLabel("7", "needs-human");
    const put = jira.requests[0]!;
    expect([put.method, put.path, put.status, put.body]).toEqual([
      "PUT",
      "/rest/api/3/issue/7",
      204,
      '{"update":{"labels":[{"add":"needs-human"}]}}',
    ]);
    expect(jira.issue("7")?.fields.labels).toEqual(["a", "needs-human"]);
  });

  test("a label Jira refuses (spaces) is tracker_payload_error", async () => {
    const jira = start({ issues: [jiraIssue({ id: "7", key: "PROJ-7", summary: "x", status: "To Do" })] });
    const error = await sortieError(adapterFor(jira).tracker.addLabel("7", "needs human"));
    expect(error.kind).toBe("tracker_payload_error");
    expect(error.message).toContain("contains spaces");
  });
});
