import { afterEach, describe, expect, test } from "bun:test";
import { chmod, mkdir, readdir, readFile, realpath, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SortieError } from "../../../src/domain/errors.ts";
import { buildMcpEnv, MCP_SERVER_NAME, writeMcpConfig } from "../../../src/workspace/mcp-config.ts";
import {
  deleteReviewVerdict,
  findReviewSummary,
  readReviewVerdict,
  writeReviewSummary,
} from "../../../src/workspace/review-files.ts";
import { readScmJson } from "../../../src/workspace/scm-file.ts";
import { writeGitignore } from "../../../src/workspace/sortie-dir.ts";
import {
  formatRfc3339Nano,
  parseRfc3339,
  readStateJson,
  writeStateJson,
} from "../../../src/workspace/state-file.ts";
import { deleteStatusFile, readStatusSignal } from "../../../src/workspace/status-file.ts";
import { captureLogs, findLog, removeTempDirs, resetLogs, tempDir, thrown } from "./support.ts";

afterEach(async () => {
  await resetLogs();
  await removeTempDirs();
});

async function workspace(): Promise<string> {
  return realpath(await tempDir());
}

async function withSortieFile(name: string, content: string | Uint8Array): Promise<string> {
  const ws = await workspace();
  await mkdir(join(ws, ".sortie"));
  await writeFile(join(ws, ".sortie", name), content);
  return ws;
}

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe(".sortie/status", () => {
  test.each([
    ["blocked", "blocked"],
    ["needs-human-review\n", "needs-human-review"],
    ["  \tblocked \r\nignored second line", "blocked"],
    ["", null],
    ["\n\nblocked", null],
  ])("reads %p as %p", async (content, expected) => {
    const ws = await withSortieFile("status", content);
    expect(await readStatusSignal(ws)).toBe(expected as never);
  });

  test("is case-sensitive and warns on unknown values", async () => {
    const logs = await captureLogs();
    const ws = await withSortieFile("status", "Blocked\n");
    expect(await readStatusSignal(ws)).toBeNull();
    const warn = findLog(logs, "unrecognized .sortie/status value");
    expect(warn?.level).toBe("warning");
    expect(warn?.props).toEqual({ workspace: ws, value: "Blocked" });
  });

  test("reads only the first 1024 bytes", async () => {
    const ws = await withSortieFile("status", `blocked\n${"x".repeat(5000)}`);
    expect(await readStatusSignal(ws)).toBe("blocked");
    const long = await withSortieFile("status", `${" ".repeat(1024)}blocked`);
    expect(await readStatusSignal(long)).toBeNull();
  });

  test("treats a missing workspace, .sortie or file as no signal", async () => {
    const ws = await workspace();
    expect(await readStatusSignal(join(ws, "missing"))).toBeNull();
    expect(await readStatusSignal(ws)).toBeNull();
    await mkdir(join(ws, ".sortie"));
    expect(await readStatusSignal(ws)).toBeNull();
  });

  test("refuses a symlinked .sortie directory", async () => {
    const logs = await captureLogs();
    const ws = await workspace();
    const elsewhere = await workspace();
    await writeFile(join(elsewhere, "status"), "blocked");
    await symlink(elsewhere, join(ws, ".sortie"));
    expect(await readStatusSignal(ws)).toBeNull();
    expect(findLog(logs, "rejecting .sortie/status")?.props.reason).toBe(".sortie is a symlink");
  });

  test("refuses a symlinked status file", async () => {
    const ws = await workspace();
    await mkdir(join(ws, ".sortie"));
    await writeFile(join(ws, "real"), "blocked");
    await symlink(join(ws, "real"), join(ws, ".sortie", "status"));
    expect(await readStatusSignal(ws)).toBeNull();
  });

  test("does not hang on a FIFO or fail on a directory", async () => {
    const ws = await workspace();
    await mkdir(join(ws, ".sortie"));
    Bun.spawnSync(["mkfifo", join(ws, ".sortie", "status")]);
    expect((await stat(join(ws, ".sortie", "status"))).isFIFO()).toBe(true);
    expect(await readStatusSignal(ws)).toBeNull();
    const other = await workspace();
    await mkdir(join(other, ".sortie", "status"), { recursive: true });
    expect(await readStatusSignal(other)).toBeNull();
  });

  test("deleteStatusFile removes a real file and tolerates absence", async () => {
    const ws = await withSortieFile("status", "blocked");
    await deleteStatusFile(ws);
    expect(await Bun.file(join(ws, ".sortie", "status")).exists()).toBe(false);
    await deleteStatusFile(ws);
    await deleteStatusFile(join(ws, "missing"));
  });
});

