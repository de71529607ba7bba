-- Usage rows and summaries, keyed by customer and the query that produced them (a canonical
-- string such as "view=month&split_by=language&date_from=2026-01-01&date_to=2026-02-01").
CREATE TABLE usage_rows (
    customer_id       INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE ON UPDATE CASCADE,
    query_key          TEXT    NOT NULL,
    seq                INTEGER NOT NULL,   -- server order
    units_used         INTEGER NOT NULL,
    usage_period_start TEXT    NOT NULL,
    usage_period_end   TEXT    NOT NULL,
    language           TEXT,
    token_name         TEXT,
    subscription_id    INTEGER,
    cost               REAL,
    PRIMARY KEY (customer_id, query_key, seq)
) WITHOUT ROWID;

CREATE TABLE usage_summaries (
    customer_id      INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE ON UPDATE CASCADE,
    query_key         TEXT    NOT NULL,
    units_used        INTEGER NOT NULL,
    unit              TEXT    NOT NULL,
    hours_processed   REAL    NOT NULL,
    sessions          INTEGER NOT NULL,
    finished_sessions INTEGER NOT NULL,
    error_sessions    INTEGER NOT NULL,
    error_rate        REAL    NOT NULL,
    total_users       INTEGER NOT NULL,
    active_users      INTEGER NOT NULL,
    PRIMARY KEY (customer_id, query_key)
) WITHOUT ROWID;
