-- The workbench and search stay fast as the record grows (issue 12, point 12).
-- A person's tasks are read per kind and state, earliest deadline first (an item without one
-- last): this index hands them over in that order, so a page of tasks reads that page, not
-- the whole state.
CREATE INDEX items_queue ON items(kind, state, COALESCE(due, '9999-12-31'), id);
-- A state only its owner sees (a draft) is a queue of one unit's items.
CREATE INDEX items_queue_own ON items(kind, state, owner_org_id, COALESCE(due, '9999-12-31'), id);
-- 我发起的 reads the person's own first events, not every item.
CREATE INDEX events_started ON events(actor_id, seq, id);
-- 已办: the items each person handled and their latest step on each, kept by the writer in
-- the same transaction as the event (a copy or an urge is no handling of the item).
CREATE TABLE item_actors (
  actor_id INTEGER NOT NULL,
  item_id INTEGER NOT NULL,
  last_event INTEGER NOT NULL,
  PRIMARY KEY (actor_id, item_id)
);
CREATE INDEX item_actors_recent ON item_actors(actor_id, last_event);
INSERT INTO item_actors (actor_id, item_id, last_event)
  SELECT actor_id, CAST(substr(stream, 6) AS INTEGER), MAX(id) FROM events
  WHERE stream LIKE 'item:%' AND actor_id IS NOT NULL AND action NOT IN ('copy', 'urge')
  GROUP BY actor_id, stream;
-- A list of every state walks a kind's items newest first on this index alone.
CREATE INDEX items_kind_recent ON items(kind, id, state, owner_org_id);
-- Keyword search over titles and numbers. Chinese has no spaces to split words on, so the
-- index holds every three characters (trigrams): any substring of three or more characters
-- is found through it; shorter ones fall back to a scan.
CREATE VIRTUAL TABLE items_text USING fts5(
  title, number, content='items', content_rowid='id', tokenize='trigram'
);
INSERT INTO items_text(items_text) VALUES ('rebuild');
CREATE TRIGGER items_text_insert AFTER INSERT ON items BEGIN
  INSERT INTO items_text(rowid, title, number) VALUES (new.id, new.title, new.number);
END;
CREATE TRIGGER items_text_update AFTER UPDATE OF title, number ON items
  WHEN old.title IS NOT new.title OR old.number IS NOT new.number BEGIN
  INSERT INTO items_text(items_text, rowid, title, number) VALUES ('delete', old.id, old.title, old.number);
  INSERT INTO items_text(rowid, title, number) VALUES (new.id, new.title, new.number);
END;
CREATE TRIGGER items_text_delete AFTER DELETE ON items BEGIN
  INSERT INTO items_text(items_text, rowid, title, number) VALUES ('delete', old.id, old.title, old.number);
END;
