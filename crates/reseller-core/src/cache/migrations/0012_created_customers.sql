-- Server ids that local creates produced (sent and answered, or found after a lost answer).
-- A create whose answer was lost looks for its customer on the server before sending again;
-- ids here are already some other create's, so two creates with the same fields never adopt
-- the same customer. Rows older than a month are pruned: a lost answer is settled long before.
CREATE TABLE created_customers (
    server_id  INTEGER PRIMARY KEY,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
