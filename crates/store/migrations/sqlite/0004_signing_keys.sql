-- Electronic signatures (issue 4, R14.1): each user's SM2 signing key, held by the platform and
-- sealed with SM4-GCM under a key derived from the platform's key file. The public half is kept
-- in the clear: anyone may check a signature with it.
CREATE TABLE signing_keys (
  user_id INTEGER PRIMARY KEY REFERENCES users(id),
  public_hex TEXT NOT NULL,
  sealed_hex TEXT NOT NULL,
  created_at TEXT NOT NULL
);
