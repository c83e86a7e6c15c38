-- Outbox schema for MariaDB 10.6+ (InnoDB), migration 1 (baseline): the tables as the first
-- release made them. Migrations run in order (V1, V2, ...) from Flyway or Liquibase as they are, or
-- from outbox.createSchemaIfMissing() with your table names in place of the defaults (outbox_job,
-- outbox_dead_letter). Times are epoch milliseconds (UTC), set from the database clock, so the
-- session time zone never matters.

CREATE TABLE IF NOT EXISTS outbox_job (
  id              BIGINT NOT NULL AUTO_INCREMENT,
  kind            VARCHAR(200) NOT NULL,
  payload         LONGTEXT NOT NULL,
  ordering_key    VARCHAR(200) NULL,
  idempotency_key VARCHAR(200) NULL,
  created_at      BIGINT NOT NULL,
  run_at          BIGINT NOT NULL,
  attempts        INT NOT NULL DEFAULT 0,
  lease_until     BIGINT NULL,
  lease_token     BIGINT NULL,
  last_error      TEXT NULL,
  PRIMARY KEY (id),
  KEY outbox_job_run_at (run_at, id),
  KEY outbox_job_ordering (ordering_key, id),
  UNIQUE KEY outbox_job_idempotency (idempotency_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS outbox_dead_letter (
  id              BIGINT NOT NULL,
  kind            VARCHAR(200) NOT NULL,
  payload         LONGTEXT NOT NULL,
  ordering_key    VARCHAR(200) NULL,
  idempotency_key VARCHAR(200) NULL,
  created_at      BIGINT NOT NULL,
  died_at         BIGINT NOT NULL,
  attempts        INT NOT NULL,
  reason          VARCHAR(40) NOT NULL,
  error           TEXT NULL,
  PRIMARY KEY (id),
  KEY outbox_dead_letter_kind (kind, id),
  KEY outbox_dead_letter_reason (reason, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
