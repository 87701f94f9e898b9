import { describe, expect, test } from "bun:test";
import { analyzePromptTemplate } from "../../../src/prompt/analyze.ts";
import { parsePromptTemplate } from "../../../src/prompt/prompt-template.ts";

const FILE = "/srv/WORKFLOW.md";

function analyze(body: string, frontMatterLines = 0) {
  return analyzePromptTemplate(parsePromptTemplate(body, { sourcePath: FILE, frontMatterLines }));
}

function messages(body: string): [string, string][] {
  return analyze(body).map((d) => [d.check, d.message]);
}

const DOT_CONTEXT =
  "Inside a {{ range }}/{{ with }} block (including arguments to nested range/with), dot refers to the current element, not root data";
const VALID_TOP = "valid top-level variables are: .issue, .attempt, .run";
const ISSUE_FIELDS =
  "assignee, blocked_by, branch_name, comments, created_at, description, id, identifier, issue_type, labels, parent, priority, state, title, updated_at, url";

describe("template static analysis", () => {
  test("accepts templates that only use the data contract", () => {
    const body = [
      "{{ .issue.identifier }} {{ .attempt }} {{ .run.turn_number }} {{ .issue.parent.identifier }}",
      "{{ range .issue.blocked_by }}{{ .identifier }} {{ $.issue.title }}{{ end }}",
      "{{ with .ci_failure }}{{ .log_excerpt }}{{ range .check_runs }}{{ .name }}{{ end }}{{ end }}",
      "{{ $.ci_failure.check_runs }}{{ if .review_comments }}{{ range .review_comments }}{{ .body }}{{ end }}{{ end }}",
      "{{ .review_comments.anything.goes }}",
    ].join("\n");
    expect(analyze(body)).toEqual([]);
  });

  test("flags root fields used where dot is the current element", () => {
    expect(messages("{{ range .issue.labels }}{{ .issue.title }}{{ end }}")).toEqual([
      ["dot_context", `did you mean "$.issue.title" instead of ".issue.title"? ${DOT_CONTEXT}`],
    ]);
    expect(messages("{{ with .issue.parent }}{{ range .attempt }}{{ end }}{{ end }}")).toEqual([
      ["dot_context", `did you mean "$.attempt" instead of ".attempt"? ${DOT_CONTEXT}`],
    ]);
  });

  test("flags unknown top-level variables at the root, via $ at any depth", () => {
    expect(messages("{{ .foo.bar }}")).toEqual([
      ["unknown_var", `unknown template variable ".foo.bar"; ${VALID_TOP}`],
    ]);
    expect(messages("{{ range .issue.labels }}{{ $.nope }}{{ .elementField }}{{ end }}")).toEqual([
      ["unknown_var", `unknown template variable "$.nope"; ${VALID_TOP}`],
    ]);
  });

  test("flags unknown fields with the known ones listed", () => {
    expect(messages("{{ .issue.nope }}")).toEqual([
      ["unknown_field", `unknown field ".issue.nope"; known fields: ${ISSUE_FIELDS}`],
    ]);
    expect(messages("{{ .run.turn }}")).toEqual([
      ["unknown_field", 'unknown field ".run.turn"; known fields: is_continuation, max_turns, turn_number'],
    ]);
    expect(messages("{{ .issue.parent.title }}")).toEqual([
      ["unknown_field", 'unknown field ".issue.parent.title"; known fields: id, identifier'],
    ]);
    expect(messages("{{ $.ci_failure.check_runs.url }}")).toEqual([
      [
        "unknown_field",
        'unknown field "$.ci_failure.check_runs.url"; known fields: conclusion, details_url, name, status',
      ],
    ]);
  });

  test("flags sub-fields of scalars", () => {
    expect(messages("{{ .attempt.count }}")).toEqual([
      ["unknown_field", 'unknown field ".attempt.count"; "attempt" is a scalar with no sub-fields'],
    ]);
    expect(messages("{{ .issue.labels.first }}")).toEqual([
      ["unknown_field", 'unknown field ".issue.labels.first"; "issue.labels" is a scalar with no sub-fields'],
    ]);
    expect(messages("{{ .issue.parent.id.x }}")).toEqual([
      [
        "unknown_field",
        'unknown field ".issue.parent.id.x"; "issue.parent.id" is a scalar with no sub-fields',
      ],
    ]);
  });

  test("walks if branches, pipelines and parenthesized arguments in tree order", () => {
    const body = '{{ if .a }}{{ else if .b }}{{ else }}{{ print (.c) | printf "%s" }}{{ end }}';
    expect(analyze(body).map((d) => d.message)).toEqual([
      `unknown template variable ".a"; ${VALID_TOP}`,
      `unknown template variable ".b"; ${VALID_TOP}`,
      `unknown template variable ".c"; ${VALID_TOP}`,
    ]);
  });

  test("checks range and with else branches at the outer depth", () => {
    expect(messages("{{ range .issue.labels }}{{ else }}{{ .issue.title }}{{ .x }}{{ end }}")).toEqual([
      ["unknown_var", `unknown template variable ".x"; ${VALID_TOP}`],
    ]);
  });

  test("ignores define bodies, template calls, other variables and chains", () => {
    const body =
      '{{ define "d" }}{{ .nope }}{{ end }}{{ template "d" .also }}{{ $x := .issue }}{{ $x.whatever }}{{ (.issue).zzz }}';
    expect(analyze(body)).toEqual([]);
  });

  test("positions warnings in the workflow file", () => {
    expect(analyze("line one\n  {{ .nope }}", 7)).toEqual([
      {
        severity: "warning",
        check: "unknown_var",
        message: `unknown template variable ".nope"; ${VALID_TOP}`,
        file: FILE,
        line: 9,
        column: 6,
      },
    ]);
  });
});
