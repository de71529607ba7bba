-- Local writes waiting to be replayed against the server, in op_id order.
CREATE TABLE outbox (
    op_id              INTEGER PRIMARY KEY AUTOINCREMENT,
    entity             TEXT    NOT NULL,   -- 'customer', 'subscription', ...
    entity_id          INTEGER NOT NULL,   -- negative for a local-only create
    kind               TEXT    NOT NULL,   -- 'create' | 'update' | 'delete' | ...
    payload            TEXT    NOT NULL CHECK (json_valid(payload)),
    base_last_modified INTEGER,            -- the server version the edit was made on
    attempts           INTEGER NOT NULL DEFAULT 0,
    state              TEXT    NOT NULL DEFAULT 'pending'
                       CHECK (state IN ('pending', 'in_flight', 'failed', 'conflict', 'done')),
    last_error         TEXT,
    created_at         INTEGER NOT NULL
);
CREATE INDEX outbox_by_state ON outbox (state, op_id);
CREATE INDEX outbox_by_entity ON outbox (entity, entity_id);
