import { describe, expect, test } from "bun:test";
import { emptyIssue } from "../../../src/domain/issue.ts";
import {
  buildToolAdvertisement,
  DEFAULT_CONTINUATION_PROMPT,
  type PromptTool,
  parsePromptTemplate,
  RUNTIME_STATUS_SUFFIX,
  renderTurnPrompt,
  wrapTemplateError,
} from "../../../src/prompt/index.ts";
import { TemplateError } from "../../../src/prompt/template/index.ts";
import { thrownSortieError } from "../../helpers/sortie-error.ts";

const FILE = "/etc/sortie/WORKFLOW.md";
const issue = emptyIssue({
  id: "10001",
  identifier: "ABC-1",
  title: "Fix login",
  description: "Users cannot log in.",
  labels: ["bug"],
});

function tmpl(body: string, frontMatterLines = 0) {
  return parsePromptTemplate(body, { sourcePath: FILE, frontMatterLines });
}

const tool: PromptTool = {
  name: "tracker_api",
  description: "Query and update issues in the tracker.",
  inputSchema: { type: "object", properties: { operation: { type: "string" } }, required: ["operation"] },
};

describe("first turn", () => {
  test("appends the status protocol after the rendered template", () => {
    const out = renderTurnPrompt(tmpl("Work on {{ .issue.identifier }}."), {
      issue,
      attempt: 0,
      turnNumber: 1,
      maxTurns: 3,
    });
    expect(out).toBe(`Work on ABC-1.\n\n${RUNTIME_STATUS_SUFFIX}`);
  });

  test("advertises tools between the template and the status protocol", () => {
    const out = renderTurnPrompt(tmpl("Go."), {
      issue,
      attempt: 0,
      turnNumber: 1,
      maxTurns: 3,
      tools: [tool],
      project: "ABC",
    });
    expect(out).toBe(`Go.\n\n${buildToolAdvertisement([tool], "ABC")}\n\n${RUNTIME_STATUS_SUFFIX}`);
  });

  test("leaves out the advertisement when there are no tools", () => {
    const out = renderTurnPrompt(tmpl("Go."), { issue, attempt: 0, turnNumber: 1, maxTurns: 3, tools: [] });
    expect(out).not.toContain("Available Sortie tools");
  });

  test("passes an empty render on with the suffixes", () => {
    const out = renderTurnPrompt(tmpl("{{ if false }}x{{ end }}"), {
      issue,
      attempt: 0,
      turnNumber: 1,
      maxTurns: 3,
    });
    expect(out).toBe(`\n\n${RUNTIME_STATUS_SUFFIX}`);
  });

  test("exposes continuation context on the first turn only", () => {
    const t = tmpl("{{ with .ci_failure }}fix CI on {{ .ref }}{{ else }}plain{{ end }}");
    const continuation = {
      ciFailure: { status: "failing", checkRuns: [], logExcerpt: "", failingCount: 0, ref: "abc-1" },
    };
    const first = renderTurnPrompt(t, { issue, attempt: 1, turnNumber: 1, maxTurns: 3, continuation });
    const second = renderTurnPrompt(t, { issue, attempt: 1, turnNumber: 2, maxTurns: 3, continuation });
    expect(first.startsWith("fix CI on abc-1\n\n")).toBe(true);
    expect(second).toBe("plain");
  });
});

describe("continuation turns", () => {
  test("render the full template without the first-turn suffixes", () => {
    const t = tmpl(
      "{{ if .run.is_continuation }}Turn {{ .run.turn_number }} of {{ .run.max_turns }}{{ end }}",
    );
    expect(renderTurnPrompt(t, { issue, attempt: 2, turnNumber: 2, maxTurns: 4, tools: [tool] })).toBe(
      "Turn 2 of 4",
    );
  });

  test("fall back to the built-in continuation prompt when the render is blank", () => {
    const t = tmpl("{{ if not .run.is_continuation }}Start {{ .issue.title }}{{ end }} \n\t");
    expect(renderTurnPrompt(t, { issue, attempt: 0, turnNumber: 3, maxTurns: 4 })).toBe(
      DEFAULT_CONTINUATION_PROMPT,
    );
  });
});

