-- The dashboard as the server computed it, per date range, as JSON.
CREATE TABLE dashboard (
    range_key  TEXT PRIMARY KEY,   -- e.g. "2026-11-01..2026-12-01"
    payload    TEXT NOT NULL CHECK (json_valid(payload)),
    fetched_at INTEGER NOT NULL
) WITHOUT ROWID;
