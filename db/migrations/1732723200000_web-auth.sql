-- Up Migration
-- Web log-in: password hashes (argon2id, never the password), server-side sessions and API tokens
-- (only a SHA-256 of each token is stored; the token itself is shown once, when it is created).
CREATE TABLE user_credentials (
  user_id       text PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  password_hash text NOT NULL,
  -- true while the password is the deterministic demo password printed at first start
  demo          boolean NOT NULL DEFAULT false,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE web_sessions (
  sid        text PRIMARY KEY,
  user_id    text REFERENCES users (id) ON DELETE CASCADE,
  data       jsonb NOT NULL,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);

CREATE TABLE api_tokens (
  id           uuid PRIMARY KEY,
  user_id      text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         text NOT NULL,
  token_sha256 text NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);

-- Down Migration
DROP TABLE api_tokens, web_sessions, user_credentials;
