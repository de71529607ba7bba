-- The server's rows of a scope whose cached rows carry local changes (JSON), so a refresh, a
-- finished or a discarded change rebuilds what shows from the server's version. Present only
-- while the scope has unfinished operations.
CREATE TABLE server_rows (
    entity TEXT    NOT NULL,
    scope  INTEGER NOT NULL,
    rows   TEXT    NOT NULL,
    PRIMARY KEY (entity, scope)
) WITHOUT ROWID;
