CREATE TABLE customer_users (
    customer_id         INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE ON UPDATE CASCADE,
    id                   INTEGER NOT NULL,
    first_name           TEXT,
    last_name            TEXT,
    email                TEXT    NOT NULL,
    is_active            INTEGER NOT NULL,
    roles                TEXT    NOT NULL,  -- JSON array of strings
    last_login           INTEGER,           -- microseconds since the epoch, UTC
    created_at           INTEGER NOT NULL,
    reactivation_sent_at INTEGER,
    PRIMARY KEY (customer_id, id)
) WITHOUT ROWID;
