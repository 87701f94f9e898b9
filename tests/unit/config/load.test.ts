import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  configIssueDiagnostics,
  loadErrorDiagnostics,
  workflowErrorDiagnostic,
} from "../../../src/config/diagnostics.ts";
import { ConfigBuildError, formatConfigIssue, WorkflowError } from "../../../src/config/errors.ts";
import { loadWorkflow, readWorkflowSource } from "../../../src/config/load.ts";
import { type RecordedLog, recordingLogger, silentLogger } from "../../../src/config/logger.ts";
import { makeTempDir } from "./helpers.ts";

describe("loadWorkflow", () => {
  let dir: { path: string; cleanup: () => void };
  let path: string;
  beforeEach(() => {
    dir = makeTempDir();
    path = join(dir.path, "WORKFLOW.md");
  });
  afterEach(() => dir.cleanup());

  const options = (extra: Record<string, unknown> = {}) => ({
    workflowPath: path,
    env: {},
    cwd: dir.path,
    homeDir: "/home/tester",
    logger: silentLogger,
    ...extra,
  });

  test("returns the document, config, post-override raw map and content hash", async () => {
    writeFileSync(path, "---\nagent: {max_turns: 3}\n---\nPrompt body\n");
    const loaded = await loadWorkflow(options({ env: { SORTIE_AGENT_KIND: "mock" } }));
    expect(loaded.document.promptTemplate).toBe("Prompt body");
    expect(loaded.document.frontMatterLines).toBe(3);
    expect(loaded.config.agent).toMatchObject({ kind: "mock", maxTurns: 3 });
    expect(loaded.raw).toEqual({ agent: { max_turns: 3, kind: "mock" } });
    expect(loaded.document.frontMatter).toEqual({ agent: { max_turns: 3 } });
    expect(loaded.config.dbPath).toBe(join(dir.path, ".sortie.db"));
    expect(loaded.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  test("a missing .env file is a warning on every build, not an error", async () => {
    writeFileSync(path, "---\n---\n");
    const records: RecordedLog[] = [];
    await loadWorkflow(options({ envFilePath: "missing.env", logger: recordingLogger(records) }));
    await loadWorkflow(options({ envFilePath: "missing.env", logger: recordingLogger(records) }));
    expect(records).toEqual([
      { level: "warn", message: "env file not found, skipping", properties: { path: "missing.env" } },
      { level: "warn", message: "env file not found, skipping", properties: { path: "missing.env" } },
    ]);
  });

  test("workflow errors come before .env errors, which come before config errors", async () => {
    writeFileSync(join(dir.path, "bad.env"), "NOT A PAIR\n");
    writeFileSync(path, "---\na: [\n---\n");
    await expect(loadWorkflow(options({ envFilePath: "bad.env" }))).rejects.toThrow(
      "failed to parse YAML front matter",
    );
    writeFileSync(path, "---\npolling: {interval_ms: x}\n---\n");
    await expect(loadWorkflow(options({ envFilePath: "bad.env" }))).rejects.toThrow(
      "config: dotenv bad.env:1: missing '=' in line",
    );
  });

  test("the content hash covers the .env file", async () => {
    writeFileSync(path, "---\n---\n");
    const envPath = join(dir.path, "x.env");
    const none = await readWorkflowSource(options());
    const missing = await readWorkflowSource(options({ envFilePath: envPath }));
    writeFileSync(envPath, "SORTIE_A=1\n");
    const one = await readWorkflowSource(options({ envFilePath: envPath }));
    writeFileSync(envPath, "SORTIE_A=2\n");
    const two = await readWorkflowSource(options({ envFilePath: envPath }));
    expect(new Set([none.contentHash, missing.contentHash, one.contentHash, two.contentHash]).size).toBe(4);
  });

  test("ConfigBuildError text has one prefixed line per issue with its position", async () => {
    writeFileSync(path, "---\npolling:\n  interval_ms: -5\nagent:\n  max_sessions: -1\n---\n");
    const error = await loadWorkflow(options()).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ConfigBuildError);
    expect(String(error)).toBe(
      [
        `config: polling.interval_ms: must be positive (${path}:3:16)`,
        `config: agent.max_sessions: must be non-negative (${path}:5:17)`,
      ].join("\n"),
    );
    expect((error as ConfigBuildError).kind).toBe("config_error");
  });
});

describe("validate diagnostics", () => {
  test("config issues become config.<field> errors with the bare message and their position", () => {
    expect(
      configIssueDiagnostics(
        [
          {
            field: "polling.interval_ms",
            message: "invalid integer value: abc (from SORTIE_POLLING_INTERVAL_MS)",
          },
          { field: "db_path", message: "expected string, got int", line: 4, column: 10 },
        ],
        "/w/WORKFLOW.md",
      ),
    ).toEqual([
      {
        severity: "error",
        check: "config.polling.interval_ms",
        message: "invalid integer value: abc (from SORTIE_POLLING_INTERVAL_MS)",
      },
      {
        severity: "error",
        check: "config.db_path",
        message: "expected string, got int",
        file: "/w/WORKFLOW.md",
        line: 4,
        column: 10,
      },
    ]);
  });

  test("workflow errors map to workflow_front_matter or workflow_load", () => {
    const notMap = new WorkflowError("workflow_front_matter_not_a_map", "m", {
      path: "/w",
      position: { line: 2, column: 1 },
    });
    expect(workflowErrorDiagnostic(notMap)).toEqual({
      severity: "error",
      check: "workflow_front_matter",
      message: "m",
      file: "/w",
      line: 2,
      column: 1,
    });
    const missing = new WorkflowError("missing_workflow_file", "workflow file not found: /w: x", {
      path: "/w",
    });
    expect(loadErrorDiagnostics(missing)).toEqual([
      { severity: "error", check: "workflow_load", message: "workflow file not found: /w: x" },
    ]);
    expect(loadErrorDiagnostics(new Error("other"))).toBeUndefined();
    expect(loadErrorDiagnostics(new ConfigBuildError([{ field: "a", message: "b" }], "/w"))).toEqual([
      { severity: "error", check: "config.a", message: "b" },
    ]);
  });

  test("formatConfigIssue adds the position only when the value came from the file", () => {
    expect(formatConfigIssue({ field: "a.b", message: "m" }, "/w")).toBe("config: a.b: m");
    expect(formatConfigIssue({ field: "a.b", message: "m", line: 3, column: 4 }, "/w")).toBe(
      "config: a.b: m (/w:3:4)",
    );
  });
});
