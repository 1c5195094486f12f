-- Observability: when a row started waiting in an outbox, for the relay-lag
-- metrics (prakerja_relay_oldest_seconds). Existing rows take the moment of
-- this migration.
ALTER TABLE instruction_outbox ADD COLUMN queued_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE participants ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
