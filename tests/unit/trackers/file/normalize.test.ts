import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { SortieError } from "../../../../src/domain/errors.ts";
import { emptyIssue, type Issue } from "../../../../src/domain/issue.ts";
import {
  type FileIssue,
  parseIssuesFile,
  serialiseIssuesFile,
} from "../../../../src/trackers/file/format.ts";
import { toIssue } from "../../../../src/trackers/file/normalize.ts";

const FIXTURES = join(import.meta.dir, "../../../fixtures/tracker-file");

async function fixtureIssues(name: string): Promise<Issue[]> {
  const path = join(FIXTURES, name);
  const file = parseIssuesFile(await Bun.file(path).text(), path);
  return file.issues.filter((issue): issue is FileIssue => issue !== null).map(toIssue);
}

function byIdentifier(issues: Issue[], identifier: string): Issue {
  const issue = issues.find((candidate) => candidate.identifier === identifier);
  if (issue === undefined) throw new Error(`no ${identifier}`);
  return issue;
}

describe("file tracker normalization of normalization.json", () => {
  test.each([
    ["NORM-1", ["bug", "high-priority"], 1],
    ["NORM-2", [], null],
    ["NORM-3", [], null],
    ["NORM-4", [], null],
    ["NORM-5", [], 1],
    ["NORM-6", [], null],
    ["NORM-7", [], null],
  ])("%s has labels %p and priority %p", async (identifier, labels, priority) => {
    const issue = byIdentifier(await fixtureIssues("normalization.json"), identifier);
    expect(issue.labels).toEqual(labels);
    expect(issue.priority).toBe(priority);
  });

  test("an issue with only required fields gets empty optional values", async () => {
    const issue = byIdentifier(await fixtureIssues("normalization.json"), "NORM-7");
    expect(issue).toEqual(
      emptyIssue({ id: "n7", identifier: "NORM-7", title: "Absent fields", state: "Open" }),
    );
  });
});

describe("file tracker normalization of basic.json", () => {
  test("a fully populated issue keeps every field", async () => {
    const issue = byIdentifier(await fixtureIssues("basic.json"), "PROJ-1");
    expect(issue).toEqual({
      id: "10001",
      identifier: "PROJ-1",
      displayId: "",
      title: "Implement login",
      description: "Add OAuth2 login flow.",
      priority: 2,
      state: "To Do",
      branchName: "feature/PROJ-1",
      url: "https://tracker.example.com/PROJ-1",
      labels: ["feature", "auth"],
      assignee: "alice",
      issueType: "Story",
      parent: { id: "10000", identifier: "PROJ-0" },
      comments: [{ id: "c1", author: "bob", body: "Needs SSO support.", createdAt: "2026-03-01T10:00:00Z" }],
      blockedBy: [{ id: "10002", identifier: "PROJ-2", state: "Done" }],
      createdAt: "2026-02-28T09:00:00Z",
      updatedAt: "2026-03-01T12:00:00Z",
    });
  });

  test.each([
    ["PROJ-2", []],
    ["PROJ-3", null],
  ])("%s keeps the difference between empty and null comments (%p)", async (identifier, comments) => {
    const issue = byIdentifier(await fixtureIssues("basic.json"), identifier);
    expect(issue.comments).toEqual(comments);
    expect(issue.parent).toBeNull();
    expect(issue.blockedBy).toEqual([]);
  });
});

describe("file tracker normalization of example-issues.json", () => {
  test("keeps both blockers of PROJ-4 and the minimal PROJ-5", async () => {
    const issues = await fixtureIssues("example-issues.json");
    expect(issues.map((issue) => issue.identifier)).toEqual([
      "PROJ-1",
      "PROJ-2",
      "PROJ-3",
      "PROJ-4",
      "PROJ-5",
    ]);
    expect(byIdentifier(issues, "PROJ-4").blockedBy.map((b) => b.identifier)).toEqual(["PROJ-1", "PROJ-2"]);
    expect(byIdentifier(issues, "PROJ-4").labels).toEqual(["enhancement"]);
    expect(byIdentifier(issues, "PROJ-5")).toEqual(
      emptyIssue({
        id: "10005",
        identifier: "PROJ-5",
        title: "Minimal issue with only required fields",
        state: "To Do",
      }),
    );
  });

  test("empty.json holds no issues", async () => {
    expect(await fixtureIssues("empty.json")).toEqual([]);
  });
});

describe("file format parsing", () => {
  test("malformed.json fails with failed to parse file", async () => {
    const path = join(FIXTURES, "malformed.json");
    let error: SortieError | undefined;
    try {
      parseIssuesFile(await Bun.file(path).text(), path);
    } catch (err) {
      error = err as SortieError;
    }
    expect(error?.kind).toBe("tracker_payload_error");
    expect(error?.message).toBe(`failed to parse file: ${path}`);
  });

  test.each([
    ['[{"id": 5, "identifier": "A-1", "title": "t", "state": "s"}]', "number id"],
    ['[{"id": "1", "labels": "bug"}]', "string labels"],
    ['[{"id": "1", "labels": [1]}]', "numeric label"],
    ['[{"id": "1", "parent": "A-0"}]', "string parent"],
    ['[{"id": "1", "comments": [{"body": 3}]}]', "numeric comment body"],
    ['[{"id": "1", "blocked_by": {}}]', "object blocked_by"],
    ['{"id": "1"}', "top-level object"],
    ['["A-1"]', "string entry"],
  ])("a field of the wrong type fails the whole file: %s (%s)", (source) => {
    expect(() => parseIssuesFile(source, "/x/issues.json")).toThrow("failed to parse file: /x/issues.json");
  });

  test("null strings read as empty and unknown keys are ignored", () => {
    const file = parseIssuesFile(
      '[{"id": "1", "identifier": "A-1", "title": null, "state": "Open", "labels": null, "extra": {"x": 1}}]',
      "/x",
    );
    const issue = toIssue(file.issues[0]!);
    expect(issue.title).toBe("");
    expect(issue.labels).toEqual([]);
  });

  test.each(["2.0", "1e2", "-0", "1E2", "9007199254740993"])(
    "priority %s is not an integer literal",
    (literal) => {
      const file = parseIssuesFile(`[{"id": "1", "priority": ${literal}}]`, "/x");
      expect(toIssue(file.issues[0]!).priority).toBeNull();
    },
  );

  test("serialising keeps key order, unknown keys and number spellings", () => {
    const source =
      '[{"zeta": 1.50, "id": "1", "priority": 2.0, "nested": {"b": 12345678901234567890, "a": [1e2]}}]';
    const file = parseIssuesFile(source, "/x");
    expect(serialiseIssuesFile(file.raw)).toBe(
      [
        "[",
        "  {",
        '    "zeta": 1.50,',
        '    "id": "1",',
        '    "priority": 2.0,',
        '    "nested": {',
        '      "b": 12345678901234567890,',
        '      "a": [',
        "        1e2",
        "      ]",
        "    }",
        "  }",
        "]",
        "",
      ].join("\n"),
    );
  });
});
