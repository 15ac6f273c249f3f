-- Users' signing keys name the key-encryption key that sealed them (issue 10, finding 8): the
-- KEK is a key file of its own, no longer derived from the platform's signing key, so the
-- signing key can be rotated without unsealing anything. Rows without a KEK id were sealed
-- under the old derivation and are resealed once at start.
ALTER TABLE signing_keys ADD COLUMN kek_id TEXT;
