-- Login attempts in flight (issue 10): a reserved attempt is pending, not failed, until its
-- password check settles it, so parallel right logins never lock an account. A pending count
-- older than a minute (a process that died between reserve and settle) is not counted.
ALTER TABLE users ADD COLUMN pending_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN pending_since TEXT;