describe(".sortie/scm.json", () => {
  test("parses the known fields and ignores unknown keys", async () => {
    const ws = await withSortieFile(
      "scm.json",
      JSON.stringify({
        branch: "sortie/PROJ-1",
        sha: "abc123",
        pushed_at: "2026-04-26T10:00:00Z",
        pr_number: 12,
        owner: "acme",
        repo: "app",
        future_field: { nested: true },
      }),
    );
    expect(await readScmJson(ws)).toEqual({
      branch: "sortie/PROJ-1",
      sha: "abc123",
      pushedAt: "2026-04-26T10:00:00Z",
      prNumber: 12,
      owner: "acme",
      repo: "app",
    });
  });

  test("fills absent fields with empty values", async () => {
    const ws = await withSortieFile("scm.json", '{"branch":"b"}');
    expect(await readScmJson(ws)).toEqual({
      branch: "b",
      sha: "",
      pushedAt: "",
      prNumber: 0,
      owner: "",
      repo: "",
    });
  });

  test("treats an empty branch as absent", async () => {
    const ws = await withSortieFile("scm.json", '{"branch":"","sha":"abc"}');
    expect(await readScmJson(ws)).toBeNull();
  });

  test("warns about and ignores an oversized file", async () => {
    const logs = await captureLogs();
    const ws = await withSortieFile("scm.json", JSON.stringify({ branch: "b", pad: "x".repeat(5000) }));
    expect(await readScmJson(ws)).toBeNull();
    expect(findLog(logs, "oversized .sortie/scm.json")?.level).toBe("warning");
  });

  test.each([
    ["invalid JSON", "{not json"],
    ["a type mismatch", '{"branch":"b","pr_number":"12"}'],
    ["a fractional PR number", '{"branch":"b","pr_number":1.5}'],
    ["a non-object", '["b"]'],
  ])("warns about and ignores %s", async (_what, content) => {
    const logs = await captureLogs();
    const ws = await withSortieFile("scm.json", content);
    expect(await readScmJson(ws)).toBeNull();
    expect(findLog(logs, "malformed .sortie/scm.json")?.level).toBe("warning");
  });

  test("refuses symlinks and never throws for odd workspaces", async () => {
    const ws = await workspace();
    await mkdir(join(ws, ".sortie"));
    await writeFile(join(ws, "scm"), '{"branch":"b"}');
    await symlink(join(ws, "scm"), join(ws, ".sortie", "scm.json"));
    expect(await readScmJson(ws)).toBeNull();
    expect(await readScmJson("/nonexistent/workspace")).toBeNull();
    expect(await readScmJson("")).toBeNull();
  });
});

