// Turns a failure to open or migrate the database into one clear error: what went wrong with
// which path, and a hint for the operator. The diagnosis only looks at the file system; it never
// changes anything, so a broken database is always left exactly as it was found.
import { accessSync, constants, statfsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type PersistenceErrorKind, SortieError } from "../domain/errors.ts";
import { isOnReadOnlyMount } from "../platform/mounts.ts";

/** A persistence failure that names the database path and carries an operator hint. */
export class PersistenceError extends SortieError {
  readonly dbPath: string;
  /** What the operator can do about it; logged as the `hint` field. */
  readonly hint: string | undefined;
  /** The SQLite result code behind the failure (`SQLITE_CANTOPEN`, …), when there was one. */
  readonly sqliteCode: string | undefined;

  constructor(
    kind: PersistenceErrorKind,
    message: string,
    details: { dbPath: string; hint?: string; sqliteCode?: string },
  ) {
    super("persistence", kind, message);
    this.name = "PersistenceError";
    this.dbPath = details.dbPath;
    this.hint = details.hint;
    this.sqliteCode = details.sqliteCode;
  }
}

/** The hint of the first PersistenceError in the cause chain, if any. */
export function persistenceHint(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; current instanceof Error && depth < 32; depth++) {
    if (current instanceof PersistenceError) return current.hint;
    current = current.cause;
  }
  return undefined;
}

/** The SQLite result code of a bun:sqlite error (`SQLITE_FULL`, …). */
export function sqliteCode(err: unknown): string | undefined {
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  return typeof code === "string" && code.startsWith("SQLITE_") ? code : undefined;
}

export interface Diagnosis {
  /** A more precise cause than SQLite's own message, when the file system shows one. */
  cause?: string;
  hint: string;
}

const DB_PATH_ADVICE = "set SORTIE_DB_PATH (or db_path in the workflow) to a file in a writable directory";

/**
 * Looks at the error and the file system around `path` to say why the database could not be used.
 * `readonly` is the mode the database was opened in (a missing file is then a problem of its own).
 */
export function diagnoseDatabaseFailure(path: string, err: unknown, readonly = false): Diagnosis {
  const code = sqliteCode(err) ?? "";
  if (path === ":memory:") return { hint: "the in-memory database failed; this is a bug" };
  const file = resolve(path);
  const dir = dirname(file);

  if (code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT")) {
    return {
      cause: `${file} is not a SQLite database or is corrupt`,
      hint:
        "the file was left untouched: restore it from a backup, or move it aside to start with an empty " +
        "database (retries, run history and totals stored in it are then not used), or point SORTIE_DB_PATH " +
        "at another file",
    };
  }
  if (code.startsWith("SQLITE_FULL") || diskIsFull(dir)) {
    return {
      cause: `no space left on the file system holding ${dir}`,
      hint: `free space on that volume, or move the database to a larger volume with SORTIE_DB_PATH; nothing in ${file} was changed by the failed write`,
    };
  }
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return {
      cause: `${file} is locked by another process`,
      hint: "make sure only one sortie process (one pod) uses this database file; deleting the -wal/-shm files is a last resort and only with no process running",
    };
  }

  const dirProblem = directoryProblem(dir, file, readonly);
  if (dirProblem) return dirProblem;
  const fileProblem = fileProblems(file, readonly);
  if (fileProblem) return fileProblem;

  return {
    hint: `check that ${file} is a SQLite database on a local file system that sortie can read and write (NFS and SMB are not supported)`,
  };
}

/**
 * Checks, before SQLite opens anything, that a writable database can work at `path`: SQLite
 * would otherwise fall back to a read-only connection on an unwritable file and fail only at the
 * first write, or fail with a bare "unable to open database file".
 */
export function writableOpenProblem(path: string): Diagnosis | undefined {
  if (path === ":memory:" || path === "" || path.startsWith("file:")) return undefined;
  const file = resolve(path);
  return directoryProblem(dirname(file), file, false) ?? fileProblems(file, false);
}

