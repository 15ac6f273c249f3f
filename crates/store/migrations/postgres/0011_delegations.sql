-- 委托 (issue 11, point 17): a person hands their items to a colleague of the same role and
-- unit until a day; ended early when they come back. Each is also in the security record.
CREATE TABLE delegations (
  id BIGSERIAL PRIMARY KEY,
  from_user BIGINT NOT NULL REFERENCES users(id),
  to_user BIGINT NOT NULL REFERENCES users(id),
  starts TEXT NOT NULL,
  ends TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at TEXT NOT NULL,
  ended_at TEXT
);
CREATE INDEX delegations_from ON delegations(from_user, ends);
