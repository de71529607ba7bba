-- The plan catalogue (G3 `GET /api/v3/reseller/plan`) for the "add subscription" picker, so it
-- is searchable offline and a queued subscription names a plan the server offers.
CREATE TABLE plans (
    sku           TEXT    PRIMARY KEY,
    description   TEXT    NOT NULL,
    payment_model TEXT    NOT NULL,
    seq           INTEGER NOT NULL,   -- the server's order
    fetched_at    INTEGER NOT NULL    -- microseconds since the epoch, UTC; same for every row
) WITHOUT ROWID;
