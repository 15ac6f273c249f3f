-- The annual cycle (issue 3): the item a child belongs to (a plan line's plan, a demand's
-- campaign) and one filterable field value (a demand's opinion), as indexed columns; and the
-- files the platform keeps (attachments, generated documents), each with its SM3 digest.
ALTER TABLE items ADD COLUMN parent TEXT;
ALTER TABLE items ADD COLUMN facet TEXT;
CREATE INDEX items_parent ON items(parent, kind, id);
CREATE TABLE files (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  item_id INTEGER NOT NULL REFERENCES items(id),
  purpose TEXT NOT NULL,
  name TEXT NOT NULL,
  media_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  sm3 TEXT NOT NULL,
  content BLOB NOT NULL,
  uploaded_by INTEGER REFERENCES users(id),
  created_at TEXT NOT NULL
);
CREATE INDEX files_item ON files(item_id, id);
