-- Migration 10 (TypeScript port only, the Go binary refuses a database past 9):
-- one row per running worker, written at dispatch and removed in the exit
-- transaction, so runs cut off by a crash are found and retried at start-up.
-- Plus the token counters of each run (NULL = unknown, e.g. older rows or an
-- agent that reports no token counts).

CREATE TABLE active_runs (
    issue_id           TEXT    PRIMARY KEY,
    identifier         TEXT    NOT NULL,
    display_identifier TEXT,
    attempt            INTEGER NOT NULL,
    session_id         TEXT,
    agent_adapter      TEXT    NOT NULL,
    workspace          TEXT    NOT NULL DEFAULT '',
    workflow_file      TEXT,
    pgid               INTEGER,
    started_at         TEXT    NOT NULL
);

ALTER TABLE run_history ADD COLUMN input_tokens INTEGER;
ALTER TABLE run_history ADD COLUMN output_tokens INTEGER;
ALTER TABLE run_history ADD COLUMN cache_read_tokens INTEGER;
ALTER TABLE run_history ADD COLUMN cache_write_tokens INTEGER;
