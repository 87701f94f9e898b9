import { afterEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { WorkflowError } from "../../../src/config/errors.ts";
import { splitWorkflow } from "../../../src/config/split.ts";
import { parseWorkflow, readWorkflowBytes } from "../../../src/config/workflow-file.ts";
import { makeTempDir } from "./helpers.ts";

const PATH = "/abs/WORKFLOW.md";

describe("parseWorkflow splits front matter and prompt", () => {
  const cases: { name: string; text: string; config: unknown; prompt: string; lines: number }[] = [
    {
      name: "front matter and prompt",
      text: "---\ntracker:\n  kind: jira\n  project: SORT\nagent:\n  kind: claude-code\n---\n# Task\n\nFix {{ .issue.title }}.\n",
      config: { tracker: { kind: "jira", project: "SORT" }, agent: { kind: "claude-code" } },
      prompt: "# Task\n\nFix {{ .issue.title }}.",
      lines: 7,
    },
    {
      name: "no front matter",
      text: "# Just a prompt\n\nDo the thing.\n",
      config: {},
      prompt: "# Just a prompt\n\nDo the thing.",
      lines: 0,
    },
    {
      name: "empty front matter",
      text: "---\n---\nprompt body\n",
      config: {},
      prompt: "prompt body",
      lines: 2,
    },
    {
      name: "CRLF line endings",
      text: "---\r\nkey: value\r\n---\r\nthe prompt\r\n",
      config: { key: "value" },
      prompt: "the prompt",
      lines: 3,
    },
    {
      name: "trailing spaces and tabs on delimiters",
      text: "---   \nkey: value\n---\t  \nthe prompt\n",
      config: { key: "value" },
      prompt: "the prompt",
      lines: 3,
    },
    {
      name: "no closing delimiter",
      text: "---\nkey: value\n",
      config: { key: "value" },
      prompt: "",
      lines: 2,
    },
    {
      name: "YAML 1.2 keeps yes/no/on as strings",
      text: "---\na: NO\nb: ON\nc: YES\nd: yes\n---\nprompt\n",
      config: { a: "NO", b: "ON", c: "YES", d: "yes" },
      prompt: "prompt",
      lines: 6,
    },
    {
      name: "prompt body trimmed",
      text: "---\nk: v\n---\n\n\n  prompt text  \n\n\n",
      config: { k: "v" },
      prompt: "prompt text",
      lines: 3,
    },
    {
      name: "one BOM stripped",
      text: "\uFEFF---\nkey: value\n---\nprompt\n",
      config: { key: "value" },
      prompt: "prompt",
      lines: 3,
    },
    { name: "empty file", text: "", config: {}, prompt: "", lines: 0 },
    { name: "just --- without newline is a prompt", text: "---", config: {}, prompt: "---", lines: 0 },
    { name: "opening delimiter only", text: "---\n", config: {}, prompt: "", lines: 1 },
    {
      name: "dashes in a quoted value",
      text: '---\nkey: "---"\n---\nprompt\n',
      config: { key: "---" },
      prompt: "prompt",
      lines: 3,
    },
    {
      name: "indented dashes in a block scalar are content",
      text: "---\nkey: |\n  ---\n  more\n---\nprompt\n",
      config: { key: "---\nmore\n" },
      prompt: "prompt",
      lines: 5,
    },
    {
      name: "comment-only front matter",
      text: "---\n# nothing here\n---\nprompt\n",
      config: {},
      prompt: "prompt",
      lines: 3,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const doc = parseWorkflow(c.text, PATH);
      expect(doc.frontMatter).toEqual(c.config as Record<string, unknown>);
      expect(doc.promptTemplate).toBe(c.prompt);
      expect(doc.frontMatterLines).toBe(c.lines);
      expect(doc.path).toBe(PATH);
    });
  }

  test("a leading indented --- is not an opening delimiter", () => {
    expect(splitWorkflow(" ---\nkey: v\n").yamlText).toBeNull();
  });
});

describe("parseWorkflow errors", () => {
  test("a YAML syntax error names the file, the hint and the line relative to the YAML", () => {
    let error: unknown;
    try {
      parseWorkflow("---\nok: 1\nbad: [unclosed\n---\nprompt\n", PATH);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(WorkflowError);
    const workflowError = error as WorkflowError;
    expect(workflowError.kind).toBe("workflow_parse_error");
    expect(workflowError.message).toStartWith(
      `failed to parse YAML front matter in ${PATH} (did you forget the closing '---' delimiter?): yaml: line `,
    );
    expect(workflowError.line).toBeGreaterThanOrEqual(3);
    expect(String(workflowError)).toBe(workflowError.message);
  });

  test("duplicate keys are a parse error pointing at the duplicate", () => {
    const error = captureError(() => parseWorkflow("---\na: 1\na: 2\n---\n", PATH));
    expect(error.kind).toBe("workflow_parse_error");
    expect(error.message).toEndWith("yaml: line 2: Map keys must be unique");
    expect([error.line, error.column]).toEqual([3, 1]);
  });

  const notMaps: [string, string][] = [
    ["- a\n- b\n- c", "[]interface {}"],
    ["42", "int"],
    ["hello", "string"],
    ["3.5", "float64"],
    ["true", "bool"],
    ["1: a\n2: b", "map[interface {}]interface {}"],
  ];
  for (const [yaml, type] of notMaps) {
    test(`front matter ${JSON.stringify(yaml)} is not a map: got ${type}`, () => {
      const error = captureError(() => parseWorkflow(`---\n${yaml}\n---\nprompt\n`, PATH));
      expect(error.kind).toBe("workflow_front_matter_not_a_map");
      expect(error.message).toBe(`workflow front matter in ${PATH} must be a YAML map: got ${type}`);
      expect(error.line).toBe(2);
    });
  }
});

describe("readWorkflowBytes", () => {
  let dir: { path: string; cleanup: () => void };
  afterEach(() => dir?.cleanup());

  test("a missing file is a missing_workflow_file error with Go's os error text", async () => {
    dir = makeTempDir();
    const path = join(dir.path, "nope", "WORKFLOW.md");
    const error = await readWorkflowBytes(path).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(WorkflowError);
    expect((error as WorkflowError).kind).toBe("missing_workflow_file");
    expect((error as WorkflowError).message).toBe(
      `workflow file not found: ${path}: open ${path}: no such file or directory`,
    );
  });

  test("reads the bytes of an existing file", async () => {
    dir = makeTempDir();
    const path = join(dir.path, "WORKFLOW.md");
    writeFileSync(path, "---\na: 1\n---\nhi\n");
    expect(new TextDecoder().decode(await readWorkflowBytes(path))).toBe("---\na: 1\n---\nhi\n");
  });
});

function captureError(fn: () => unknown): WorkflowError {
  try {
    fn();
  } catch (err) {
    if (err instanceof WorkflowError) return err;
    throw err;
  }
  throw new Error("expected a WorkflowError");
}
