-- API token metadata. There is deliberately no column for a token's secret: a new token's key
-- is shown once and never stored.
CREATE TABLE customer_tokens (
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE ON UPDATE CASCADE,
    id          INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    token_type  TEXT    NOT NULL,   -- batch | realtime
    created_at  INTEGER NOT NULL,   -- microseconds since the epoch, UTC
    expires_at  INTEGER,
    PRIMARY KEY (customer_id, id)
) WITHOUT ROWID;
