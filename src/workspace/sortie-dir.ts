// Safe access to the workspace's `.sortie/` directory, which agents and hooks can write: every read
// lstats `.sortie` and the file, refuses symlinks and non-regular files and is size-capped; every
// write is atomic (temp file + rename, mode 0600). Files are opened O_NOFOLLOW as a second guard.
import { constants } from "node:fs";
import { lstat, mkdir, open, rename, rm, unlink } from "node:fs/promises";
import { join } from "node:path";
import { errorMessage, SortieError } from "../domain/errors.ts";
import { isJsonObject } from "../domain/json.ts";

export const SORTIE_DIR = ".sortie";
const DIR_MODE = 0o750;
const FILE_MODE = 0o600;

export type SortieFileName =
  | "status"
  | ".gitignore"
  | "mcp.json"
  | "state.json"
  | "scm.json"
  | "review_verdict.json"
  | "review_summary.md";

export function sortieDirPath(workspace: string): string {
  return join(workspace, SORTIE_DIR);
}

export function sortieFilePath(workspace: string, name: SortieFileName): string {
  return join(workspace, SORTIE_DIR, name);
}

function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** What is at `.sortie`: a real directory, nothing, or something a reader must not follow. */
export type SortieDirState = "directory" | "absent" | "symlink" | "not-directory";

export async function sortieDirState(workspace: string): Promise<SortieDirState> {
  try {
    const info = await lstat(sortieDirPath(workspace));
    if (info.isSymbolicLink()) return "symlink";
    return info.isDirectory() ? "directory" : "not-directory";
  } catch (err) {
    if (errnoCode(err) === "ENOENT" || errnoCode(err) === "ENOTDIR") return "absent";
    throw err;
  }
}

export type CappedRead =
  | { kind: "ok"; bytes: Uint8Array }
  | { kind: "absent" }
  | { kind: "oversized" }
  /** A symlink, a non-regular file, or a stat/open/read error; `reason` says which. */
  | { kind: "refused"; reason: string; symlink: boolean };

/**
 * Reads `.sortie/<name>` when it is a regular file in a real `.sortie` directory, at most
 * `maxBytes` bytes. `truncate` keeps the first `maxBytes` bytes of a longer file instead of
 * reporting it as oversized. Never throws.
 */
export async function readSortieFile(
  workspace: string,
  name: SortieFileName,
  maxBytes: number,
  truncate = false,
): Promise<CappedRead> {
  try {
    const dir = await sortieDirState(workspace);
    if (dir === "absent") return { kind: "absent" };
    if (dir === "symlink") return { kind: "refused", reason: ".sortie is a symlink", symlink: true };
    if (dir === "not-directory") return { kind: "absent" };
  } catch (err) {
    return { kind: "refused", reason: `stat .sortie: ${errorMessage(err)}`, symlink: false };
  }
  const path = sortieFilePath(workspace, name);
  try {
    const info = await lstat(path);
    if (info.isSymbolicLink())
      return { kind: "refused", reason: `.sortie/${name} is a symlink`, symlink: true };
    if (!info.isFile())
      return { kind: "refused", reason: `.sortie/${name} is not a regular file`, symlink: false };
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return { kind: "absent" };
    return { kind: "refused", reason: `stat .sortie/${name}: ${errorMessage(err)}`, symlink: false };
  }
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    // O_NONBLOCK: a FIFO swapped in after the lstat must not hang the open.
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const info = await handle.stat();
    if (!info.isFile())
      return { kind: "refused", reason: `.sortie/${name} is not a regular file`, symlink: false };
    const buf = new Uint8Array(maxBytes + 1);
    let filled = 0;
    while (filled < buf.length) {
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > maxBytes) {
      return truncate ? { kind: "ok", bytes: buf.subarray(0, maxBytes) } : { kind: "oversized" };
    }
    return { kind: "ok", bytes: buf.subarray(0, filled) };
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return { kind: "absent" };
    const symlink = errnoCode(err) === "ELOOP";
    return {
      kind: "refused",
      reason: symlink ? `.sortie/${name} is a symlink` : `read .sortie/${name}: ${errorMessage(err)}`,
      symlink,
    };
  } finally {
    await handle?.close().catch(() => {});
  }
}

