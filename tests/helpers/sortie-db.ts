// Read-only looks into the database of a sortie process under test, each with a connection of its
// own that is closed before returning, so the process under test never waits on a test's lock.
import { Database } from "bun:sqlite";

export function query<T>(dbPath: string, sql: string): T[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.query(sql).all() as T[];
  } finally {
    db.close();
  }
}
