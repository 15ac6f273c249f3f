-- An Idempotency-Key is bound to what the request asked (issue 10, finding 9): the SM3 of its
-- method, path and body. A replay with another request under the same key is refused.
ALTER TABLE idempotency ADD COLUMN fingerprint TEXT;
