-- The activity log: every change made from this app on this account, kept after it left the
-- outbox. Written by triggers on the outbox, so each change is logged in the transaction that
-- queues it and each answer in the one that settles it, whatever the entity; a change made at
-- once, with no operation (a token created online), is written by its code (op_id NULL).
-- Payloads are the outbox's, which never hold a secret (a token's key is shown once and never
-- stored). Times are INTEGER microseconds since the Unix epoch, UTC.

-- Who is signed in (set when the account's workspace opens) and how long the log is kept.
CREATE TABLE activity_meta (
    only_row       INTEGER PRIMARY KEY CHECK (only_row = 1),
    actor_name     TEXT,
    actor_email    TEXT,
    retention_days INTEGER CHECK (retention_days IS NULL OR retention_days > 0)  -- NULL: forever
);
INSERT INTO activity_meta (only_row, retention_days) VALUES (1, 365);

CREATE TABLE activity (
    activity_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id         INTEGER UNIQUE,          -- the outbox operation (never reused: AUTOINCREMENT)
    batch_id      INTEGER,                 -- the bulk action or import it was part of
    entity        TEXT    NOT NULL,
    entity_id     INTEGER NOT NULL,        -- the customer for all but branding
    kind          TEXT    NOT NULL,
    payload       TEXT    NOT NULL CHECK (json_valid(payload)),
    customer_name TEXT,                    -- the organisation's name when the change was made
    actor_name    TEXT,                    -- NULL: made before this log existed
    actor_email   TEXT,
    made_at       INTEGER NOT NULL,
    edited_at     INTEGER,                 -- a later edit folded into the same operation
    outcome       TEXT    NOT NULL DEFAULT 'waiting'
                  CHECK (outcome IN ('waiting', 'sending', 'sent', 'refused', 'conflict', 'discarded')),
    conflicted    INTEGER NOT NULL DEFAULT 0,  -- went through a conflict the user settled
    answer        TEXT,                    -- the server's words when it refused
    answered_at   INTEGER,                 -- when the server answered (sent, refused, conflict)
    ended_at      INTEGER                  -- when it left the outbox (sent or discarded)
);
CREATE INDEX activity_by_time ON activity (made_at);
CREATE INDEX activity_by_customer ON activity (entity_id) WHERE entity <> 'branding';

-- The changes queued before this version are logged as they stand (who made them is unknown).
INSERT INTO activity (op_id, batch_id, entity, entity_id, kind, payload, customer_name, made_at,
                      outcome, conflicted, answer)
SELECT o.op_id, o.batch_id, o.entity, o.entity_id, o.kind, o.payload,
       (SELECT c.name FROM customers c WHERE c.id = o.entity_id AND o.entity <> 'branding'),
       o.created_at,
       CASE o.state WHEN 'failed' THEN 'refused' WHEN 'conflict' THEN 'conflict'
                    WHEN 'in_flight' THEN 'sending' WHEN 'done' THEN 'sent' ELSE 'waiting' END,
       o.state = 'conflict', CASE o.state WHEN 'failed' THEN o.last_error END
FROM outbox o WHERE o.kind <> 'refresh';

-- A queued re-read of the server's copy ('refresh') is not a change and is not logged.
CREATE TRIGGER activity_queued AFTER INSERT ON outbox WHEN new.kind <> 'refresh' BEGIN
    INSERT INTO activity (op_id, batch_id, entity, entity_id, kind, payload, customer_name,
                          actor_name, actor_email, made_at)
    SELECT new.op_id, new.batch_id, new.entity, new.entity_id, new.kind, new.payload,
           (SELECT c.name FROM customers c WHERE c.id = new.entity_id AND new.entity <> 'branding'),
           m.actor_name, m.actor_email, new.created_at
    FROM activity_meta m WHERE m.only_row = 1;
END;

-- A later edit folded into the operation, or a conflict settled field by field, is the user's
-- (edited_at); what the replay records in a claimed (in flight) operation is not.
CREATE TRIGGER activity_edited AFTER UPDATE OF payload ON outbox
WHEN old.payload IS NOT new.payload BEGIN
    UPDATE activity SET payload = new.payload,
                        edited_at = CASE WHEN new.state = 'in_flight' THEN edited_at
                                         ELSE CAST(unixepoch('subsec') * 1000000 AS INTEGER) END
    WHERE op_id = new.op_id;
END;

CREATE TRIGGER activity_batch AFTER UPDATE OF batch_id ON outbox BEGIN
    UPDATE activity SET batch_id = new.batch_id WHERE op_id = new.op_id;
END;

-- A local create that got its server id: its later operations follow it (and so does the log,
-- see `remap_entity`).
CREATE TRIGGER activity_remapped AFTER UPDATE OF entity_id ON outbox BEGIN
    UPDATE activity SET entity_id = new.entity_id WHERE op_id = new.op_id;
END;

CREATE TRIGGER activity_state AFTER UPDATE OF state ON outbox
WHEN old.state IS NOT new.state BEGIN
    UPDATE activity SET
        outcome = CASE new.state WHEN 'failed' THEN 'refused' WHEN 'conflict' THEN 'conflict'
                                 WHEN 'in_flight' THEN 'sending' ELSE 'waiting' END,
        answer = CASE WHEN new.state = 'failed' THEN new.last_error ELSE answer END,
        answered_at = CASE WHEN new.state IN ('failed', 'conflict')
                           THEN CAST(unixepoch('subsec') * 1000000 AS INTEGER)
                           ELSE answered_at END,
        conflicted = conflicted OR new.state = 'conflict'
    WHERE op_id = new.op_id;
END;

-- An operation leaves the outbox in flight only when the server took it (the replay deletes it
-- after the answer); one dropped before (taken back, undone by a later edit) was discarded.
CREATE TRIGGER activity_finished AFTER DELETE ON outbox BEGIN
    UPDATE activity SET
        outcome = CASE old.state WHEN 'in_flight' THEN 'sent' ELSE 'discarded' END,
        answered_at = CASE old.state WHEN 'in_flight'
                           THEN CAST(unixepoch('subsec') * 1000000 AS INTEGER)
                           ELSE answered_at END,
        ended_at = CAST(unixepoch('subsec') * 1000000 AS INTEGER)
    WHERE op_id = old.op_id;
END;
