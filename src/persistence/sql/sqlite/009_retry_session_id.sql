-- Migration 9: agent session id kept with a retry, so the retry resumes it

ALTER TABLE retry_entries ADD COLUMN session_id TEXT;
