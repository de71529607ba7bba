CREATE TABLE transcriptions (
    customer_id       INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE ON UPDATE CASCADE,
    session_id         TEXT    NOT NULL,
    filename           TEXT    NOT NULL,
    date_session_start INTEGER NOT NULL,   -- microseconds since the epoch, UTC
    status             INTEGER NOT NULL,   -- 0 queued, 1 processing, 2 finished, 3 error, other: unknown
    status_label       TEXT,
    language           TEXT,
    duration           REAL,
    last_update        INTEGER,
    is_deleted         INTEGER NOT NULL,
    PRIMARY KEY (customer_id, session_id)
) WITHOUT ROWID;
CREATE INDEX transcriptions_by_start ON transcriptions (customer_id, date_session_start);
