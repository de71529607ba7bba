-- What the Activity screen's search looks in, per entry: the words it shows, in lower case
-- (`crate::activity`, written when a search first reads the entry). NULL: not yet, or the entry
-- changed since (this trigger), so a search never trusts a stale text.
ALTER TABLE activity ADD COLUMN search_text TEXT;

CREATE TRIGGER activity_search_stale
AFTER UPDATE OF payload, outcome, answer, conflicted, entity_id, customer_name ON activity
WHEN old.search_text IS NOT NULL BEGIN
    UPDATE activity SET search_text = NULL WHERE activity_id = new.activity_id;
END;
