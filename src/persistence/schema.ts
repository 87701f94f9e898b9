// The Kysely view of the SQLite schema (snake_case, as the columns are named). Internal to the
// persistence layer: everything outside it speaks the camelCase rows of rows.ts.
import type { Generated } from "kysely";

export interface SchemaMigrationsTable {
  version: number;
  applied_at: string;
}

export interface RetryEntriesTable {
  issue_id: string;
  identifier: string;
  attempt: number;
  due_at_ms: number;
  error: string | null;
  session_id: string | null;
}

export interface RunHistoryTable {
  id: Generated<number>;
  issue_id: string;
  identifier: string;
  attempt: number;
  agent_adapter: string;
  workspace: string;
  started_at: string;
  completed_at: string;
  status: string;
  error: string | null;
  workflow_file: string | null;
  turns_completed: Generated<number>;
  display_identifier: string | null;
  review_metadata: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
}

export interface SessionMetadataTable {
  issue_id: string;
  session_id: string;
  agent_pid: string | null;
  input_tokens: Generated<number>;
  output_tokens: Generated<number>;
  total_tokens: Generated<number>;
  cache_read_tokens: Generated<number>;
  model_name: Generated<string>;
  api_request_count: Generated<number>;
  updated_at: string;
}

export interface AggregateMetricsTable {
  key: string;
  input_tokens: Generated<number>;
  output_tokens: Generated<number>;
  total_tokens: Generated<number>;
  cache_read_tokens: Generated<number>;
  seconds_running: Generated<number>;
  updated_at: string;
}

export interface ReactionFingerprintsTable {
  issue_id: string;
  kind: string;
  fingerprint: string;
  dispatched: Generated<0 | 1>;
  updated_at: string;
}

export interface ActiveRunsTable {
  issue_id: string;
  identifier: string;
  display_identifier: string | null;
  attempt: number;
  session_id: string | null;
  agent_adapter: string;
  workspace: Generated<string>;
  workflow_file: string | null;
  pgid: number | null;
  started_at: string;
}

export interface Schema {
  schema_migrations: SchemaMigrationsTable;
  retry_entries: RetryEntriesTable;
  run_history: RunHistoryTable;
  session_metadata: SessionMetadataTable;
  aggregate_metrics: AggregateMetricsTable;
  reaction_fingerprints: ReactionFingerprintsTable;
  active_runs: ActiveRunsTable;
}
