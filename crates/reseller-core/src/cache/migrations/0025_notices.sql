-- What the desktop notifications already said, so each thing is said once: a refused change
-- (key: its activity entry) or an organisation at or over the alert threshold (key: the
-- customer; the row goes when it drops back under, so a new crossing is said again).
CREATE TABLE notices (
    topic   TEXT    NOT NULL CHECK (topic IN ('refused', 'threshold')),
    key     INTEGER NOT NULL,
    said_at INTEGER NOT NULL,
    PRIMARY KEY (topic, key)
) WITHOUT ROWID;
