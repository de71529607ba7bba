-- Phones as the screens show them ("+49 40 75135063"), kept once formatted. Formatting parses
-- the number (tens to hundreds of microseconds each), so the sync formats each number it writes
-- once, off the screens' path, and a window of the list looks its phones up here instead of
-- parsing a hundred numbers while the user scrolls or waits for the first rows.
CREATE TABLE phones_shown (
    phone TEXT PRIMARY KEY,  -- as customers.phone holds it (E.164)
    shown TEXT NOT NULL
) WITHOUT ROWID;
