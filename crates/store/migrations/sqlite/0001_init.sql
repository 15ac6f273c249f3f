CREATE TABLE orgs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  code TEXT NOT NULL UNIQUE,
  name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL,
  kind TEXT NOT NULL,
  parent_id INTEGER REFERENCES orgs(id),
  county TEXT
);
CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  org_id INTEGER NOT NULL REFERENCES orgs(id),
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  failed_count INTEGER NOT NULL DEFAULT 0,
  failed_since TEXT,
  locked_until TEXT,
  password_changed_at TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL,
  csrf TEXT NOT NULL,
  lang TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_seen TEXT NOT NULL
);
-- Short columns first and the JSON last: lists read only the short ones, and SQLite then never
-- walks the overflow pages of a large JSON value to reach a column behind it.
CREATE TABLE items (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  number TEXT NOT NULL UNIQUE,
  year INTEGER NOT NULL,
  title TEXT NOT NULL,
  owner_org_id INTEGER NOT NULL REFERENCES orgs(id),
  state TEXT NOT NULL,
  policy_version TEXT NOT NULL,
  version INTEGER NOT NULL,
  due TEXT,
  amount_fen INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  fields TEXT NOT NULL,
  acts TEXT NOT NULL
);
CREATE INDEX items_kind_state ON items(kind, state, id);
CREATE INDEX items_owner ON items(owner_org_id, kind, id);
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  stream TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at TEXT NOT NULL,
  actor_id INTEGER,
  actor_name TEXT NOT NULL,
  org_name TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  article TEXT NOT NULL,
  policy_version TEXT NOT NULL,
  payload TEXT NOT NULL,
  before_state TEXT,
  after_state TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  UNIQUE (stream, seq)
);
CREATE TABLE checkpoints (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  heads TEXT NOT NULL,
  digest TEXT NOT NULL,
  signature TEXT NOT NULL,
  public_key TEXT NOT NULL
);
CREATE TABLE idempotency (
  user_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (user_id, key)
);
CREATE TABLE counters (
  kind TEXT NOT NULL,
  year INTEGER NOT NULL,
  next INTEGER NOT NULL,
  PRIMARY KEY (kind, year)
);
