import { afterEach, describe, expect, test } from "bun:test";
import { mkdir, realpath, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { WorkspacePathError } from "../../../src/workspace/errors.ts";
import {
  checkRemovablePath,
  computeWorkspacePath,
  ensureWorkspace,
  listWorkspaceKeys,
  resolveWorkspaceRoot,
} from "../../../src/workspace/path.ts";
import { removeTempDirs, tempDir, thrown } from "./support.ts";

afterEach(removeTempDirs);

async function pathError(promise: Promise<unknown>): Promise<WorkspacePathError> {
  const err = await thrown(promise);
  expect(err).toBeInstanceOf(WorkspacePathError);
  return err as WorkspacePathError;
}

describe("computeWorkspacePath", () => {
  test("is the sanitised key directly under the realpath of the root", async () => {
    const base = await realpath(await tempDir());
    const root = join(base, "root");
    await mkdir(root);
    const link = join(base, "link");
    await symlink(root, link);
    expect(await computeWorkspacePath(link, "owner/repo#12")).toBe(join(root, "owner_repo_12"));
  });

  test("keeps traversal-looking identifiers inside the root", async () => {
    const root = await realpath(await tempDir());
    expect(await computeWorkspacePath(root, "../../etc")).toBe(join(root, ".._.._etc"));
  });

  test("uses the normalised absolute path when the root does not exist yet", async () => {
    const base = await realpath(await tempDir());
    expect(await computeWorkspacePath(`${base}/a/../missing/`, "X-1")).toBe(join(base, "missing", "X-1"));
  });

  test("resolves the existing part of a partly missing root through symlinks", async () => {
    const base = await realpath(await tempDir());
    await mkdir(join(base, "real"));
    await symlink(join(base, "real"), join(base, "link"));
    expect(await computeWorkspacePath(join(base, "link", "later"), "X-1")).toBe(
      join(base, "real", "later", "X-1"),
    );
  });

  test("rejects an empty root", async () => {
    const err = await pathError(computeWorkspacePath("", "X-1"));
    expect(err.op).toBe("resolve");
    expect(err.message).toBe('workspace resolve: root="" identifier="X-1": workspace root is empty');
  });

  test("rejects identifiers that cannot become a key, naming the root", async () => {
    const root = await tempDir();
    const err = await pathError(computeWorkspacePath(root, ".."));
    expect(err.op).toBe("sanitize");
    expect(err.root).toBe(root);
  });

  test("rejects a pre-existing symlink at the workspace path, even one pointing inside the root", async () => {
    const root = await realpath(await tempDir());
    await mkdir(join(root, "other"));
    await symlink(join(root, "other"), join(root, "X-1"));
    const err = await pathError(computeWorkspacePath(root, "X-1"));
    expect(err.op).toBe("containment");
    expect(err.message).toBe(
      `workspace containment: root=${JSON.stringify(root)} identifier="X-1": workspace path is a symlink`,
    );
    expect(err.toString()).toBe(`workspace: workspace_path_error: ${err.message}`);
  });

  test("rejects a symlink inside the root that points outside it", async () => {
    const root = await realpath(await tempDir());
    const outside = await tempDir();
    await symlink(outside, join(root, "ESCAPE-1"));
    const err = await pathError(computeWorkspacePath(root, "ESCAPE-1"));
    expect(err.op).toBe("containment");
  });
});

describe("ensureWorkspace", () => {
  test("creates the root and the workspace with mode 0750, then reuses it", async () => {
    const base = await realpath(await tempDir());
    const root = join(base, "deep", "root");
    const first = await ensureWorkspace(root, "PROJ-1");
    expect(first).toEqual({ path: join(root, "PROJ-1"), key: "PROJ-1", createdNow: true });
    expect((await stat(first.path)).mode & 0o777).toBe(0o750);
    expect((await stat(root)).mode & 0o777).toBe(0o750);
    const second = await ensureWorkspace(root, "PROJ-1");
    expect(second).toEqual({ path: first.path, key: "PROJ-1", createdNow: false });
  });

  test("reports a conflict when a file occupies the workspace path", async () => {
    const root = await realpath(await tempDir());
    await writeFile(join(root, "PROJ-1"), "not a dir");
    const err = await pathError(ensureWorkspace(root, "PROJ-1"));
    expect(err.op).toBe("conflict");
    expect(err.detail).toBe("path exists but is not a directory");
  });

  test("refuses to reuse a symlinked workspace", async () => {
    const root = await realpath(await tempDir());
    await symlink(await tempDir(), join(root, "PROJ-1"));
    expect((await pathError(ensureWorkspace(root, "PROJ-1"))).op).toBe("containment");
  });

  test("creates the shortened key for a very long identifier", async () => {
    const root = await realpath(await tempDir());
    const ws = await ensureWorkspace(root, "Z".repeat(300));
    expect(ws.createdNow).toBe(true);
    expect(ws.key.length).toBe(200);
    expect((await stat(ws.path)).isDirectory()).toBe(true);
  });
});

describe("listWorkspaceKeys", () => {
  test("lists only real directories, sorted", async () => {
    const root = await realpath(await tempDir());
    await mkdir(join(root, "B-2"));
    await mkdir(join(root, "A-1"));
    await writeFile(join(root, "file"), "");
    await symlink(join(root, "A-1"), join(root, "link"));
    expect(await listWorkspaceKeys(root)).toEqual(["A-1", "B-2"]);
  });

  test("returns nothing for a missing root", async () => {
    const base = await tempDir();
    expect(await listWorkspaceKeys(join(base, "missing"))).toEqual([]);
  });
});

describe("checkRemovablePath", () => {
  test("accepts a workspace directly under the root and reports a missing one as null", async () => {
    const root = await realpath(await tempDir());
    const ws = await ensureWorkspace(root, "PROJ-1");
    expect(await checkRemovablePath(root, ws.path)).toBe(ws.path);
    expect(await checkRemovablePath(root, join(root, "GONE-1"))).toBeNull();
  });

  test.each([
    ["/", "refusing to remove the filesystem root"],
    ["", "workspace path is empty"],
    ["relative/ws", "workspace path is not absolute"],
    ["/tmp/a/../b", "workspace path is not normalised"],
    ["/tmp/a/", "workspace path is not normalised"],
    ["/tmp//a", "workspace path is not normalised"],
  ])("refuses %p", async (path, detail) => {
    const root = await tempDir();
    const err = await pathError(checkRemovablePath(root, path));
    expect(err.op).toBe("resolve");
    expect(err.detail).toBe(detail);
  });

  test("refuses an existing directory outside the root", async () => {
    const root = await tempDir();
    const outside = await realpath(await tempDir());
    const err = await pathError(checkRemovablePath(root, outside));
    expect(err.op).toBe("containment");
    expect(err.detail).toBe("workspace path is not under root");
  });

  test("refuses the root itself and nested directories", async () => {
    const root = await realpath(await tempDir());
    await mkdir(join(root, "A", "B"), { recursive: true });
    expect((await pathError(checkRemovablePath(root, root))).op).toBe("containment");
    expect((await pathError(checkRemovablePath(root, join(root, "A", "B")))).op).toBe("containment");
  });

  test("refuses a symlink in the root that points outside", async () => {
    const root = await realpath(await tempDir());
    await symlink(await tempDir(), join(root, "ESCAPE-1"));
    const err = await pathError(checkRemovablePath(root, join(root, "ESCAPE-1")));
    expect(err.detail).toBe("workspace path is a symlink");
  });

  test("accepts a path reached through a symlinked root", async () => {
    const base = await realpath(await tempDir());
    await mkdir(join(base, "real", "PROJ-1"), { recursive: true });
    await symlink(join(base, "real"), join(base, "link"));
    const path = join(base, "link", "PROJ-1");
    expect(await checkRemovablePath(join(base, "real"), path)).toBe(path);
  });

  test("resolveWorkspaceRoot is stable before and after the root exists", async () => {
    const base = await realpath(await tempDir());
    const root = join(base, "r");
    const before = await resolveWorkspaceRoot(root);
    await mkdir(root);
    expect(await resolveWorkspaceRoot(root)).toBe(before);
  });
});
