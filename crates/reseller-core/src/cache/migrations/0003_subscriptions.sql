-- A customer's subscriptions as last fetched (replaced whole per customer).
CREATE TABLE subscriptions (
    customer_id    INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE ON UPDATE CASCADE,
    id              INTEGER NOT NULL,
    sku             TEXT    NOT NULL,
    description     TEXT,
    billing_channel TEXT    NOT NULL,
    payment_model   TEXT    NOT NULL,
    start_date      TEXT    NOT NULL,   -- YYYY-MM-DD
    end_date        TEXT,
    cancel_date     TEXT,
    is_suspended    INTEGER NOT NULL,
    auto_renew      INTEGER NOT NULL,
    stt_units          INTEGER,
    alignment_units    INTEGER,
    translation_budget REAL,
    credits            REAL,
    PRIMARY KEY (customer_id, id)
) WITHOUT ROWID;
