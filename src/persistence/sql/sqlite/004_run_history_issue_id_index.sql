-- Migration 4: index for per-issue run history lookups (retry budget, history tool)

CREATE INDEX idx_run_history_issue_id ON run_history(issue_id);
