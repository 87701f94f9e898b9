// The schema migrations, in order. Versions 1–9 are the Go original's (same DDL, same
// descriptions), so either binary opens a database the other created up to version 9; version 10
// is this port's own. The SQL text is embedded in the compiled binary.
import sql001 from "./sql/sqlite/001_initial.sql" with { type: "text" };
import sql002 from "./sql/sqlite/002_extended_token_metrics.sql" with { type: "text" };
import sql003 from "./sql/sqlite/003_workflow_file.sql" with { type: "text" };
import sql004 from "./sql/sqlite/004_run_history_issue_id_index.sql" with { type: "text" };
import sql005 from "./sql/sqlite/005_run_history_turns.sql" with { type: "text" };
import sql006 from "./sql/sqlite/006_display_identifier.sql" with { type: "text" };
import sql007 from "./sql/sqlite/007_self_review.sql" with { type: "text" };
import sql008 from "./sql/sqlite/008_reaction_fingerprints.sql" with { type: "text" };
import sql009 from "./sql/sqlite/009_retry_session_id.sql" with { type: "text" };
import sql010 from "./sql/sqlite/010_active_runs_and_run_tokens.sql" with { type: "text" };

export interface Migration {
  readonly version: number;
  readonly description: string;
  /** One or more statements separated by `;`. */
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: "core persistence tables", sql: sql001 },
  { version: 2, description: "extended token metrics", sql: sql002 },
  { version: 3, description: "workflow file in run history", sql: sql003 },
  { version: 4, description: "run_history issue_id index", sql: sql004 },
  { version: 5, description: "turns completed in run history", sql: sql005 },
  { version: 6, description: "display identifier in run history", sql: sql006 },
  { version: 7, description: "self-review metadata in run history", sql: sql007 },
  { version: 8, description: "reaction fingerprints for cross-restart dedup", sql: sql008 },
  { version: 9, description: "session ID in retry entries for cross-retry resume", sql: sql009 },
  { version: 10, description: "active runs and per-run token usage", sql: sql010 },
];

/** The newest schema version this binary knows. */
export const LATEST_SCHEMA_VERSION = 10;
