// Where a workspace lives and how it comes into being: the realpath'd root, one flat child per
// issue key, containment checked with `relative` (never a string prefix), atomic creation.
import { lstat, mkdir, readdir, realpath } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, normalize, relative, resolve, sep } from "node:path";
import { errorMessage } from "../domain/errors.ts";
import { WorkspacePathError } from "./errors.ts";
import { keyProblem, sanitizeKey } from "./key.ts";

const DIR_MODE = 0o750;

export interface EnsuredWorkspace {
  /** Absolute path under the realpath'd root. */
  path: string;
  key: string;
  /** True when this call created the directory (after_create runs only then). */
  createdNow: boolean;
}

function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * The canonical absolute root: symlinks resolved. When the root (or part of it) does not exist
 * yet, the deepest existing ancestor is resolved and the rest appended, so the same directory
 * always yields the same path before and after it is created.
 */
export async function resolveWorkspaceRoot(root: string): Promise<string> {
  let current = resolve(root);
  const missing: string[] = [];
  for (;;) {
    try {
      const real = await realpath(current);
      return missing.length === 0 ? real : join(real, ...missing.reverse());
    } catch (err) {
      const code = errnoCode(err);
      const parent = dirname(current);
      if (code !== "ENOENT" || parent === current) throw err;
      missing.push(basename(current));
      current = parent;
    }
  }
}

async function rootFor(root: string, identifier: string): Promise<string> {
  if (root.trim() === "")
    throw new WorkspacePathError("resolve", root, identifier, "workspace root is empty");
  try {
    return await resolveWorkspaceRoot(root);
  } catch (err) {
    throw new WorkspacePathError("resolve", root, identifier, errorMessage(err), err);
  }
}

function isSingleSegment(rel: string): boolean {
  return rel !== "" && rel !== "." && rel !== ".." && !rel.startsWith(`..${sep}`) && !rel.includes(sep);
}

/**
 * `<realpath(root)>/<sanitizeKey(identifier)>`, refusing anything that is not exactly one level
 * below the root and an existing symlink at that place.
 */
export async function computeWorkspacePath(root: string, identifier: string): Promise<string> {
  const realRoot = await rootFor(root, identifier);
  const problem = keyProblem(identifier);
  if (problem !== null) throw new WorkspacePathError("sanitize", root, identifier, problem);
  const path = join(realRoot, sanitizeKey(identifier));
  if (!isSingleSegment(relative(realRoot, path))) {
    throw new WorkspacePathError("containment", root, identifier, "workspace path is not under root");
  }
  try {
    const info = await lstat(path);
    if (info.isSymbolicLink()) {
      throw new WorkspacePathError("containment", root, identifier, "workspace path is a symlink");
    }
  } catch (err) {
    if (err instanceof WorkspacePathError) throw err;
    if (errnoCode(err) !== "ENOENT")
      throw new WorkspacePathError("stat", root, identifier, errorMessage(err), err);
  }
  return path;
}

/** Creates the workspace if needed (root `mkdir -p`, then an atomic `mkdir`), or reuses it. */
export async function ensureWorkspace(root: string, identifier: string): Promise<EnsuredWorkspace> {
  const path = await computeWorkspacePath(root, identifier);
  const key = basename(path);
  try {
    await mkdir(dirname(path), { recursive: true, mode: DIR_MODE });
  } catch (err) {
    throw new WorkspacePathError("create", root, identifier, errorMessage(err), err);
  }
  try {
    await mkdir(path, { mode: DIR_MODE });
    return { path, key, createdNow: true };
  } catch (err) {
    if (errnoCode(err) !== "EEXIST")
      throw new WorkspacePathError("create", root, identifier, errorMessage(err), err);
  }
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = await lstat(path);
  } catch (err) {
    throw new WorkspacePathError("stat", root, identifier, errorMessage(err), err);
  }
  if (info.isSymbolicLink()) {
    throw new WorkspacePathError("containment", root, identifier, "workspace path is a symlink");
  }
  if (!info.isDirectory()) {
    throw new WorkspacePathError("conflict", root, identifier, "path exists but is not a directory");
  }
  return { path, key, createdNow: false };
}

/** Names of the root's direct children that are real directories, sorted; a missing root has none. */
export async function listWorkspaceKeys(root: string): Promise<string[]> {
  let realRoot: string;
  let names: string[];
  try {
    realRoot = await resolveWorkspaceRoot(root);
    names = await readdir(realRoot);
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return [];
    throw new WorkspacePathError("stat", root, "", errorMessage(err), err);
  }
  const keys: string[] = [];
  for (const name of names) {
    try {
      // lstat rather than the dirent type: symlinks are skipped and unknown dirent types resolved.
      if ((await lstat(join(realRoot, name))).isDirectory()) keys.push(name);
    } catch {
      // Vanished between readdir and lstat: not a workspace any more.
    }
  }
  return keys.sort();
}

/**
 * Validates a workspace path handed back for deletion (from a finished worker) and returns the
 * path when something is there to delete, or null when it is already gone. The path must be
 * absolute, normalised, not `/`, a directory, not a symlink, and a direct child of the
 * realpath'd workspace root: deletion never reaches outside the root.
 */
export async function checkRemovablePath(root: string, path: string): Promise<string | null> {
  const fail = (op: "resolve" | "containment" | "conflict" | "stat", detail: string, cause?: unknown) =>
    new WorkspacePathError(op, root, path, detail, cause);
  if (path === "") throw fail("resolve", "workspace path is empty");
  if (!isAbsolute(path)) throw fail("resolve", "workspace path is not absolute");
  if (normalize(path) !== path || (path.length > 1 && path.endsWith(sep))) {
    throw fail("resolve", "workspace path is not normalised");
  }
  if (path === sep || dirname(path) === path) throw fail("resolve", "refusing to remove the filesystem root");
  const name = basename(path);
  if (name === "." || name === "..") throw fail("resolve", "workspace path is not normalised");

  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = await lstat(path);
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return null;
    throw fail("stat", errorMessage(err), err);
  }
  let realRoot: string;
  let realParent: string;
  try {
    realRoot = await rootFor(root, path);
    realParent = await realpath(dirname(path));
  } catch (err) {
    if (err instanceof WorkspacePathError) throw err;
    throw fail("stat", errorMessage(err), err);
  }
  if (realParent !== realRoot) throw fail("containment", "workspace path is not under root");
  if (info.isSymbolicLink()) throw fail("containment", "workspace path is a symlink");
  if (!info.isDirectory()) throw fail("conflict", "path exists but is not a directory");
  return path;
}
