-- The outbox claim keeps a row back while an earlier pending row of the same
-- event and channel exists (storage/outbox_repository.cpp). Without an index
-- on event_id that check walked every pending row for every candidate: with a
-- fleet rule's storm of 1 000 notifications queued, 50-130 ms per claim on
-- SQLite (bench/fleet). Only pending rows matter, so only they are indexed.
CREATE INDEX notification_outbox_pending_event ON notification_outbox (event_id, channel, id)
  WHERE status = 'pending';
