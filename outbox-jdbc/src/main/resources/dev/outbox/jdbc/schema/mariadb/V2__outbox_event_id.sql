-- Outbox schema for MariaDB 10.6+, migration 2: every job carries a globally unique event id, made
-- at enqueue (a UUIDv7 from the library), kept through retries, dead letter and requeue, and sent
-- by forwarders so that destinations can drop repeats. Rows queued before this migration get a
-- UUID() each; the default also serves writers that insert rows without the library.

ALTER TABLE outbox_job ADD COLUMN IF NOT EXISTS event_id VARCHAR(36) NULL DEFAULT (UUID());
UPDATE outbox_job SET event_id = UUID() WHERE event_id IS NULL;
ALTER TABLE outbox_job MODIFY COLUMN event_id VARCHAR(36) NOT NULL DEFAULT (UUID());

ALTER TABLE outbox_dead_letter ADD COLUMN IF NOT EXISTS event_id VARCHAR(36) NULL DEFAULT (UUID());
UPDATE outbox_dead_letter SET event_id = UUID() WHERE event_id IS NULL;
ALTER TABLE outbox_dead_letter MODIFY COLUMN event_id VARCHAR(36) NOT NULL DEFAULT (UUID());
