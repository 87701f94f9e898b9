import { describe, expect, test } from "bun:test";
import { emptyIssue, type Issue } from "../../../src/domain/issue.ts";
import { buildPromptData } from "../../../src/prompt/data.ts";
import { PROMPT_FUNCS } from "../../../src/prompt/funcs.ts";
import {
  compileTemplate,
  executeTemplate,
  TemplateError,
  typeName,
} from "../../../src/prompt/template/index.ts";

const fullIssue: Issue = emptyIssue({
  id: "10001",
  identifier: "ABC-1",
  displayId: "acme/app#1",
  title: "Fix login",
  description: "It breaks.",
  priority: 1,
  state: "In Progress",
  branchName: "abc-1",
  url: "https://tracker.example/ABC-1",
  labels: ["bug", "urgent"],
  assignee: "alice",
  issueType: "Bug",
  parent: { id: "10000", identifier: "ABC-0" },
  comments: [{ id: "c1", author: "bob", body: "Please add a test", createdAt: "2024-01-02T00:00:00Z" }],
  blockedBy: [{ id: "9", identifier: "ABC-9", state: "Done" }],
  createdAt: "2024-01-01T00:00:00Z",
  updatedAt: "2024-01-03T00:00:00Z",
});

const bareIssue: Issue = emptyIssue({ id: "7", identifier: "#7", title: "Bare" });

function render(tmpl: string, data: unknown): string {
  return executeTemplate(compileTemplate(tmpl, { funcs: PROMPT_FUNCS }), data);
}

function renderError(tmpl: string, data: unknown): string {
  try {
    render(tmpl, data);
  } catch (err) {
    if (err instanceof TemplateError) return err.message;
    throw err;
  }
  throw new Error("expected a render error");
}

describe("buildPromptData", () => {
  test("root holds exactly issue, attempt, run, ci_failure and review_comments", () => {
    const data = buildPromptData(fullIssue, 0, { turnNumber: 1, maxTurns: 20 });
    expect(Object.keys(data).sort()).toEqual(["attempt", "ci_failure", "issue", "review_comments", "run"]);
    expect(data.attempt).toBe(0);
    expect(data.ci_failure).toBeNull();
    expect(data.review_comments).toBeNull();
  });

  test("issue map has the 16 snake_case keys with tracker values", () => {
    const { issue } = buildPromptData(fullIssue, 0, { turnNumber: 1, maxTurns: 20 });
    expect(issue).toEqual({
      id: "10001",
      identifier: "ABC-1",
      title: "Fix login",
      description: "It breaks.",
      priority: 1,
      state: "In Progress",
      branch_name: "abc-1",
      url: "https://tracker.example/ABC-1",
      labels: ["bug", "urgent"],
      assignee: "alice",
      issue_type: "Bug",
      parent: { id: "10000", identifier: "ABC-0" },
      comments: [{ id: "c1", author: "bob", body: "Please add a test", created_at: "2024-01-02T00:00:00Z" }],
      blocked_by: [{ id: "9", identifier: "ABC-9", state: "Done" }],
      created_at: "2024-01-01T00:00:00Z",
      updated_at: "2024-01-03T00:00:00Z",
    });
  });

  test("absent values are empty strings, nil, or empty lists as the contract says", () => {
    const { issue } = buildPromptData(bareIssue, 3, { turnNumber: 2, maxTurns: 2 });
    expect(issue.priority).toBeNull();
    expect(issue.parent).toBeNull();
    expect(issue.comments).toBeNull();
    expect(issue.labels).toEqual([]);
    expect(issue.blocked_by).toEqual([]);
    expect(issue.description).toBe("");
    expect(issue.created_at).toBe("");
  });

  test("fetched but empty comments are an empty list, not nil", () => {
    const { issue } = buildPromptData({ ...bareIssue, comments: [] }, 0, { turnNumber: 1, maxTurns: 1 });
    expect(issue.comments).toEqual([]);
  });

  test("lists carry Go's slice types", () => {
    const { issue } = buildPromptData(fullIssue, 0, { turnNumber: 1, maxTurns: 1 });
    expect(typeName(issue.labels)).toBe("[]string");
    expect(typeName(issue.blocked_by)).toBe("[]map[string]interface {}");
    expect(typeName(issue.comments)).toBe("[]map[string]interface {}");
  });

  test("run reports the turn and whether it continues a session", () => {
    expect(buildPromptData(bareIssue, 0, { turnNumber: 1, maxTurns: 5 }).run).toEqual({
      turn_number: 1,
      max_turns: 5,
      is_continuation: false,
    });
    expect(buildPromptData(bareIssue, 0, { turnNumber: 4, maxTurns: 5 }).run.is_continuation).toBe(true);
  });

  test("continuation context fills ci_failure and review_comments", () => {
    const data = buildPromptData(
      bareIssue,
      1,
      { turnNumber: 1, maxTurns: 5 },
      {
        ciFailure: {
          status: "failing",
          checkRuns: [
            { name: "test", status: "completed", conclusion: "failure", detailsUrl: "https://ci/1" },
          ],
          logExcerpt: "FAIL x_test",
          failingCount: 1,
          ref: "abc-1",
        },
        reviewComments: [
          { id: "r1", file: "a.go", startLine: 3, endLine: 4, reviewer: "carol", body: "rename" },
        ],
      },
    );
    expect(data.ci_failure).toEqual({
      status: "failing",
      check_runs: [{ name: "test", status: "completed", conclusion: "failure", details_url: "https://ci/1" }],
      log_excerpt: "FAIL x_test",
      failing_count: 1,
      ref: "abc-1",
    });
    expect(data.review_comments).toEqual([
      { id: "r1", file: "a.go", start_line: 3, end_line: 4, reviewer: "carol", body: "rename" },
    ]);
  });

  test("does not share lists with the issue it was built from", () => {
    const issue = { ...fullIssue, labels: ["bug"] };
    const data = buildPromptData(issue, 0, { turnNumber: 1, maxTurns: 1 });
    (data.issue.labels as string[]).push("mutated");
    expect(issue.labels).toEqual(["bug"]);
  });
});

