-- An operation made by a bulk action or an import belongs to its batch (0022). Batch operations
-- go after the user's single changes (`next_runnable`), so a long batch never holds those back.
ALTER TABLE outbox ADD COLUMN batch_id INTEGER REFERENCES batches (batch_id) ON DELETE SET NULL;
CREATE INDEX outbox_by_batch ON outbox (batch_id, state) WHERE batch_id IS NOT NULL;

-- An operation leaves the outbox in flight only when the server took it (the replay deletes it
-- after the answer); one dropped before it was sent (undone, superseded) leaves it pending.
CREATE TRIGGER outbox_batch_sent AFTER DELETE ON outbox
WHEN old.batch_id IS NOT NULL AND old.state = 'in_flight' BEGIN
    UPDATE batches SET sent = sent + 1 WHERE batch_id = old.batch_id;
END;
