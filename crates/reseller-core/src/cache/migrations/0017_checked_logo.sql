-- The server's logo is checked in the logo worker (a separate, limited process) before it is
-- kept, and what is kept is the PNG that check made, with its size, so reading the branding
-- never decodes an image. `logo_problem` says why a logo the server has is not kept.
ALTER TABLE branding ADD COLUMN logo_width INTEGER;
ALTER TABLE branding ADD COLUMN logo_height INTEGER;
ALTER TABLE branding ADD COLUMN logo_problem TEXT;
-- Logo bytes cached before this check was made are dropped, and branding is fetched again.
UPDATE branding SET logo = NULL, logo_content_type = NULL WHERE logo IS NOT NULL;
DELETE FROM freshness WHERE scope = 'branding' AND customer_id = 0;
