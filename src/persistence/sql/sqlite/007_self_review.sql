-- Migration 7: self-review metadata (JSON) per run

ALTER TABLE run_history ADD COLUMN review_metadata TEXT;
