-- Payment results that are not believed (CONTRACTS.md, PaymentResult):
-- a result with a wrong idempotency key or for an unknown instruction is
-- recorded, never applied; a result contradicting a final status is a
-- conflict that puts its entitlement on hold until an operator resolves it
-- (`prakerja disburse resolve`), recorded with who, when and why.

-- An operator's decision. `instruction_id` has no foreign key: an
-- acknowledged result may name an instruction this system never sent.
CREATE TABLE payment_resolutions (
    resolution_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instruction_id  uuid NOT NULL,
    decision        text NOT NULL CHECK (decision IN ('success', 'failed', 'recovered', 'acknowledged')),
    note            text NOT NULL CHECK (btrim(note) <> ''),
    resolved_by     text NOT NULL CHECK (btrim(resolved_by) <> ''),
    resolved_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_resolutions_instruction ON payment_resolutions (instruction_id);

-- Results know their entitlement (NULL for an unknown instruction) and the
-- resolution that settled them. A result is one per (instruction, key,
-- status): a copy with a wrong key must not shadow the genuine result.
ALTER TABLE payment_results
    ADD COLUMN entitlement_id bigint,
    ADD COLUMN resolution_id  bigint REFERENCES payment_resolutions,
    DROP CONSTRAINT payment_results_outcome_check,
    ADD CONSTRAINT payment_results_outcome_check CHECK (outcome IN
        ('applied', 'duplicate', 'stale', 'conflict', 'unknown_instruction', 'key_mismatch')),
    ADD CONSTRAINT payment_results_resolved_only_if_unbelieved CHECK (resolution_id IS NULL
        OR outcome IN ('conflict', 'unknown_instruction', 'key_mismatch')),
    DROP CONSTRAINT payment_results_instruction_id_status_key,
    ADD CONSTRAINT payment_results_once UNIQUE (instruction_id, idempotency_key, status);
UPDATE payment_results r SET entitlement_id = i.entitlement_id
  FROM payment_instructions i WHERE i.instruction_id = r.instruction_id;
-- What an operator still has to look at. An entitlement with an unresolved
-- conflict is on hold: no run makes a new attempt for it (the run's
-- anti-join reads this index, which stays as small as the backlog).
CREATE INDEX payment_results_unresolved ON payment_results (entitlement_id)
    WHERE resolution_id IS NULL AND outcome IN ('conflict', 'unknown_instruction', 'key_mismatch');

-- Resolutions write the ledger too, only ever by inserting: a `corrected`
-- entry moves an instruction's net to what the operator found (either
-- sign); a `recovered` entry is an overpayment returned. Each names its
-- resolution; at most one entry of a kind per resolution, and (as before)
-- one of a kind per instruction for the gateway's own entries.
ALTER TABLE ledger_entries
    ADD COLUMN resolution_id bigint REFERENCES payment_resolutions,
    DROP CONSTRAINT ledger_entries_entry_check,
    ADD CONSTRAINT ledger_entries_entry_check CHECK (entry IN
        ('paid', 'reversed', 'returned', 'corrected', 'recovered')),
    DROP CONSTRAINT ledger_entries_check,
    ADD CONSTRAINT ledger_entries_sign CHECK (CASE entry
        WHEN 'paid' THEN amount > 0
        WHEN 'corrected' THEN amount <> 0
        ELSE amount < 0 END),
    ADD CONSTRAINT ledger_entries_resolution CHECK
        ((entry IN ('corrected', 'recovered')) = (resolution_id IS NOT NULL)),
    ADD CONSTRAINT ledger_entries_resolution_instruction CHECK
        (resolution_id IS NULL OR instruction_id IS NOT NULL),
    DROP CONSTRAINT ledger_entries_instruction_id_entry_key;
CREATE UNIQUE INDEX ledger_once_per_instruction ON ledger_entries (instruction_id, entry)
    WHERE resolution_id IS NULL;
CREATE UNIQUE INDEX ledger_once_per_resolution ON ledger_entries (resolution_id, entry)
    WHERE resolution_id IS NOT NULL;
