-- Sync bookkeeping. High-water marks: the newest last_modified seen per entity list, plus the
-- ids seen at exactly that timestamp (equal timestamps happen: bulk imports), so the next
-- incremental read can stop at the mark without skipping or re-applying rows.
CREATE TABLE high_water_marks (
    entity        TEXT PRIMARY KEY,
    last_modified INTEGER NOT NULL,
    ids_at_mark   TEXT    NOT NULL DEFAULT '[]'  -- JSON array of ids
) WITHOUT ROWID;

-- Freshness of what the cache holds: per global entity (customer_id 0) and per
-- (customer, tab). stale_after is when a read should trigger a background refresh.
-- Times in microseconds since the epoch, UTC.
CREATE TABLE freshness (
    scope       TEXT    NOT NULL,   -- 'customers', 'dashboard', 'branding', or a tab name
    customer_id INTEGER NOT NULL,   -- 0 for global scopes
    fetched_at  INTEGER NOT NULL,
    stale_after INTEGER NOT NULL,
    PRIMARY KEY (scope, customer_id)
) WITHOUT ROWID;