describe("templates over the data contract", () => {
  const full = buildPromptData(fullIssue, 0, { turnNumber: 1, maxTurns: 3 });
  const bare = buildPromptData(bareIssue, 2, { turnNumber: 2, maxTurns: 3 });

  test("prints fields, lists and nil values like the Go original", () => {
    expect(render("{{ .issue.labels }}|{{ .issue.priority }}|{{ .attempt }}", full)).toBe("[bug urgent]|1|0");
    expect(render("{{ .issue.labels }}|{{ .issue.priority }}|{{ .issue.parent }}", bare)).toBe(
      "[]|<no value>|<no value>",
    );
    expect(render("{{ .issue.blocked_by }}", full)).toBe("[map[id:9 identifier:ABC-9 state:Done]]");
  });

  test("every root key can be referenced even when nil", () => {
    expect(render("{{ if .ci_failure }}ci{{ end }}{{ if .review_comments }}rc{{ end }}done", bare)).toBe(
      "done",
    );
  });

  test("joins labels and rejects lists of maps with Go's type names", () => {
    expect(render('{{ .issue.labels | join ", " }}', full)).toBe("bug, urgent");
    expect(renderError('{{ .issue.blocked_by | join ", " }}', full)).toBe(
      'template: prompt:1:23: executing "prompt" at <join ", ">: error calling join: join: unsupported type []map[string]interface {}, want []string or []any',
    );
    expect(renderError('{{ join ", " .issue.comments }}', bare)).toContain("join: unsupported type <nil>");
  });

  test("guards nil parents with if and with", () => {
    expect(render("{{ with .issue.parent }}{{ .identifier }}{{ else }}none{{ end }}", full)).toBe("ABC-0");
    expect(render("{{ with .issue.parent }}{{ .identifier }}{{ else }}none{{ end }}", bare)).toBe("none");
    expect(renderError("{{ .issue.parent.id }}", bare)).toBe(
      'template: prompt:1:9: executing "prompt" at <.issue.parent.id>: nil pointer evaluating interface {}.id',
    );
  });

  test("renders toJSON of the issue with sorted keys", () => {
    expect(
      render("{{ toJSON .issue.parent }}|{{ toJSON .issue.labels }}|{{ toJSON .issue.comments }}", bare),
    ).toBe("null|[]|null");
    expect(render("{{ toJSON .run }}", bare)).toBe('{"is_continuation":true,"max_turns":3,"turn_number":2}');
  });

  test("iterates CI check runs and review comments on a continuation", () => {
    const data = buildPromptData(
      bareIssue,
      1,
      { turnNumber: 1, maxTurns: 1 },
      {
        ciFailure: {
          status: "failing",
          checkRuns: [
            { name: "lint", status: "completed", conclusion: "success", detailsUrl: "" },
            { name: "test", status: "completed", conclusion: "failure", detailsUrl: "https://ci/2" },
          ],
          logExcerpt: "",
          failingCount: 1,
          ref: "main",
        },
        reviewComments: [{ id: "r1", file: "", startLine: 0, endLine: 0, reviewer: "dan", body: "LGTM?" }],
      },
    );
    const tmpl =
      '{{ range .ci_failure.check_runs }}{{ if eq .conclusion "failure" }}{{ .name }} {{ .details_url }}{{ end }}{{ end }}' +
      "|{{ .ci_failure.failing_count }}|{{ range .review_comments }}{{ .reviewer }}: {{ .body }}{{ end }}";
    expect(render(tmpl, data)).toBe("test https://ci/2|1|dan: LGTM?");
  });
});
