-- Vendors' logins (issue 13, point 3): the parties (registered vendors) an item names in its
-- party fields (`parties`), and those it or one of its children names (`reach`): a vendor's
-- staff see the items whose reach names their vendor. Both are kept by the writer in the
-- step's transaction, as `parent` and `facet` are.
ALTER TABLE items ADD COLUMN parties TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN reach TEXT NOT NULL DEFAULT '';
