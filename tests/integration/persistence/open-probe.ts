// Child process for the open-failure tests that need another user or mount namespace: opens the
// store at argv[2] and prints one JSON line describing the outcome. With `--inspect-after` it also
// reports the versions and integrity of the database left behind (which opens it once more).
import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { openStore, PersistenceError } from "../../../src/persistence/index.ts";

const path = process.argv[2];
const inspectAfter = process.argv[3] === "--inspect-after";
if (!path) throw new Error("usage: open-probe.ts <db>");

/** What the database looks like after the failed open: it must be intact and unmigrated. */
function afterState(): unknown {
  if (!existsSync(path as string)) return null;
  try {
    const db = new Database(path, { readonly: true });
    try {
      const versions = db
        .query<{ version: number }, []>("SELECT version FROM schema_migrations ORDER BY version")
        .all();
      const integrity = db.query<{ integrity_check: string }, []>("PRAGMA integrity_check").get();
      return { versions: versions.map((v) => v.version), integrity: integrity?.integrity_check };
    } finally {
      db.close();
    }
  } catch (e) {
    return { unreadable: String(e) };
  }
}

try {
  const store = await openStore(path);
  await store.close();
  console.log(JSON.stringify({ ok: true }));
} catch (err) {
  if (!(err instanceof PersistenceError)) throw err;
  console.log(
    JSON.stringify({
      ok: false,
      kind: err.kind,
      message: err.message,
      hint: err.hint,
      after: inspectAfter ? afterState() : undefined,
    }),
  );
}
