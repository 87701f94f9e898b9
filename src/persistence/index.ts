// Public surface of the persistence layer. Nothing outside src/persistence imports Kysely or
// writes SQL: the rest of the program depends on the Store interface and these row types.
export { LATEST_SCHEMA_VERSION } from "./migrations.ts";
export { PersistenceError, persistenceHint } from "./open-errors.ts";
export { INTERRUPTED_RUN_ERROR } from "./queries/interrupted-runs.ts";
export * from "./rows.ts";
export { type OpenStoreOptions, openStore, SqliteStore } from "./sqlite-store.ts";
export type { Store } from "./store.ts";
