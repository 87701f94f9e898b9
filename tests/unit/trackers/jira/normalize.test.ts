import { describe, expect, test } from "bun:test";
import { emptyIssue } from "../../../../src/domain/issue.ts";
import { toComment, toIssue } from "../../../../src/trackers/jira/normalize.ts";
import type { JiraComment, JiraIssue } from "../../../../src/trackers/jira/schema.ts";

const FIXTURES = new URL("../../../fixtures/tracker-jira/", import.meta.url);
const fixture = <T>(name: string): Promise<T> => Bun.file(new URL(name, FIXTURES)).json() as Promise<T>;
const ENDPOINT = "https://example.atlassian.net";

describe("issues from search_single_page.json", () => {
  test("PROJ-1: priority id, lower-cased labels, parent, one inward Blocks blocker, ADF text", async () => {
    const page = await fixture<{ issues: JiraIssue[] }>("search_single_page.json");
    expect(toIssue(page.issues[0]!, ENDPOINT)).toEqual({
      id: "10001",
      identifier: "PROJ-1",
      displayId: "",
      title: "Implement authentication",
      description: "Implement OAuth2 flow",
      priority: 2,
      state: "To Do",
      branchName: "",
      url: "https://example.atlassian.net/browse/PROJ-1",
      labels: ["feature", "auth"],
      assignee: "Alice Smith",
      issueType: "Story",
      parent: { id: "10000", identifier: "PROJ-0" },
      comments: null,
      blockedBy: [{ id: "10010", identifier: "PROJ-10", state: "In Progress" }],
      createdAt: "2025-01-15T10:30:00.000+0000",
      updatedAt: "2025-01-16T14:00:00.000+0000",
    });
  });

  test("PROJ-2: null assignee, description and parent; empty labels; priority 1", async () => {
    const page = await fixture<{ issues: JiraIssue[] }>("search_single_page.json");
    expect(toIssue(page.issues[1]!, ENDPOINT)).toEqual(
      emptyIssue({
        id: "10002",
        identifier: "PROJ-2",
        title: "Fix login page",
        priority: 1,
        state: "In Progress",
        url: "https://example.atlassian.net/browse/PROJ-2",
        issueType: "Bug",
        createdAt: "2025-01-17T09:00:00.000+0000",
        updatedAt: "2025-01-18T11:30:00.000+0000",
      }),
    );
  });
});

test("issue_detail.json: blocker PROJ-20 in To Do, parent PROJ-0, rendered description", async () => {
  const issue = toIssue(await fixture<JiraIssue>("issue_detail.json"), ENDPOINT);
  expect(issue.id).toBe("10005");
  expect(issue.identifier).toBe("PROJ-5");
  expect(issue.labels).toEqual(["backend", "database"]);
  expect(issue.blockedBy).toEqual([{ id: "10020", identifier: "PROJ-20", state: "To Do" }]);
  expect(issue.parent).toEqual({ id: "10000", identifier: "PROJ-0" });
  expect(issue.description).toBe(
    "Refactor the persistence layer:\n\n- Extract interfaces\n- Add connection pooling\n\n```go\ndb.Close()\n```",
  );
});

describe("field rules", () => {
  const base = (fields: Record<string, unknown>): JiraIssue => ({ id: "1", key: "P-1", fields }) as JiraIssue;

  test.each([
    [{ id: "3" }, 3],
    [{ id: " 4 " }, 4],
    [{ id: "-1" }, -1],
    [{ id: "10100" }, 10100],
    [{ id: "High", name: "High" }, null],
    [{ id: "2.5" }, null],
    [{ name: "Highest" }, null],
    [null, null],
  ])("priority %j → %p (the id, never the name)", (priority, expected) => {
    expect(toIssue(base({ priority }), ENDPOINT).priority).toBe(expected);
  });

  test("only inward Blocks links block; outward, other types and other casings are ignored", () => {
    const link = (type: string, side: "inwardIssue" | "outwardIssue", key: string, status?: string) => ({
      type: { name: type },
      [side]: {
        id: key.replace("P-", "9"),
        key,
        fields: status === undefined ? undefined : { status: { name: status } },
      },
    });
    const issue = toIssue(
      base({
        issuelinks: [
          link("Blocks", "inwardIssue", "P-2", "Done"),
          link("Blocks", "outwardIssue", "P-3", "To Do"),
          link("blocks", "inwardIssue", "P-4", "To Do"),
          link("Relates", "inwardIssue", "P-5", "To Do"),
          link("Blocks", "inwardIssue", "P-6"),
          null,
          { type: null },
        ],
      }),
      ENDPOINT,
    );
    expect(issue.blockedBy).toEqual([
      { id: "92", identifier: "P-2", state: "Done" },
      { id: "96", identifier: "P-6", state: "" },
    ]);
  });

  test("missing fields read as empty values", () => {
    expect(toIssue({ id: "7", key: "P-7" } as JiraIssue, ENDPOINT)).toEqual(
      emptyIssue({ id: "7", identifier: "P-7", url: `${ENDPOINT}/browse/P-7` }),
    );
    expect(toIssue({ id: "8" } as JiraIssue, ENDPOINT).url).toBe("");
  });
});

describe("comments", () => {
  test("comments.json: display names, rendered bodies, null author → empty", async () => {
    const page = await fixture<{ comments: JiraComment[] }>("comments.json");
    expect(page.comments.map(toComment)).toEqual([
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
    ]);
  });

  test("a comment with a missing body and author", () => {
    expect(toComment({ id: "1" } as JiraComment)).toEqual({ id: "1", author: "", body: "", createdAt: "" });
  });
});
