// The compiled binary's command line: version output, help, exit codes, stdout/stderr separation,
// `validate` of every shipped example and of broken files.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO, runSortie } from "../helpers/sortie-process.ts";

setDefaultTimeout(30_000);

const EXAMPLE_ENV = {
  SORTIE_GITHUB_TOKEN: "ghp_example",
  SORTIE_GITHUB_PROJECT: "octo/widgets",
  SORTIE_JIRA_ENDPOINT: "https://example.atlassian.net",
  SORTIE_JIRA_API_KEY: "me@example.com:token",
  SORTIE_JIRA_PROJECT: "PROJ",
  HOME: mkdtempSync(join(tmpdir(), "sortie-home-")),
};

describe("version and help", () => {
  test("--version prints the injected banner on stdout", async () => {
    const r = await runSortie(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^sortie \d+\.\d+\.\d+\S* \(commit: [0-9a-f]{7}|unknown, built: \S+, bun\d+\.\d+\.\d+, linux\/(amd64|arm64)\)\n$/,
    );
    expect(r.stderr).toBe("");
  });

  test("-V wins anywhere on the line, even next to an unknown flag", async () => {
    const r = await runSortie(["-V", "--bogus"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toStartWith("sortie ");
  });

  test("-dumpversion prints only the version", async () => {
    const r = await runSortie(["-dumpversion"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
  });

  test("help goes to stdout and says flags may follow the workflow path", async () => {
    for (const args of [["-h"], ["--help"], ["WORKFLOW.md", "-help"]]) {
      const r = await runSortie(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("Usage:");
      expect(r.stdout).toContain("Flags may also follow the workflow path");
    }
    const v = await runSortie(["validate", "--help"]);
    expect(v.stdout).toContain("sortie validate [--format text|json] [workflow-path]");
  });

  test("parse errors are one `sortie:` line on stderr with exit 1 and nothing on stdout", async () => {
    const r = await runSortie(["--bogus"]);
    expect(r).toEqual({ code: 1, stdout: "", stderr: "sortie: flag provided but not defined: -bogus\n" });
    const two = await runSortie(["a.md", "b.md"]);
    expect(two.stderr).toBe("sortie: too many arguments\n");
    const level = await runSortie(["--log-level", "loud"]);
    expect(level.stderr).toBe(
      'sortie: unknown log level "loud": accepted values are debug, info, warn, error\n',
    );
  });

  test("a missing workflow file is reported with its absolute path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sortie-cli-"));
    const r = await runSortie(["--port", "0"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toStartWith(`sortie: workflow file not found: ${join(dir, "WORKFLOW.md")}`);
  });
});

describe("validate", () => {
  const examples = readdirSync(join(REPO, "examples")).filter((f) => /^WORKFLOW.*\.md$/.test(f));

  test.each(examples)("examples/%s validates cleanly with its environment set", async (file) => {
    const r = await runSortie(["validate", "--format", "json", join(REPO, "examples", file)], {
      env: EXAMPLE_ENV,
    });
    expect(JSON.parse(r.stdout)).toEqual({ valid: true, errors: [], warnings: [] });
    expect(r.code).toBe(0);
  });

  function broken(content: string): string {
    const dir = mkdtempSync(join(tmpdir(), "sortie-validate-"));
    const path = join(dir, "WORKFLOW.md");
    writeFileSync(path, content);
    return path;
  }

  async function validateJson(path: string) {
    const r = await runSortie(["validate", "--format", "json", path]);
    return {
      code: r.code,
      doc: JSON.parse(r.stdout) as {
        valid: boolean;
        errors: Record<string, unknown>[];
        warnings: Record<string, unknown>[];
      },
      stderr: r.stderr,
    };
  }

  test("broken YAML names the file and the line", async () => {
    const path = broken("---\ntracker:\n  kind: file\n  active_states: [a\n---\nx\n");
    const { code, doc } = await validateJson(path);
    expect(code).toBe(1);
    expect(doc.valid).toBe(false);
    expect(doc.errors[0]).toMatchObject({ severity: "error", check: "workflow_load", file: path });
    expect(doc.errors[0]?.message).toContain(`failed to parse YAML front matter in ${path}`);
    expect(typeof doc.errors[0]?.line).toBe("number");
  });

  test("front matter that is not a map is its own check", async () => {
    const { doc } = await validateJson(broken("---\n- a\n- b\n---\nx\n"));
    expect(doc.errors).toEqual([
      expect.objectContaining({
        check: "workflow_front_matter",
        message: expect.stringContaining("must be a YAML map: got []interface {}"),
      }),
    ]);
  });

  test("a bad template is a template_parse error with the WORKFLOW.md line", async () => {
    const { doc } = await validateJson(
      broken(
        "---\ntracker:\n  kind: file\n  active_states: [a]\n---\nline one\n{{ if .issue.title }}unclosed\n",
      ),
    );
    expect(doc.errors[0]).toMatchObject({ check: "template_parse" });
    expect(String(doc.errors[0]?.message)).toMatch(/\(line \d+\): template: prompt:\d+: unexpected EOF/);
  });

  test("every wrong type is reported at once with its field, line and column", async () => {
    const path = broken(
      "---\ntracker:\n  kind: file\n  active_states: [a]\npolling:\n  interval_ms: soon\nagent:\n  max_turns: many\n---\nx\n",
    );
    const { code, doc } = await validateJson(path);
    expect(code).toBe(1);
    expect(doc.errors).toEqual([
      {
        severity: "error",
        check: "config.polling.interval_ms",
        message: "invalid integer value: soon",
        file: path,
        line: 6,
        column: 16,
      },
      {
        severity: "error",
        check: "config.agent.max_turns",
        message: "invalid integer value: many",
        file: path,
        line: 8,
        column: 14,
      },
    ]);
  });

  test("unknown keys and template variables are warnings, not errors", async () => {
    const path = broken(
      "---\ntracker:\n  kind: file\n  active_states: [a]\nagent:\n  kind: mock\ntrackers: {}\nfile:\n  path: issues.json\n---\n{{ .issue.titel }} {{ .isue }}\n",
    );
    const { code, doc } = await validateJson(path);
    expect(code).toBe(0);
    expect(doc.valid).toBe(true);
    expect(doc.warnings.map((w) => w.check)).toEqual(["unknown_key", "unknown_field", "unknown_var"]);
  });

  test("text format writes diagnostics to stderr only", async () => {
    const path = broken("---\ntracker:\n  kind: nope\n  active_states: [a]\n---\nx\n");
    const r = await runSortie(["validate", path]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      'error: tracker_adapter: unknown tracker adapter kind "nope"; registered: [file, github, jira]\n',
    );
  });

  test("a missing file and a bad --format", async () => {
    const missing = await runSortie(["validate", "--format", "json", "/nonexistent/WORKFLOW.md"]);
    expect(JSON.parse(missing.stdout).errors[0]).toMatchObject({ check: "workflow_load" });
    const bad = await runSortie(["validate", "--format", "yaml"]);
    expect(bad).toMatchObject({
      code: 1,
      stdout: "",
      stderr: 'sortie validate: invalid --format value "yaml": must be "text" or "json"\n',
    });
  });
});
