-- The workbench and search stay fast as the record grows (issue 12, point 12).
-- A person's tasks are read per kind and state, earliest deadline first (an item without one
-- last): this index hands them over in that order.
CREATE INDEX items_queue ON items(kind, state, (COALESCE(due, '9999-12-31')), id);
-- A state only its owner sees (a draft) is a queue of one unit's items.
CREATE INDEX items_queue_own ON items(kind, state, owner_org_id, (COALESCE(due, '9999-12-31')), id);
-- 我发起的 reads the person's own first events, not every item.
CREATE INDEX events_started ON events(actor_id, seq, id);
-- 已办: the items each person handled and their latest step on each, kept by the writer in
-- the same transaction as the event (a copy or an urge is no handling of the item).
CREATE TABLE item_actors (
  actor_id BIGINT NOT NULL,
  item_id BIGINT NOT NULL,
  last_event BIGINT NOT NULL,
  PRIMARY KEY (actor_id, item_id)
);
CREATE INDEX item_actors_recent ON item_actors(actor_id, last_event);
INSERT INTO item_actors (actor_id, item_id, last_event)
  SELECT actor_id, CAST(substr(stream, 6) AS BIGINT), MAX(id) FROM events
  WHERE stream LIKE 'item:%' AND actor_id IS NOT NULL AND action NOT IN ('copy', 'urge')
  GROUP BY actor_id, stream;
-- A list of every state walks a kind's items newest first on this index alone.
CREATE INDEX items_kind_recent ON items(kind, id, state, owner_org_id);
-- Keyword search over titles and numbers: trigram indexes (pg_trgm) serve LIKE '%...%' for
-- any substring of three or more characters. pg_trgm ships with PostgreSQL's contrib; where a
-- server lacks it, search still works, as a scan.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX items_title_trgm ON items USING gin (title gin_trgm_ops);
    CREATE INDEX items_number_trgm ON items USING gin (number gin_trgm_ops);
  END IF;
END
$$;