function fileError(message: string, cause?: unknown): SortieError {
  return new SortieError(
    "workspace",
    "workspace_path_error",
    message,
    cause === undefined ? undefined : { cause },
  );
}

/** Creates `.sortie` (0750) when missing; throws when it is a symlink or not a directory. */
export async function ensureSortieDir(workspace: string): Promise<string> {
  const dir = sortieDirPath(workspace);
  try {
    await mkdir(dir, { mode: DIR_MODE });
  } catch (err) {
    if (errnoCode(err) !== "EEXIST") throw fileError(`create ${SORTIE_DIR}: ${errorMessage(err)}`, err);
  }
  await requireSortieDir(workspace);
  return dir;
}

/** Throws unless `.sortie` is a real directory (not a symlink, not missing). */
export async function requireSortieDir(workspace: string): Promise<void> {
  let state: SortieDirState;
  try {
    state = await sortieDirState(workspace);
  } catch (err) {
    throw fileError(`stat ${SORTIE_DIR}: ${errorMessage(err)}`, err);
  }
  if (state === "symlink") throw fileError(`${SORTIE_DIR} is a symlink; refusing to write`);
  if (state !== "directory") throw fileError(`${SORTIE_DIR} is not a directory; refusing to write`);
}

/**
 * Writes `.sortie/<name>` atomically with mode 0600: a fresh `<name>.tmp` (O_EXCL, no symlink
 * follow), then rename over the target. `.sortie` must already be a real directory.
 */
export async function writeSortieFile(
  workspace: string,
  name: SortieFileName,
  data: string,
): Promise<string> {
  await requireSortieDir(workspace);
  const target = sortieFilePath(workspace, name);
  const tmp = `${target}.tmp`;
  try {
    await rm(tmp, { force: true });
    const handle = await open(
      tmp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      FILE_MODE,
    );
    try {
      await handle.writeFile(data);
      await handle.chmod(FILE_MODE);
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
    return target;
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw fileError(`write ${SORTIE_DIR}/${name}: ${errorMessage(err)}`, err);
  }
}

/**
 * Removes `.sortie/<name>` when `.sortie` is a real directory and the file is not a symlink.
 * Returns what happened; never throws.
 */
export async function removeSortieFile(
  workspace: string,
  name: SortieFileName,
): Promise<{ kind: "removed" | "absent" } | { kind: "refused" | "failed"; reason: string }> {
  try {
    const dir = await sortieDirState(workspace);
    if (dir === "absent" || dir === "not-directory") return { kind: "absent" };
    if (dir === "symlink") return { kind: "refused", reason: ".sortie is a symlink" };
  } catch (err) {
    return { kind: "failed", reason: `stat .sortie: ${errorMessage(err)}` };
  }
  const path = sortieFilePath(workspace, name);
  try {
    const info = await lstat(path);
    if (info.isSymbolicLink()) return { kind: "refused", reason: `.sortie/${name} is a symlink` };
    await unlink(path);
    return { kind: "removed" };
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return { kind: "absent" };
    return { kind: "failed", reason: errorMessage(err) };
  }
}

/** Decodes UTF-8 JSON that must be an object (arrays and scalars are rejected); never throws. */
export function parseJsonObject(
  bytes: Uint8Array,
): { ok: true; value: object } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    return { ok: false, error: errorMessage(err) };
  }
  if (!isJsonObject(value)) return { ok: false, error: "expected a JSON object" };
  return { ok: true, value };
}

/** `.sortie/.gitignore` = `*`: keeps the MCP config (which holds credentials) out of commits. */
export async function writeGitignore(workspace: string): Promise<string> {
  await ensureSortieDir(workspace);
  return writeSortieFile(workspace, ".gitignore", "*\n");
}
