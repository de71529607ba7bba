-- Customers (the reseller's customer organisations) as listed by the server, plus the local
-- sync state the list shows. Timestamps are INTEGER microseconds since the Unix epoch, UTC.
-- The *_key columns are sort keys computed in Rust (lower case, diacritics folded) so that
-- case-insensitive sorts walk a plain BINARY index; phone_key is '' for no phone, so rows
-- without a phone sort first ascending and last descending.
-- search_text is the normalised token list over name, email, phone and the phone's digits,
-- space separated; the FTS index below tokenises exactly those tokens.
CREATE TABLE customers (
    id                INTEGER PRIMARY KEY,
    name              TEXT    NOT NULL,
    email             TEXT    NOT NULL,
    phone             TEXT,
    is_active         INTEGER NOT NULL CHECK (is_active IN (0, 1)),
    registration_date INTEGER NOT NULL,
    last_modified     INTEGER NOT NULL,
    sync_state        TEXT    NOT NULL DEFAULT 'synced'
                      CHECK (sync_state IN ('synced', 'pending', 'failed', 'conflict')),
    name_key          TEXT    NOT NULL,
    email_key         TEXT    NOT NULL,
    phone_key         TEXT    NOT NULL,
    search_text       TEXT    NOT NULL
);

CREATE INDEX customers_by_name       ON customers (name_key, id);
CREATE INDEX customers_by_email      ON customers (email_key, id);
CREATE INDEX customers_by_phone      ON customers (phone_key, id);
CREATE INDEX customers_by_status     ON customers (is_active, id);
CREATE INDEX customers_by_registered ON customers (registration_date, id);
CREATE INDEX customers_by_modified   ON customers (last_modified, id);

-- Full-text search, external content: the text lives once, in customers.search_text.
-- The ascii tokenizer splits on ASCII separators only; search_text has nothing but
-- lower-case alphanumeric tokens and single spaces, so FTS tokens == Rust tokens.
CREATE VIRTUAL TABLE customers_fts USING fts5 (
    search_text,
    content = 'customers',
    content_rowid = 'id',
    tokenize = 'ascii',
    prefix = '1 2 3 4 5'
);

-- Counts without a scan: one row per counter, kept by triggers. `generation` changes on every
-- change to the table (readers use it to know when derived data, such as page anchors, is stale).
CREATE TABLE customer_counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO customer_counters (name, value)
VALUES ('total', 0), ('active', 0), ('generation', 0);

CREATE TRIGGER customers_after_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customers_fts (rowid, search_text) VALUES (new.id, new.search_text);
    UPDATE customer_counters SET value = value + 1 WHERE name = 'total';
    UPDATE customer_counters SET value = value + new.is_active WHERE name = 'active';
    UPDATE customer_counters SET value = value + 1 WHERE name = 'generation';
END;

CREATE TRIGGER customers_after_delete AFTER DELETE ON customers BEGIN
    INSERT INTO customers_fts (customers_fts, rowid, search_text)
    VALUES ('delete', old.id, old.search_text);
    UPDATE customer_counters SET value = value - 1 WHERE name = 'total';
    UPDATE customer_counters SET value = value - old.is_active WHERE name = 'active';
    UPDATE customer_counters SET value = value + 1 WHERE name = 'generation';
END;

CREATE TRIGGER customers_after_update_text AFTER UPDATE OF search_text ON customers
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO customers_fts (customers_fts, rowid, search_text)
    VALUES ('delete', old.id, old.search_text);
    INSERT INTO customers_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE TRIGGER customers_after_update AFTER UPDATE ON customers BEGIN
    UPDATE customer_counters SET value = value + new.is_active - old.is_active
    WHERE name = 'active' AND new.is_active IS NOT old.is_active;
    UPDATE customer_counters SET value = value + 1 WHERE name = 'generation';
END;
