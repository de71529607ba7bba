-- Cached detail rows with a local change written over them (a customer's subscriptions, tokens
-- and users; the branding's parts): the operations written into each row, its pending mark. Customer
-- rows carry theirs in `customers.sync_state`, which the list sorts and filters by.
CREATE TABLE pending_marks (
    entity TEXT    NOT NULL,   -- the outbox entity
    scope  INTEGER NOT NULL,   -- the customer (0 for the branding)
    row_id INTEGER NOT NULL,   -- the row's id (the branding: its part)
    op_id  INTEGER NOT NULL REFERENCES outbox (op_id) ON DELETE CASCADE,
    PRIMARY KEY (entity, scope, row_id, op_id)
) WITHOUT ROWID;
