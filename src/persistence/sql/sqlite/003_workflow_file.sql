-- Migration 3: the workflow file each run was dispatched from

ALTER TABLE run_history ADD COLUMN workflow_file TEXT;
