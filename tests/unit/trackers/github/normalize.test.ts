import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { toBlocker, toComment, toIssue, toParent } from "../../../../src/trackers/github/normalize.ts";
import {
  CommentListSchema,
  IssueListSchema,
  IssueSchema,
  isPullRequest,
  SearchSchema,
} from "../../../../src/trackers/github/payloads.ts";
import { stateLabels } from "../../../../src/trackers/github/states.ts";
import { githubFixture } from "../../../fakes/github/fixtures.ts";

const states = stateLabels({ activeStates: [], terminalStates: [], handoffState: null });
const issue = (name: string) => v.parse(IssueSchema, githubFixture(name));
const list = (name: string) => v.parse(IssueListSchema, githubFixture(name));

describe("issue normalization from the recorded payloads", () => {
  test("issues.json: #1 backlog, #2 a pull request, #3 in-progress by bob, #4 derived done", () => {
    const raw = list("issues.json");
    expect(raw.map(isPullRequest)).toEqual([false, true, false, false]);
    const issues = raw.map((entry) => toIssue(entry, states, "owner/repo"));
    expect(issues.map((i) => [i.id, i.identifier, i.state, i.assignee])).toEqual([
      ["1", "1", "backlog", ""],
      ["2", "2", "in-progress", ""],
      ["3", "3", "in-progress", "bob"],
      ["4", "4", "done", ""],
    ]);
    expect(issues[1]?.description).toBe("");
  });

  test("issues_page2.json: #5 review", () => {
    const [five] = list("issues_page2.json").map((entry) => toIssue(entry, states, "owner/repo"));
    expect([five?.id, five?.state, five?.displayId]).toEqual(["5", "review", "owner/repo#5"]);
  });

  test("issue.json: #42 fully normalized", () => {
    expect(toIssue(issue("issue.json"), states, "Owner/Repo")).toEqual({
      id: "42",
      identifier: "42",
      displayId: "Owner/Repo#42",
      title: "Add dark mode support",
      description: "Users want a **dark mode** option.",
      priority: null,
      state: "in-progress",
      branchName: "",
      url: "https://github.com/owner/repo/issues/42",
      labels: ["in-progress", "ui", "enhancement"],
      assignee: "alice",
      issueType: "Feature",
      parent: null,
      comments: null,
      blockedBy: [],
      createdAt: "2026-01-01T00:00:00Z",
      updatedAt: "2026-01-02T00:00:00Z",
    });
  });

  test("search.json: the envelope's item #10 in review", () => {
    const search = v.parse(SearchSchema, githubFixture("search.json"));
    expect([search.total_count, search.incomplete_results]).toEqual([1, false]);
    expect(search.items.map((item) => toIssue(item, states, "owner/repo").state)).toEqual(["review"]);
  });

  test("blockers.json: open blocker #5 labelled in-progress", () => {
    expect(list("blockers.json").map((b) => toBlocker(b, states))).toEqual([
      { id: "5", identifier: "5", state: "in-progress" },
    ]);
  });

  test("parent.json: the parent by number, not by global id", () => {
    expect(toParent(issue("parent.json"))).toEqual({ id: "7", identifier: "7" });
  });

  test("comments.json: string ids and user logins", () => {
    expect(v.parse(CommentListSchema, githubFixture("comments.json")).map(toComment)).toEqual([
      { id: "9001", author: "alice", body: "Looks good, please proceed.", createdAt: "2026-01-15T10:00:00Z" },
      { id: "9002", author: "bob", body: "Please fix the indentation.", createdAt: "2026-01-16T11:30:00Z" },
    ]);
    expect(v.parse(CommentListSchema, githubFixture("comments_empty.json"))).toEqual([]);
  });
});

describe("tolerated payload variations", () => {
  test("bare string labels, missing optional fields and a deleted comment author", () => {
    const raw = v.parse(IssueSchema, { number: 9, labels: ["Review", { name: "X" }], state: "open" });
    expect(toIssue(raw, states, "o/r")).toMatchObject({
      title: "",
      url: "",
      labels: ["review", "x"],
      state: "review",
      assignee: "",
      issueType: "",
      createdAt: "",
    });
    expect(toComment(v.parse(CommentListSchema, [{ id: 1, user: null, body: null }])[0]!)).toEqual({
      id: "1",
      author: "",
      body: "",
      createdAt: "",
    });
  });

  test("pull_request: null is an issue, an object is a pull request", () => {
    expect(isPullRequest(v.parse(IssueSchema, { number: 1, pull_request: null }))).toBe(false);
    expect(isPullRequest(v.parse(IssueSchema, { number: 1 }))).toBe(false);
    expect(isPullRequest(v.parse(IssueSchema, { number: 1, pull_request: {} }))).toBe(true);
  });
});
