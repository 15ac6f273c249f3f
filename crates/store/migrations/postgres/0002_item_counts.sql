-- Counts of items per kind, state, year and owner, kept in the same transaction as the items,
-- so list totals ("共 N 条") are a sum over a few rows instead of a scan of every item.
CREATE TABLE item_counts (
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  year BIGINT NOT NULL,
  owner_org_id BIGINT NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (kind, state, year, owner_org_id)
);
INSERT INTO item_counts (kind, state, year, owner_org_id, n)
  SELECT kind, state, year, owner_org_id, COUNT(*) FROM items GROUP BY kind, state, year, owner_org_id;