function directoryProblem(dir: string, file: string, readonly: boolean): Diagnosis | undefined {
  try {
    const st = statSync(dir);
    if (!st.isDirectory()) {
      return {
        cause: `${dir} is not a directory`,
        hint: `the database path must be inside a directory: ${DB_PATH_ADVICE}`,
      };
    }
  } catch (e) {
    const errno = errnoCode(e);
    if (errno === "ENOENT" || errno === "ENOTDIR") {
      return {
        cause: `directory ${dir} does not exist`,
        hint: `create it (in a container: mount the data volume there), or ${DB_PATH_ADVICE}`,
      };
    }
    if (errno === "EACCES")
      return permissionDenied(`permission denied: directory ${dir} cannot be searched`, dir);
    return undefined;
  }
  try {
    if (statSync(file).isDirectory()) {
      return {
        cause: `${file} is a directory, not a database file`,
        hint: `SORTIE_DB_PATH and db_path name the database file itself, e.g. ${file}/.sortie.db`,
      };
    }
  } catch (e) {
    if (errnoCode(e) === "ENOENT" && readonly) {
      return {
        cause: `${file} does not exist`,
        hint: "the database is created by `sortie` when it first runs; point SORTIE_DB_PATH or db_path at the database that instance uses",
      };
    }
  }
  if (readonly) return undefined;
  // SQLite creates the database and its -wal/-shm files next to each other, so the directory
  // itself must be writable, not only the file.
  const denied = accessProblem(dir, constants.W_OK | constants.X_OK);
  if (denied === "EROFS") return readOnlyFileSystem(dir);
  if (denied === "EACCES" || denied === "EPERM") {
    // access(2) reports EACCES before EROFS: a root-owned read-only mount is still read-only.
    if (isOnReadOnlyMount(dir)) return readOnlyFileSystem(dir);
    return permissionDenied(`permission denied: directory ${dir} is not writable ${describeOwner(dir)}`, dir);
  }
  return undefined;
}

function fileProblems(file: string, readonly: boolean): Diagnosis | undefined {
  const mode = readonly ? constants.R_OK : constants.R_OK | constants.W_OK;
  for (const candidate of [file, `${file}-wal`, `${file}-shm`]) {
    const denied = accessProblem(candidate, mode);
    if (denied === "EROFS" || (denied !== undefined && !readonly && isOnReadOnlyMount(file))) {
      return readOnlyFileSystem(dirname(file));
    }
    if (denied === "EACCES" || denied === "EPERM") {
      const what = readonly ? "readable" : "readable and writable";
      return permissionDenied(
        `permission denied: ${candidate} is not ${what} ${describeOwner(candidate)}`,
        dirname(file),
      );
    }
  }
  return undefined;
}

function readOnlyFileSystem(dir: string): Diagnosis {
  return {
    cause: `${dir} is on a read-only file system`,
    hint:
      "the default database sits next to WORKFLOW.md, which is read-only when mounted from a ConfigMap: " +
      "set SORTIE_DB_PATH to a file on a writable volume (e.g. /home/sortie/data/.sortie.db on the data PVC)",
  };
}

function permissionDenied(cause: string, dataDir: string): Diagnosis {
  return {
    cause,
    hint:
      `give the user sortie runs as (${currentUser()}) write access to ${dataDir}: in Kubernetes set the pod's ` +
      "securityContext.fsGroup (with fsGroupChangePolicy: OnRootMismatch) so the volume is group-writable, " +
      "or chown the data directory to that user; or set SORTIE_DB_PATH to a writable location",
  };
}

function currentUser(): string {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  return uid === undefined ? "this user" : `uid ${uid}, gid ${gid}`;
}

function describeOwner(path: string): string {
  try {
    const st = statSync(path);
    return `by ${currentUser()} (owner uid ${st.uid}, gid ${st.gid}, mode ${(st.mode & 0o777).toString(8).padStart(4, "0")})`;
  } catch {
    return `by ${currentUser()}`;
  }
}

function accessProblem(path: string, mode: number): string | undefined {
  try {
    accessSync(path, mode);
    return undefined;
  } catch (e) {
    const errno = errnoCode(e);
    return errno === "ENOENT" ? undefined : errno;
  }
}

function diskIsFull(dir: string): boolean {
  try {
    const fs = statfsSync(dir);
    return fs.bavail === 0;
  } catch {
    return false;
  }
}

function errnoCode(err: unknown): string | undefined {
  const code = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
  return typeof code === "string" ? code : undefined;
}
