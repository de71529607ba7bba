-- The reseller's branding: one row.
CREATE TABLE branding (
    singleton         INTEGER PRIMARY KEY CHECK (singleton = 1),
    brand_color       TEXT,
    secondary_color   TEXT,
    logo_url          TEXT,
    logo_content_type TEXT,
    logo              BLOB
);
