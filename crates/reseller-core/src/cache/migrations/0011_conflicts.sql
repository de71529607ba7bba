-- A field changed on both sides to different values: the user settles it.
CREATE TABLE conflicts (
    op_id  INTEGER NOT NULL REFERENCES outbox (op_id) ON DELETE CASCADE,
    field  TEXT    NOT NULL,
    mine   TEXT,   -- JSON value
    theirs TEXT,   -- JSON value
    PRIMARY KEY (op_id, field)
) WITHOUT ROWID;
