-- Changes the user made to many organisations at once (a bulk action, an import): one row per
-- action, its operations in the outbox carry its id (`outbox.batch_id`, 0023). What is waiting or
-- refused is counted from the outbox; what was sent is counted here, by 0023's trigger, in the
-- transaction that finishes the operation, since a finished operation leaves the outbox.
CREATE TABLE batches (
    batch_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT    NOT NULL,             -- 'activate' | 'deactivate' | 'delete' | 'import'
    label      TEXT    NOT NULL,             -- what it is, in the user's words
    queued     INTEGER NOT NULL,             -- operations queued when it was made
    sent       INTEGER NOT NULL DEFAULT 0,   -- of them, accepted by the server
    undone     INTEGER NOT NULL DEFAULT 0,   -- of them, taken back before they were sent
    created_at INTEGER NOT NULL
);
