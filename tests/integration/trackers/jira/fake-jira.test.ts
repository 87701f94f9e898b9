// The fake Jira must behave like Jira where the adapter depends on it, or adapter tests prove
// nothing: these talk to it with plain fetch.
import { afterEach, describe, expect, test } from "bun:test";
import { type FakeJira, jiraIssue, startFakeJira } from "../../../fakes/jira/server.ts";

let fake: FakeJira | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

function start(): FakeJira {
  fake = startFakeJira({
    statuses: ["To Do", "Done"],
    issues: [
      jiraIssue({
        id: "1",
        key: "PROJ-1",
        summary: "one",
        status: "To Do",
        created: "2026-01-02T00:00:00.000+0000",
      }),
      jiraIssue({
        id: "2",
        key: "PROJ-2",
        summary: "two",
        status: "Done",
        created: "2026-01-01T00:00:00.000+0000",
      }),
      jiraIssue({
        id: "3",
        key: "PROJ-10",
        summary: "ten",
        status: "To Do",
        created: "2026-01-03T00:00:00.000+0000",
      }),
    ],
  });
  return fake;
}

async function call(
  jira: FakeJira,
  path: string,
  init: RequestInit = {},
  query: Record<string, string> = {},
) {
  const url = new URL(path, jira.url);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  const response = await fetch(url, {
    ...init,
    headers: {
      authorization: `Basic ${btoa(jira.apiKey)}`,
      "content-type": "application/json",
      ...init.headers,
    },
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === "" ? undefined : JSON.parse(text),
  };
}

const search = (jira: FakeJira, jql: string, extra: Record<string, string> = {}) =>
  call(jira, "/rest/api/3/search/jql", {}, { jql, fields: "status", ...extra });

describe("search/jql", () => {
  test("evaluates AND, OR, NOT, IN and orders by key numerically", async () => {
    const jira = start();
    const keys = async (jql: string) =>
      ((await search(jira, jql)).body.issues as { key: string }[]).map((issue) => issue.key);
    expect(await keys('project = PROJ AND status IN ("To Do") ORDER BY key ASC')).toEqual([
      "PROJ-1",
      "PROJ-10",
    ]);
    expect(await keys('status = "done" OR key = proj-10 ORDER BY key DESC')).toEqual(["PROJ-10", "PROJ-2"]);
    expect(await keys("NOT status = Done ORDER BY created ASC")).toEqual(["PROJ-1", "PROJ-10"]);
    expect(await keys("id IN (2, 3) AND status NOT IN (Done)")).toEqual(["PROJ-10"]);
  });

  test("pages with an opaque nextPageToken bound to the query", async () => {
    const jira = start();
    const first = await search(jira, "project = PROJ ORDER BY key ASC", { maxResults: "2" });
    expect(first.body.issues).toHaveLength(2);
    expect(first.body.isLast).toBe(false);
    const token = first.body.nextPageToken as string;
    const second = await search(jira, "project = PROJ ORDER BY key ASC", {
      maxResults: "2",
      nextPageToken: token,
    });
    expect(second.body.issues.map((i: { key: string }) => i.key)).toEqual(["PROJ-10"]);
    expect(second.body.nextPageToken).toBeUndefined();
    expect((await search(jira, "project = PROJ", { nextPageToken: token })).status).toBe(400);
  });

  test("returns only the fields asked for; none asked means ids only", async () => {
    const jira = start();
    const withStatus = await search(jira, "key = PROJ-1");
    expect(withStatus.body.issues[0].fields).toEqual({ status: { name: "To Do" } });
    const bare = await call(jira, "/rest/api/3/search/jql", {}, { jql: "key = PROJ-1" });
    expect(bare.body.issues).toEqual([{ id: "1" }]);
  });

  test.each([
    ['project = "PROJ', "unterminated"],
    ["status IN ()", "Expecting either a value"],
    ["status = Won't Do", "unterminated"],
    ["status = a$b", "reserved JQL character"],
    ["project = PROJ AND", "Expecting a field name"],
    ["sprint = 5", "Field 'sprint' does not exist"],
    ["project = NOPE", "The value 'NOPE' does not exist for the field 'project'."],
    ['status = "Won\'t Do"', "The value 'Won't Do' does not exist for the field 'status'."],
    ["status = to do", "Expecting end of query"],
  ])("%s is a 400 (%s)", async (jql, message) => {
    const jira = start();
    const response = await search(jira, jql);
    expect(response.status).toBe(400);
    expect(response.body.errorMessages[0]).toContain(message);
  });
});

describe("auth", () => {
  test("wrong credentials are a 401 with X-Seraph-LoginReason", async () => {
    const jira = start();
    const response = await fetch(`${jira.url}/rest/api/3/issue/1`, {
      headers: { authorization: `Basic ${btoa(`${jira.email}:nope`)}` },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("x-seraph-loginreason")).toBe("AUTHENTICATED_FAILED");
  });
});

describe("writes", () => {
  test("comment POST checks the ADF body and answers 201", async () => {
    const jira = start();
    const bad = await call(jira, "/rest/api/3/issue/1/comment", {
      method: "POST",
      body: JSON.stringify({ body: "text" }),
    });
    expect(bad.status).toBe(400);
    const emptyText = {
      body: {
        version: 1,
        type: "doc",
        content: [{ type: "paragraph", content: [{ type: "text", text: "" }] }],
      },
    };
    expect(
      (await call(jira, "/rest/api/3/issue/1/comment", { method: "POST", body: JSON.stringify(emptyText) }))
        .status,
    ).toBe(400);
    const good = { body: { version: 1, type: "doc", content: [{ type: "paragraph", content: [] }] } };
    const created = await call(jira, "/rest/api/3/issue/1/comment", {
      method: "POST",
      body: JSON.stringify(good),
    });
    expect(created.status).toBe(201);
    expect(jira.comments("PROJ-1")).toHaveLength(1);
  });

  test("transitions: offered per current status; an id not offered is a 400; a valid one is 204", async () => {
    const jira = start();
    const offered = await call(jira, "/rest/api/3/issue/PROJ-1/transitions");
    expect(offered.body.transitions.map((t: { to: { name: string } }) => t.to.name)).toEqual(["Done"]);
    const invalid = await call(jira, "/rest/api/3/issue/1/transitions", {
      method: "POST",
      body: JSON.stringify({ transition: { id: "999" } }),
    });
    expect(invalid.status).toBe(400);
    const id = offered.body.transitions[0].id as string;
    const moved = await call(jira, "/rest/api/3/issue/1/transitions", {
      method: "POST",
      body: JSON.stringify({ transition: { id } }),
    });
    expect(moved.status).toBe(204);
    expect(jira.statusOf("PROJ-1")).toBe("Done");
  });

  test("faults are served in order to matching requests only, then normal answers resume", async () => {
    const jira = start();
    jira.inject({ status: 503, path: /\/transitions$/, times: 2 });
    expect((await call(jira, "/rest/api/3/issue/1")).status).toBe(200);
    expect((await call(jira, "/rest/api/3/issue/1/transitions")).status).toBe(503);
    expect((await call(jira, "/rest/api/3/issue/1/transitions")).status).toBe(503);
    expect((await call(jira, "/rest/api/3/issue/1/transitions")).status).toBe(200);
    jira.rateLimit(7);
    const limited = await call(jira, "/rest/api/3/issue/1");
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "7"]);
  });
});
