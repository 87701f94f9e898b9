// Writes one file inside a workspace, refusing any path that could land outside it.
import { lstat, mkdir, realpath, rename, rm, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";

/**
 * Atomically writes `content` to `relPath` under `workspace` (temp file + rename). Rejects
 * absolute paths, `..` segments, and paths whose existing part resolves outside the workspace
 * through a symlink, before writing anything. An existing symlink at the target itself is
 * replaced by the rename, never written through.
 */
export async function writeWorkspaceFile(workspace: string, relPath: string, content: string): Promise<void> {
  if (relPath === "") throw new Error("empty path");
  if (isAbsolute(relPath)) throw new Error(`path ${relPath} is absolute`);
  if (relPath.split(/[\\/]/).includes("..")) throw new Error(`path ${relPath} contains ..`);

  const root = await realpath(workspace);
  const target = resolve(root, relPath);
  if (!inside(root, target)) throw new Error(`path ${relPath} is outside the workspace`);

  // The deepest part of the path that already exists must really live inside the workspace.
  let existing = target;
  for (;;) {
    try {
      await lstat(existing);
      break;
    } catch {
      existing = dirname(existing);
    }
  }
  const real = await realpath(existing);
  if (real !== root && !inside(root, real)) throw new Error(`path ${relPath} resolves outside the workspace`);

  await mkdir(dirname(target), { recursive: true });
  const temp = join(dirname(target), `.${crypto.randomUUID()}.tmp`);
  try {
    await writeFile(temp, content);
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" ? false : !rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel);
}