describe(".sortie/state.json", () => {
  const state = {
    turnNumber: 2,
    maxTurns: 20,
    attempt: null,
    startedAt: new Date("2026-04-26T10:15:10.120Z"),
    inputTokens: 100,
    outputTokens: 50,
    totalTokens: 150,
    cacheReadTokens: 10,
  };

  test("writes the snake_case document atomically with mode 0600 and reads it back", async () => {
    const ws = await workspace();
    await mkdir(join(ws, ".sortie"));
    const path = await writeStateJson(ws, state);
    expect(path).toBe(join(ws, ".sortie", "state.json"));
    expect(await mode(path)).toBe(0o600);
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({
      turn_number: 2,
      max_turns: 20,
      attempt: null,
      started_at: "2026-04-26T10:15:10.12Z",
      input_tokens: 100,
      output_tokens: 50,
      total_tokens: 150,
      cache_read_tokens: 10,
    });
    expect(await readdir(join(ws, ".sortie"))).toEqual(["state.json"]);
    const read = await readStateJson(ws);
    expect(read).toEqual({
      ok: true,
      state: {
        turnNumber: 2,
        maxTurns: 20,
        attempt: null,
        startedAt: "2026-04-26T10:15:10.12Z",
        startedAtMs: Date.parse("2026-04-26T10:15:10.120Z"),
        inputTokens: 100,
        outputTokens: 50,
        totalTokens: 150,
        cacheReadTokens: 10,
      },
    });
  });

  test("replaces a previous file and a stale temp file, even a symlinked one", async () => {
    const ws = await workspace();
    await mkdir(join(ws, ".sortie"));
    await writeFile(join(ws, "victim"), "untouched");
    await symlink(join(ws, "victim"), join(ws, ".sortie", "state.json.tmp"));
    await writeStateJson(ws, state);
    await writeStateJson(ws, { ...state, turnNumber: 3 });
    expect(await readFile(join(ws, "victim"), "utf8")).toBe("untouched");
    const read = await readStateJson(ws);
    expect(read.ok && read.state.turnNumber).toBe(3);
  });

  test("refuses to write when .sortie is missing or a symlink", async () => {
    const ws = await workspace();
    expect(await thrown(writeStateJson(ws, state))).toBeInstanceOf(SortieError);
    await symlink(await workspace(), join(ws, ".sortie"));
    const err = (await thrown(writeStateJson(ws, state))) as SortieError;
    expect(err.message).toContain(".sortie is a symlink");
  });

  test.each([
    ["missing", null, /^state file unavailable: /],
    ["oversized", JSON.stringify({ pad: "x".repeat(5000) }), /^state file exceeds size limit$/],
    ["malformed", "{", /^state file malformed: /],
    ["badly typed", '{"turn_number":"2","started_at":"2026-04-26T10:15:10Z"}', /^state file malformed: /],
    ["undated", '{"turn_number":1,"started_at":"yesterday"}', /^state file has invalid started_at: /],
  ])("describes a %s file", async (_what, content, pattern) => {
    const ws = content === null ? await workspace() : await withSortieFile("state.json", content);
    const read = await readStateJson(ws);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.error).toMatch(pattern);
  });

  test("reports a symlinked state file", async () => {
    const ws = await workspace();
    await mkdir(join(ws, ".sortie"));
    await writeFile(join(ws, "s"), "{}");
    await symlink(join(ws, "s"), join(ws, ".sortie", "state.json"));
    expect(await readStateJson(ws)).toEqual({ ok: false, error: "state file is a symlink" });
  });

  test("formats and parses RFC 3339 timestamps with fractions and offsets", () => {
    expect(formatRfc3339Nano(new Date("2026-01-02T03:04:05.000Z"))).toBe("2026-01-02T03:04:05Z");
    expect(formatRfc3339Nano(new Date("2026-01-02T03:04:05.100Z"))).toBe("2026-01-02T03:04:05.1Z");
    expect(parseRfc3339("2026-01-02T03:04:05.123456789Z")).toBeCloseTo(
      Date.UTC(2026, 0, 2, 3, 4, 5, 123) + 0.456789,
      4,
    );
    expect(parseRfc3339("2026-01-02T05:04:05+02:00")).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(parseRfc3339("2026-02-30T00:00:00Z")).toBeNull();
    expect(parseRfc3339("2026-01-02 03:04:05Z")).toBeNull();
    expect(parseRfc3339("2026-01-02T24:00:00Z")).toBeNull();
  });
});

describe(".sortie/.gitignore", () => {
  test("creates .sortie with 0750 and ignores everything in it", async () => {
    const ws = await workspace();
    const path = await writeGitignore(ws);
    expect(await readFile(path, "utf8")).toBe("*\n");
    expect(await mode(path)).toBe(0o600);
    expect(await mode(join(ws, ".sortie"))).toBe(0o750);
  });

  test("refuses a .sortie that is a file", async () => {
    const ws = await workspace();
    await writeFile(join(ws, ".sortie"), "");
    expect(await thrown(writeGitignore(ws))).toBeInstanceOf(SortieError);
  });
});

