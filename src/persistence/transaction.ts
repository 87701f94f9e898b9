// Runs a unit of work in one SQLite transaction. Every statement on bun:sqlite completes
// synchronously, so as long as `work` awaits only store queries the whole transaction runs
// without yielding to timers or I/O: it can never be held open across unrelated work.
import type { Kysely, Transaction } from "kysely";
import type { Schema } from "./schema.ts";

export async function inTransaction<T>(
  db: Kysely<Schema>,
  work: (trx: Transaction<Schema>) => Promise<T>,
): Promise<T> {
  const trx = await db.startTransaction().execute();
  try {
    const result = await work(trx);
    await trx.commit().execute();
    return result;
  } catch (err) {
    // SQLite may already have rolled back (e.g. on SQLITE_FULL); the original error is what matters,
    // and the rollback releases the connection either way.
    await trx
      .rollback()
      .execute()
      .catch(() => undefined);
    throw err;
  }
}
