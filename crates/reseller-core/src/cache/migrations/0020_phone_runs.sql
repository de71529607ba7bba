-- Phones are found by any run of their digits: customers.search_text gains the digits a caller
-- dials inside the phone's country (trunk prefix + national number) and the phone's digit tails,
-- marked (see cache/text.rs). search_text is computed in Rust, so this migration's hook
-- (schema.rs) rewrites it for every row, with the row-by-row FTS trigger dropped here, then
-- puts the trigger back and rebuilds the FTS index from the rewritten text in one pass.
DROP TRIGGER customers_after_update_text;
