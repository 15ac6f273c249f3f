-- The ledger (issue 10): every event of every stream also takes the next place in one global
-- sequence, in commit order, with a hash chain over all events (lhash, verifiable with no key)
-- and an HMAC-SM3 (mac) under a key kept in a file beside the platform's signing key, which the
-- database never holds. The head row carries the newest place, so a deleted tail shows.
-- Checkpoints become constant in size: each signs the ledger head and the previous
-- checkpoint's digest. The older per-stream checkpoints stay as they were, unused.
ALTER TABLE events ADD COLUMN lseq BIGINT;
ALTER TABLE events ADD COLUMN lhash TEXT;
ALTER TABLE events ADD COLUMN mac TEXT;
CREATE UNIQUE INDEX events_by_lseq ON events (lseq);
CREATE TABLE ledger_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  lseq BIGINT NOT NULL,
  lhash TEXT NOT NULL,
  mac TEXT NOT NULL
);
CREATE TABLE ledger_checkpoints (
  number BIGINT PRIMARY KEY,
  at TEXT NOT NULL,
  lseq BIGINT NOT NULL,
  lhash TEXT NOT NULL,
  prev_digest TEXT NOT NULL,
  key_id TEXT NOT NULL,
  digest TEXT NOT NULL,
  signature TEXT NOT NULL
);
