-- Files chosen on a form that the server refused (issue 12, point 11: attachments on the
-- create form): kept for their uploader while they correct the form, so that the files need
-- not be chosen again; taken into `files` with the item they were for, in the step's
-- transaction, and dropped after a day if the form is never sent again.
CREATE TABLE uploads (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  size INTEGER NOT NULL,
  sm3 TEXT NOT NULL,
  content BLOB NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX uploads_user ON uploads(user_id, id);
-- Lists sorted by amount (largest first, none last) read these instead of sorting every row
-- the filters keep.
CREATE INDEX items_kind_amount ON items(kind, amount_fen DESC, id DESC);
CREATE INDEX items_kind_state_amount ON items(kind, state, amount_fen DESC, id DESC);
