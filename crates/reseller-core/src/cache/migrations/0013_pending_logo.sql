-- A processed logo waiting for upload: the bytes of an outbox operation (entity 'branding'),
-- kept out of its JSON payload and removed with it.
CREATE TABLE pending_logo (
    op_id  INTEGER PRIMARY KEY REFERENCES outbox (op_id) ON DELETE CASCADE,
    png    BLOB    NOT NULL,
    width  INTEGER NOT NULL,
    height INTEGER NOT NULL
);
