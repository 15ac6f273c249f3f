-- What an assessor asks of every record (issue 10, finding 10): the source address, the
-- request id and the result, as one JSON object, hashed into the event's chain with the rest.
-- Events recorded before keep no context, and their hashes are as they were.
ALTER TABLE events ADD COLUMN context TEXT;
