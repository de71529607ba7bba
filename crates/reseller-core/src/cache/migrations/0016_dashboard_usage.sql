-- Per-customer usage for a dashboard date range, fetched one customer at a time when the
-- server has no dashboard endpoint (G8): the computed dashboard is built from these rows.
-- `units_used` is in seconds (converted from the server's `unit` when it was stored).
-- Session counts are NULL when the server has no usage summary (G4) either.
CREATE TABLE dashboard_usage (
    range_key         TEXT    NOT NULL,   -- "2026-11-01..2026-12-01" (end exclusive)
    customer_id       INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE ON UPDATE CASCADE,
    seconds_used      INTEGER NOT NULL,
    sessions          INTEGER,
    finished_sessions INTEGER,
    error_sessions    INTEGER,
    total_users       INTEGER,
    active_users      INTEGER,
    fetched_at        INTEGER NOT NULL,
    PRIMARY KEY (range_key, customer_id)
) WITHOUT ROWID;