describe(".sortie/mcp.json", () => {
  const env = { SORTIE_ISSUE_ID: "1", SORTIE_TRACKER_API_KEY: "tok" };

  async function setup() {
    const ws = await workspace();
    const dir = await workspace();
    const workflowPath = join(dir, "WORKFLOW.md");
    const binDir = join(dir, "bin");
    await mkdir(binDir);
    const realBinary = join(binDir, "sortie-real");
    await writeFile(realBinary, "#!/bin/sh\n");
    await chmod(realBinary, 0o755);
    const linkedBinary = join(binDir, "sortie");
    await symlink(realBinary, linkedBinary);
    return { ws, dir, workflowPath, realBinary, linkedBinary };
  }

  test("writes the sortie-tools stdio entry with the resolved binary, .gitignore and mode 0600", async () => {
    const { ws, workflowPath, realBinary, linkedBinary } = await setup();
    const path = await writeMcpConfig(ws, { selfExecutable: linkedBinary, workflowPath, env });
    expect(path).toBe(join(ws, ".sortie", "mcp.json"));
    expect(await mode(path)).toBe(0o600);
    expect(await readFile(join(ws, ".sortie", ".gitignore"), "utf8")).toBe("*\n");
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({
      mcpServers: {
        [MCP_SERVER_NAME]: {
          type: "stdio",
          command: realBinary,
          args: ["mcp-server", "--workflow", workflowPath],
          env,
        },
      },
    });
    expect(await readFile(path, "utf8")).toContain('\n  "mcpServers": {\n');
  });

  test("places runtime arguments before mcp-server when running from source", async () => {
    const { ws, workflowPath, realBinary } = await setup();
    await writeMcpConfig(ws, {
      selfExecutable: realBinary,
      selfArgs: ["/src/main.ts"],
      workflowPath,
      env: {},
    });
    const doc = JSON.parse(await readFile(join(ws, ".sortie", "mcp.json"), "utf8"));
    expect(doc.mcpServers[MCP_SERVER_NAME].args).toEqual([
      "/src/main.ts",
      "mcp-server",
      "--workflow",
      workflowPath,
    ]);
  });

  test("merges into the operator's file, keeping its servers and other keys", async () => {
    const { ws, dir, workflowPath, realBinary } = await setup();
    await mkdir(join(dir, "conf"));
    await writeFile(
      join(dir, "conf", "mcp.json"),
      JSON.stringify({ mcpServers: { github: { command: "gh-mcp" } }, inputs: [1, 2] }),
    );
    await writeMcpConfig(ws, {
      selfExecutable: realBinary,
      workflowPath,
      env,
      operatorConfigPath: "conf/mcp.json",
    });
    const doc = JSON.parse(await readFile(join(ws, ".sortie", "mcp.json"), "utf8"));
    expect(Object.keys(doc.mcpServers)).toEqual(["github", MCP_SERVER_NAME]);
    expect(doc.mcpServers.github).toEqual({ command: "gh-mcp" });
    expect(doc.inputs).toEqual([1, 2]);
  });

  test("accepts an operator file without mcpServers", async () => {
    const { ws, dir, workflowPath, realBinary } = await setup();
    await writeFile(join(dir, "op.json"), '{"other": true}');
    await writeMcpConfig(ws, {
      selfExecutable: realBinary,
      workflowPath,
      env,
      operatorConfigPath: join(dir, "op.json"),
    });
    const doc = JSON.parse(await readFile(join(ws, ".sortie", "mcp.json"), "utf8"));
    expect(doc.other).toBe(true);
    expect(Object.keys(doc.mcpServers)).toEqual([MCP_SERVER_NAME]);
  });

  test.each([
    [
      "a reserved server name",
      `{"mcpServers":{"${MCP_SERVER_NAME}":{}}}`,
      'reserved server name "sortie-tools"',
    ],
    ["invalid JSON", "{", "invalid JSON in"],
    ["a non-object mcpServers", '{"mcpServers":[]}', "'mcpServers' is not an object"],
    ["a non-object document", "[1]", "is not a JSON object"],
  ])("fails clearly on %s", async (_what, content, text) => {
    const { ws, dir, workflowPath, realBinary } = await setup();
    await writeFile(join(dir, "op.json"), content);
    const err = await thrown(
      writeMcpConfig(ws, { selfExecutable: realBinary, workflowPath, env, operatorConfigPath: "op.json" }),
    );
    expect(err).toBeInstanceOf(SortieError);
    expect((err as SortieError).message).toStartWith("operator MCP config: ");
    expect((err as SortieError).message).toContain(text);
    expect(await Bun.file(join(ws, ".sortie", "mcp.json")).exists()).toBe(false);
  });

  test("fails on a missing operator file and on a relative workflow path", async () => {
    const { ws, workflowPath, realBinary } = await setup();
    const missing = (await thrown(
      writeMcpConfig(ws, { selfExecutable: realBinary, workflowPath, env, operatorConfigPath: "nope.json" }),
    )) as SortieError;
    expect(missing.message).toContain("cannot read");
    const relative = (await thrown(
      writeMcpConfig(ws, { selfExecutable: realBinary, workflowPath: "WORKFLOW.md", env }),
    )) as SortieError;
    expect(relative.message).toContain("must be absolute");
  });

  test("refuses to write through a symlinked .sortie", async () => {
    const { ws, workflowPath, realBinary } = await setup();
    const elsewhere = await workspace();
    await symlink(elsewhere, join(ws, ".sortie"));
    expect(
      await thrown(writeMcpConfig(ws, { selfExecutable: realBinary, workflowPath, env })),
    ).toBeInstanceOf(SortieError);
    expect(await readdir(elsewhere)).toEqual([]);
  });

  test("buildMcpEnv passes SORTIE_* variables and overrides the per-issue ones", () => {
    const parentEnv = {
      PATH: "/bin",
      ANTHROPIC_API_KEY: "no",
      SORTIE_JIRA_API_KEY: "jira",
      SORTIE_ISSUE_ID: "stale",
      SORTIE_ATTEMPT: "9",
    };
    const base = {
      parentEnv,
      issueId: "42",
      issueIdentifier: "P-42",
      workspace: "/ws/P-42",
      dbPath: "/d/s.db",
    };
    expect(buildMcpEnv({ ...base, attempt: null })).toEqual({
      SORTIE_JIRA_API_KEY: "jira",
      SORTIE_ISSUE_ID: "42",
      SORTIE_ISSUE_IDENTIFIER: "P-42",
      SORTIE_WORKSPACE: "/ws/P-42",
      SORTIE_DB_PATH: "/d/s.db",
      SORTIE_SESSION_ID: "",
    });
    expect(buildMcpEnv({ ...base, attempt: 2 }).SORTIE_ATTEMPT).toBe("2");
  });
});

