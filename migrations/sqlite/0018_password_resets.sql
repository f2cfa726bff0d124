-- One-time password reset links (`parley user reset-password`, POST /api/auth/password-reset). The token is kept as
-- its SHA-256 only; using it deletes it, and a user has at most one: a new link replaces the previous one.
CREATE TABLE password_resets (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
