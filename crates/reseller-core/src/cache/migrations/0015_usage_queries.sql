-- When the usage tab last fetched each usage query of a customer (query_key as in usage_rows),
-- so a range looked at once is shown offline later with its "as of", refreshed when stale,
-- and the least recently fetched queries can be let go. Times in microseconds, UTC.
CREATE TABLE usage_query_fetches (
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE ON UPDATE CASCADE,
    query_key   TEXT    NOT NULL,
    fetched_at  INTEGER NOT NULL,
    stale_after INTEGER NOT NULL,
    PRIMARY KEY (customer_id, query_key)
) WITHOUT ROWID;