describe("fixed texts", () => {
  test("the status suffix carries the command and both status tokens verbatim", () => {
    expect(RUNTIME_STATUS_SUFFIX).toContain('mkdir -p .sortie && echo "blocked" > .sortie/status');
    expect(RUNTIME_STATUS_SUFFIX).toContain("`blocked`");
    expect(RUNTIME_STATUS_SUFFIX).toContain("`needs-human-review`");
  });

  test("the continuation prompt asks the agent to carry on with the same issue", () => {
    expect(DEFAULT_CONTINUATION_PROMPT).toMatch(/^Continue working on the same issue/);
  });

  test("the tool advertisement follows the documented layout", () => {
    const schema = JSON.stringify(tool.inputSchema);
    const envelope =
      'All responses are JSON: {"success": true, "data": ...} or {"success": false, "error": {"kind": "...", "message": "..."}}.\n';
    expect(buildToolAdvertisement([tool], "ABC")).toBe(
      "## Available Sortie tools\n\n" +
        "All operations are scoped to project: ABC\n\n" +
        "### tracker_api\n\nQuery and update issues in the tracker.\n\nInput schema:\n```json\n" +
        `${schema}\n\`\`\`\n\n` +
        envelope,
    );
    expect(buildToolAdvertisement([{ ...tool, inputSchema: '{"raw":true}' }])).toBe(
      "## Available Sortie tools\n\n### tracker_api\n\nQuery and update issues in the tracker.\n\n" +
        'Input schema:\n```json\n{"raw":true}\n```\n\n' +
        envelope,
    );
  });
});

describe("errors", () => {
  test("a syntax error is a template_parse_error counted in WORKFLOW.md lines", () => {
    const err = thrownSortieError(() => tmpl("Hello\n{{ nope .x }}", 12));
    expect(err.layer).toBe("config");
    expect(err.kind).toBe("template_parse_error");
    expect(err.message).toBe(
      `template parse error in ${FILE} (line 14): template: prompt:2: function "nope" not defined`,
    );
  });

  test("a failing render is a template_render_error counted in WORKFLOW.md lines", () => {
    const t = tmpl("Hello\n\n  {{ .issue.nope }}", 5);
    const err = thrownSortieError(() =>
      renderTurnPrompt(t, { issue, attempt: 0, turnNumber: 1, maxTurns: 1 }),
    );
    expect(err.kind).toBe("template_render_error");
    expect(err.message).toBe(
      `template render error in ${FILE} (line 8): template: prompt:3:11: executing "prompt" at <.issue.nope>: map has no entry for key "nope"`,
    );
  });
});

describe("wrapping engine errors", () => {
  test("names the file without a line when Go's message has none", () => {
    const err = wrapTemplateError(
      new TemplateError("exec", 'template: prompt: "prompt" is incomplete', 0),
      FILE,
      9,
    );
    expect(err.kind).toBe("template_render_error");
    expect(err.message).toBe(`template render error in ${FILE}: template: prompt: "prompt" is incomplete`);
  });

  test("renders as config: <kind>: <message> for logs", () => {
    const err = wrapTemplateError(
      new TemplateError("parse", "template: prompt:1: unexpected EOF", 1),
      FILE,
      0,
    );
    expect(String(err)).toBe(
      `config: template_parse_error: template parse error in ${FILE} (line 1): template: prompt:1: unexpected EOF`,
    );
  });
});

describe("the seed example template", () => {
  const body =
    "You are a senior engineer working on {{ .issue.identifier }}: {{ .issue.title }}\n" +
    "{{ if .issue.description }}\n## Description\n{{ .issue.description }}\n{{ end }}";

  test("renders the description section when there is one", () => {
    const out = renderTurnPrompt(tmpl(body, 30), { issue, attempt: 0, turnNumber: 1, maxTurns: 5 });
    expect(out).toBe(
      "You are a senior engineer working on ABC-1: Fix login\n\n## Description\nUsers cannot log in.\n\n\n" +
        RUNTIME_STATUS_SUFFIX,
    );
  });

  test("omits the section for an issue without description", () => {
    const out = renderTurnPrompt(tmpl(body), {
      issue: { ...issue, description: "" },
      attempt: 0,
      turnNumber: 1,
      maxTurns: 5,
    });
    expect(out).toBe(`You are a senior engineer working on ABC-1: Fix login\n\n\n${RUNTIME_STATUS_SUFFIX}`);
  });

  test("renders concurrently for different issues from one parsed template", async () => {
    const t = tmpl(body);
    const issues = ["A-1", "B-2", "C-3"].map((identifier) => ({ ...issue, identifier, description: "" }));
    const outs = await Promise.all(
      issues.map(async (i) => renderTurnPrompt(t, { issue: i, attempt: 0, turnNumber: 2, maxTurns: 5 })),
    );
    expect(outs).toEqual(
      issues.map((i) => `You are a senior engineer working on ${i.identifier}: Fix login\n`),
    );
  });
});
