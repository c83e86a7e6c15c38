-- Outbox schema for H2 2.x, migration 2: every job carries a globally unique event id, made at
-- enqueue (a UUIDv7 from the library), kept through retries, dead letter and requeue, and sent by
-- forwarders so that destinations can drop repeats. Rows queued before this migration get a random
-- UUID each; the default also serves writers that insert rows without the library.

ALTER TABLE outbox_job ADD COLUMN IF NOT EXISTS event_id VARCHAR(36) DEFAULT CAST(RANDOM_UUID() AS VARCHAR(36));
UPDATE outbox_job SET event_id = CAST(RANDOM_UUID() AS VARCHAR(36)) WHERE event_id IS NULL;
ALTER TABLE outbox_job ALTER COLUMN event_id SET NOT NULL;

ALTER TABLE outbox_dead_letter ADD COLUMN IF NOT EXISTS event_id VARCHAR(36) DEFAULT CAST(RANDOM_UUID() AS VARCHAR(36));
UPDATE outbox_dead_letter SET event_id = CAST(RANDOM_UUID() AS VARCHAR(36)) WHERE event_id IS NULL;
ALTER TABLE outbox_dead_letter ALTER COLUMN event_id SET NOT NULL;
