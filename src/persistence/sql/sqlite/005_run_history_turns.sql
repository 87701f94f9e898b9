-- Migration 5: number of turns each run completed

ALTER TABLE run_history ADD COLUMN turns_completed INTEGER NOT NULL DEFAULT 0;
