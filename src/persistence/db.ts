// Opens the one SQLite connection the store uses and puts Kysely on top of it. A writable
// connection gets WAL journaling (SQLite replays a leftover -wal file here, on open),
// synchronous=NORMAL and a short busy timeout; a read-only one is used exactly as found.
import { Database, type SQLQueryBindings, type Statement } from "bun:sqlite";
import { Kysely } from "kysely";
import { BunSqliteDialect } from "kysely-bun-sqlite";
import { diagnoseDatabaseFailure, PersistenceError, sqliteCode, writableOpenProblem } from "./open-errors.ts";
import type { Schema } from "./schema.ts";

/** Only external readers ever wait on it: this process is the single writer. */
export const BUSY_TIMEOUT_MS = 5000;

export interface SqliteConnection {
  readonly path: string;
  readonly readonly: boolean;
  /** The bun:sqlite handle, for the few statements that are not queries (pragmas). */
  readonly raw: Database;
  readonly db: Kysely<Schema>;
}

export function openConnection(path: string, options: { readonly?: boolean } = {}): SqliteConnection {
  const readonly = options.readonly === true;
  if (!readonly) {
    const problem = writableOpenProblem(path);
    if (problem?.cause !== undefined) {
      throw new PersistenceError("database_open_error", `open database ${path}: ${problem.cause}`, {
        dbPath: path,
        hint: problem.hint,
      });
    }
  }
  let raw: Database;
  try {
    raw = readonly
      ? new StatementCachingDatabase(path, { readonly: true })
      : new StatementCachingDatabase(path, { create: true });
  } catch (err) {
    throw openError(path, err, readonly);
  }
  try {
    if (!readonly) applyPragmas(raw, path);
    // Reading the schema makes a corrupt or foreign file fail here, as an open error, rather
    // than somewhere in the first migration or query.
    raw.query("SELECT COUNT(*) FROM sqlite_master").get();
  } catch (err) {
    raw.close(true);
    throw err instanceof PersistenceError ? err : openError(path, err, readonly);
  }
  const db = new Kysely<Schema>({ dialect: new BunSqliteDialect({ database: raw }) });
  return { path, readonly, raw, db };
}

/**
 * kysely-bun-sqlite calls `prepare()` for every query: SQLite parses the SQL again each time and
 * the statement lingers until garbage collection, which also keeps `close()` from really closing.
 * Routing it to bun's statement cache (`query()`) reuses prepared statements (Kysely binds every
 * value as a parameter, so the SQL text repeats) and lets `close(true)` finalize all of them.
 */
class StatementCachingDatabase extends Database {
  override prepare<ReturnType, ParamsType extends SQLQueryBindings | SQLQueryBindings[]>(
    sql: string,
    params?: ParamsType,
    // biome-ignore lint/suspicious/noExplicitAny: must match the signature bun-types declares
  ): Statement<ReturnType, ParamsType extends any[] ? ParamsType : [ParamsType]> {
    return params === undefined
      ? this.query<ReturnType, ParamsType>(sql)
      : super.prepare<ReturnType, ParamsType>(sql, params);
  }
}

function applyPragmas(raw: Database, path: string): void {
  raw.run(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  const row = raw.query<{ journal_mode: string }, []>("PRAGMA journal_mode=WAL").get();
  const mode = String(row?.journal_mode ?? "").toLowerCase();
  if (mode !== "wal" && mode !== "memory") {
    throw new PersistenceError(
      "database_open_error",
      `open database ${path}: expected journal_mode wal or memory, got "${mode}"`,
      {
        dbPath: path,
        hint: "WAL needs a local file system with shared-memory support (NFS and SMB are not supported); put the database on a local or block volume",
      },
    );
  }
  raw.run("PRAGMA synchronous=NORMAL");
}

export function openError(path: string, err: unknown, readonly: boolean): PersistenceError {
  const diagnosis = diagnoseDatabaseFailure(path, err, readonly);
  const sqliteMessage = err instanceof Error ? err.message : String(err);
  const cause = diagnosis.cause === undefined ? sqliteMessage : `${diagnosis.cause} (${sqliteMessage})`;
  return new PersistenceError("database_open_error", `open database ${path}: ${cause}`, {
    dbPath: path,
    hint: diagnosis.hint,
    sqliteCode: sqliteCode(err),
  });
}

/**
 * Closes the connection for real: finalizes every statement so SQLite closes at once, which
 * checkpoints the WAL and removes the -wal and -shm files (a lazy close would leave them until
 * garbage collection).
 */
export async function closeConnection(conn: SqliteConnection): Promise<void> {
  try {
    conn.raw.close(true);
  } finally {
    await conn.db.destroy();
  }
}
