-- Migration 8: reaction fingerprints, so CI and review reactions are not
-- dispatched twice for the same input across a restart. dispatched is 1 once
-- a fix was dispatched for the stored fingerprint and goes back to 0 when the
-- fingerprint changes.

CREATE TABLE reaction_fingerprints (
    issue_id    TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    dispatched  INTEGER NOT NULL DEFAULT 0,
    updated_at  TEXT    NOT NULL,
    PRIMARY KEY (issue_id, kind)
);
