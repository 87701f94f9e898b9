import { afterEach, expect, test } from "bun:test";
import { chmod, copyFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { FIXTURES, tempDir } from "./file-setup.ts";

const CHILD = join(import.meta.dir, "file-readonly-child.ts");
const dirs: string[] = [];

afterEach(async () => {
  for (const dir of dirs.splice(0)) {
    await chmod(dir, 0o755).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
});

/**
 * Runs the child with `dir` unwritable. Root ignores permission bits, so as root the directory is
 * bind-mounted read-only inside a private mount namespace (gone when the child exits); otherwise
 * the directory and file lose their write bits.
 */
async function runChildOnReadOnlyDir(dir: string): Promise<Record<string, unknown>> {
  const isRoot = process.getuid?.() === 0;
  let argv: string[];
  if (isRoot) {
    argv = [
      "unshare",
      "--mount",
      "--propagation",
      "private",
      "sh",
      "-c",
      'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$1" run "$2" "$0"',
      dir,
      process.execPath,
      CHILD,
    ];
  } else {
    await chmod(join(dir, "issues.json"), 0o444);
    await chmod(dir, 0o555);
    argv = [process.execPath, "run", CHILD, dir];
  }
  const child = Bun.spawn(argv, { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (exitCode !== 0) throw new Error(`child exited ${exitCode}: ${stderr}`);
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "");
}

test("an unwritable file keeps transitions and comments in memory with one warning", async () => {
  const dir = await tempDir();
  dirs.push(dir);
  const path = join(dir, "issues.json");
  await copyFile(join(FIXTURES, "basic.json"), path);

  const result = await runChildOnReadOnlyDir(dir);

  expect(result.probeWriteFailed).toBe(true);
  expect(result.fileUnchanged).toBe(true);
  expect(result.statesById).toEqual({ "10001": "Human Review", "10002": "To Do", "10003": "Done" });
  expect(result.statesByIdentifier).toEqual({ "PROJ-1": "Human Review", "PROJ-2": "To Do" });
  expect(result.candidates).toEqual(["PROJ-2"]);
  expect(result.byStates).toEqual(["PROJ-1"]);
  expect(result.comments10001).toEqual([
    { id: "c1", author: "bob", body: "Needs SSO support.", createdAt: "2026-03-01T10:00:00Z" },
    { id: "", author: "", body: "first", createdAt: "2026-03-05T08:30:15Z" },
  ]);
  expect(result.comments10003).toEqual([
    { id: "", author: "", body: "second", createdAt: "2026-03-05T08:30:15Z" },
  ]);
  const warnings = result.warnings as { message: string; properties: Record<string, unknown> }[];
  expect(warnings.length).toBe(1);
  expect(warnings[0]?.message).toBe("file tracker write-back failed, keeping change in memory");
  expect(warnings[0]?.properties.path).toBe(path);
  expect(String(warnings[0]?.properties.error)).toMatch(/EROFS|EACCES|read-only|permission denied/i);
});
