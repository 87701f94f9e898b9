import { afterEach, describe, expect, test } from "bun:test";
import { mkdir, readFile, realpath, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  cleanupTerminalWorkspaces,
  cleanupWorkspace,
  cleanupWorkspaceByPath,
} from "../../../src/workspace/cleanup.ts";
import { WorkspacePathError } from "../../../src/workspace/errors.ts";
import { ensureWorkspace } from "../../../src/workspace/path.ts";
import {
  captureLogs,
  findLog,
  hooksConfig,
  removeTempDirs,
  resetLogs,
  tempDir,
  thrown,
} from "../../unit/workspace/support.ts";

afterEach(async () => {
  await resetLogs();
  await removeTempDirs();
});

const parentEnv = { PATH: process.env.PATH };
const present = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

async function setup() {
  const base = await realpath(await tempDir());
  const root = join(base, "workspaces");
  return { base, root, log: join(base, "hooks.log") };
}

describe("cleanupWorkspace", () => {
  test("runs before_remove in the workspace, then removes it", async () => {
    const { root, log } = await setup();
    const ws = await ensureWorkspace(root, "PROJ-7");
    await writeFile(join(ws.path, "file"), "data");
    const hooks = hooksConfig({
      beforeRemove: `echo "$PWD|$SORTIE_ISSUE_ID|$SORTIE_ISSUE_IDENTIFIER|$SORTIE_ATTEMPT|$(cat file)" >> ${log}`,
    });
    const result = await cleanupWorkspace({ root, identifier: "PROJ-7", hooks, parentEnv });
    expect(result).toEqual({ path: ws.path, removed: true });
    expect(await present(ws.path)).toBe(false);
    expect(await readFile(log, "utf8")).toBe(`${ws.path}|PROJ-7|PROJ-7|0|data\n`);
  });

  test("treats a missing workspace as done without running the hook", async () => {
    const { root, log } = await setup();
    const hooks = hooksConfig({ beforeRemove: `echo ran >> ${log}` });
    expect((await cleanupWorkspace({ root, identifier: "GONE-1", hooks, parentEnv })).removed).toBe(false);
    expect(await present(log)).toBe(false);
  });

  test("still deletes when before_remove fails", async () => {
    const logs = await captureLogs();
    const { root } = await setup();
    const ws = await ensureWorkspace(root, "PROJ-8");
    const hooks = hooksConfig({ beforeRemove: "echo cannot archive; exit 9" });
    expect((await cleanupWorkspace({ root, identifier: "PROJ-8", hooks, parentEnv })).removed).toBe(true);
    expect(await present(ws.path)).toBe(false);
    const warn = findLog(logs, "before_remove hook failed");
    expect(warn?.props.output).toBe("cannot archive\n");
  });

  test("refuses a symlinked workspace and leaves its target untouched", async () => {
    const { root, base } = await setup();
    await mkdir(root, { recursive: true });
    const outside = join(base, "outside");
    await mkdir(outside);
    await writeFile(join(outside, "keep"), "precious");
    await symlink(outside, join(root, "EVIL-1"));
    const err = await thrown(
      cleanupWorkspace({ root, identifier: "EVIL-1", hooks: hooksConfig(), parentEnv }),
    );
    expect((err as WorkspacePathError).op).toBe("containment");
    expect(await readFile(join(outside, "keep"), "utf8")).toBe("precious");
  });
});

describe("cleanupWorkspaceByPath", () => {
  test("removes a reported workspace with the real issue id and attempt in the hook env", async () => {
    const { root, log } = await setup();
    const ws = await ensureWorkspace(root, "PROJ-9");
    const hooks = hooksConfig({ beforeRemove: `echo "$SORTIE_ISSUE_ID|$SORTIE_ATTEMPT" >> ${log}` });
    const result = await cleanupWorkspaceByPath({
      root,
      path: ws.path,
      issue: { id: "555", identifier: "PROJ-9" },
      attempt: 4,
      hooks,
      parentEnv,
    });
    expect(result.removed).toBe(true);
    expect(await present(ws.path)).toBe(false);
    expect(await readFile(log, "utf8")).toBe("555|4\n");
  });

  test.each(["/", "relative/PROJ-1", "/tmp/../tmp/x"])("refuses %p", async (path) => {
    const { root } = await setup();
    const err = await thrown(
      cleanupWorkspaceByPath({
        root,
        path,
        issue: { id: "1", identifier: "P-1" },
        attempt: null,
        hooks: hooksConfig(),
        parentEnv,
      }),
    );
    expect(err).toBeInstanceOf(WorkspacePathError);
    expect((err as WorkspacePathError).op).toBe("resolve");
  });

  test("never deletes a directory outside the workspace root", async () => {
    const { root, base, log } = await setup();
    await mkdir(root, { recursive: true });
    const outside = join(base, "not-a-workspace");
    await mkdir(outside);
    const err = await thrown(
      cleanupWorkspaceByPath({
        root,
        path: outside,
        issue: { id: "1", identifier: "P-1" },
        attempt: 0,
        hooks: hooksConfig({ beforeRemove: `echo ran >> ${log}` }),
        parentEnv,
      }),
    );
    expect((err as WorkspacePathError).op).toBe("containment");
    expect(await present(outside)).toBe(true);
    expect(await present(log)).toBe(false);
  });
});

describe("cleanupTerminalWorkspaces", () => {
  test("cleans each workspace independently and logs each outcome", async () => {
    const logs = await captureLogs();
    const { root } = await setup();
    await ensureWorkspace(root, "DONE-1");
    await ensureWorkspace(root, "DONE-2");
    await mkdir(root, { recursive: true });
    await writeFile(join(root, "FILE-3"), "not a directory");
    const result = await cleanupTerminalWorkspaces({
      root,
      identifiers: ["DONE-1", "..", "FILE-3", "MISSING-4", "DONE-2"],
      hooks: hooksConfig(),
      parentEnv,
    });
    expect(result.cleaned).toEqual(["DONE-1", "DONE-2"]);
    expect(result.failed.map((f) => f.identifier)).toEqual(["..", "FILE-3"]);
    expect(await present(join(root, "DONE-1"))).toBe(false);
    expect(await present(join(root, "DONE-2"))).toBe(false);
    expect(await present(join(root, "FILE-3"))).toBe(true);
    const cleaned = logs.filter((r) => r.message === "workspace cleaned").map((r) => r.props.identifier);
    expect(cleaned).toEqual(["DONE-1", "DONE-2"]);
    const failed = logs.filter((r) => r.message === "workspace cleanup failed");
    expect(failed.map((r) => r.props.identifier)).toEqual(["..", "FILE-3"]);
    expect(failed.every((r) => r.level === "warning")).toBe(true);
  });

  test("uses the tracker id for the hook when it is known", async () => {
    const { root, log } = await setup();
    await ensureWorkspace(root, "DONE-5");
    await cleanupTerminalWorkspaces({
      root,
      identifiers: ["DONE-5"],
      issueIds: { "DONE-5": "9005" },
      hooks: hooksConfig({ beforeRemove: `echo "$SORTIE_ISSUE_ID" >> ${log}` }),
      parentEnv,
    });
    expect(await readFile(log, "utf8")).toBe("9005\n");
  });
});
