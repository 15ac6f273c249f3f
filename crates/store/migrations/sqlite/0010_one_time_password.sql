-- The three administrators in the web (issue 10): a password the system administrator set
-- (a new account's, or a reset) is for one use; its holder must choose their own at the next
-- login before anything else.
ALTER TABLE users ADD COLUMN password_one_time INTEGER NOT NULL DEFAULT 0;
