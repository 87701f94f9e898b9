-- Migration 6: human-facing identifier shown in place of the tracker identifier

ALTER TABLE run_history ADD COLUMN display_identifier TEXT;
