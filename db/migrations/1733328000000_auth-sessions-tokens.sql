-- Up Migration
-- Sessions and API tokens end when a password changes (issue #14): each credential has a session
-- epoch, bumped by every password change or reset; a session is valid only while the epoch it
-- recorded at log-in is the user's current one (so a session saved concurrently with the change
-- cannot come back). API tokens get an expiry, chosen at creation (default 90 days).
ALTER TABLE user_credentials ADD COLUMN session_epoch integer NOT NULL DEFAULT 1;

ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
-- Tokens made before expiry existed get the default lifetime from today, not an unlimited one.
UPDATE api_tokens SET expires_at = now() + interval '90 days' WHERE expires_at IS NULL;
ALTER TABLE api_tokens ALTER COLUMN expires_at SET NOT NULL;

CREATE INDEX web_sessions_user ON web_sessions (user_id);

-- Down Migration
DROP INDEX web_sessions_user;
ALTER TABLE api_tokens DROP COLUMN expires_at;
ALTER TABLE user_credentials DROP COLUMN session_epoch;