describe("self-review files", () => {
  test("reads a verdict, normalising its case and whitespace", async () => {
    const ws = await withSortieFile(
      "review_verdict.json",
      JSON.stringify({
        verdict: " PASS ",
        summary: "fine",
        issues: [{ file: "a.ts", line: 3, end_line: 4, severity: "minor", message: "nit", extra: 1 }],
      }),
    );
    expect(await readReviewVerdict(ws)).toEqual({
      ok: true,
      verdict: {
        verdict: "pass",
        summary: "fine",
        issues: [{ file: "a.ts", line: 3, endLine: 4, severity: "minor", message: "nit" }],
      },
    });
  });

  test.each([
    ["an unknown verdict", '{"verdict":"maybe"}', 'must be "pass" or "iterate"'],
    ["invalid JSON", "{", "not valid JSON"],
    ["badly typed issues", '{"verdict":"iterate","issues":"x"}', "malformed"],
    ["a JSON array", '[{"verdict":"pass"}]', "not valid JSON: expected a JSON object"],
    [
      "an oversized file",
      JSON.stringify({ verdict: "pass", pad: "x".repeat(70_000) }),
      "exceeds 65536 bytes",
    ],
  ])("reports %s as an error", async (_what, content, text) => {
    const ws = await withSortieFile("review_verdict.json", content);
    const read = await readReviewVerdict(ws);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.error).toContain(text);
  });

  test("refuses a symlinked verdict and deletes a real one", async () => {
    const ws = await workspace();
    await mkdir(join(ws, ".sortie"));
    await writeFile(join(ws, "v.json"), '{"verdict":"pass"}');
    await symlink(join(ws, "v.json"), join(ws, ".sortie", "review_verdict.json"));
    expect((await readReviewVerdict(ws)).ok).toBe(false);
    const real = await withSortieFile("review_verdict.json", '{"verdict":"pass"}');
    await deleteReviewVerdict(real);
    expect(await readReviewVerdict(real)).toEqual({ ok: false, error: "review verdict file not found" });
  });

  test("writes the summary only into a real .sortie and finds it afterwards", async () => {
    const ws = await workspace();
    expect(await writeReviewSummary(ws, "# Review\n")).toBeNull();
    expect(await findReviewSummary(ws)).toBeNull();
    await mkdir(join(ws, ".sortie"));
    const path = await writeReviewSummary(ws, "# Review\n");
    expect(path).toBe(join(ws, ".sortie", "review_summary.md"));
    expect(await mode(path!)).toBe(0o600);
    expect(await findReviewSummary(ws)).toBe(path);
  });
});
