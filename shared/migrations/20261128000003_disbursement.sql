-- Training progress, entitlements, payment instructions (the outbox), their
-- results, the ledger, nightly runs, revocations and promotions.

ALTER TABLE participants
    ADD COLUMN first_purchased_at timestamptz,
    ADD COLUMN completed_at       timestamptz;

-- Every training event received, applied or not; the same event_id is one event.
CREATE TABLE training_events (
    event_id        text PRIMARY KEY,
    nik             text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('purchased', 'completed', 'survey_completed')),
    platform        text NOT NULL,
    course_id       text,
    amount          bigint,
    survey_no       smallint,
    occurred_at     timestamptz NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    participant_id  bigint REFERENCES participants,
    -- Why the event was kept but not applied (NULL: applied).
    ignored_reason  text CHECK (ignored_reason IN ('UNVERIFIED_PLATFORM', 'UNKNOWN_NIK',
                        'NOT_A_PARTICIPANT', 'REVOKED', 'SURVEY_OUT_OF_RANGE', 'BEFORE_VERIFICATION'))
);
CREATE INDEX training_events_surveys ON training_events (participant_id, survey_no)
    WHERE kind = 'survey_completed' AND ignored_reason IS NULL;

-- One night's run. A date runs once; running it again only re-sends.
CREATE TABLE disbursement_runs (
    run_date         date PRIMARY KEY,
    started_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    executions       integer NOT NULL DEFAULT 0,
    summary          jsonb
);

-- Every request for a run (a message on disbursements.runs, or the
-- disburser's own schedule); served once the run has executed after it.
CREATE TABLE run_requests (
    request_id    uuid PRIMARY KEY,
    run_date      date NOT NULL,
    requested_by  text,
    requested_at  timestamptz NOT NULL DEFAULT now(),
    served_at     timestamptz
);
CREATE INDEX run_requests_unserved ON run_requests (run_date) WHERE served_at IS NULL;

CREATE INDEX participants_kk ON participants (kk);

-- What a participant is owed. Amount and installment are checked against
-- the wave's frozen scheme by trigger, so nobody is owed beyond the scheme.
CREATE TABLE entitlements (
    entitlement_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    participant_id  bigint NOT NULL REFERENCES participants,
    kind            text NOT NULL CHECK (kind IN ('training_fund', 'incentive', 'survey_incentive')),
    installment     integer NOT NULL CHECK (installment >= 1),
    amount          bigint NOT NULL CHECK (amount > 0),
    due_on          date NOT NULL,
    run_date        date NOT NULL,          -- the run that found it due
    cancelled_on    date,                   -- revoked before it was paid
    paid            boolean NOT NULL DEFAULT false,  -- its latest instruction succeeded
    UNIQUE (participant_id, kind, installment),
    UNIQUE (entitlement_id, amount)
);
-- The nightly run only looks at entitlements still to pay.
CREATE INDEX entitlements_open ON entitlements (due_on) WHERE NOT paid AND cancelled_on IS NULL;

-- Checked per statement (set-based), so a run creating a million
-- entitlements pays for one join, not a million lookups.
CREATE FUNCTION entitlements_within_scheme() RETURNS trigger AS $$
DECLARE
    bad record;
BEGIN
    SELECT n.kind, n.installment, n.amount, w.scheme INTO bad
      FROM new_rows n
      JOIN participants p USING (participant_id)
      JOIN waves w ON w.wave_id = p.wave_id
     WHERE n.installment > CASE n.kind
               WHEN 'training_fund' THEN 1
               WHEN 'incentive' THEN (w.scheme ->> 'incentive_installments')::integer
               ELSE (w.scheme ->> 'survey_count')::integer END
        OR n.amount <> CASE n.kind
               WHEN 'training_fund' THEN (w.scheme ->> 'training_balance')::bigint
               WHEN 'incentive' THEN (w.scheme ->> 'incentive_amount')::bigint
               ELSE (w.scheme ->> 'survey_amount')::bigint END
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'entitlement % #% of Rp % is beyond its scheme', bad.kind, bad.installment, bad.amount
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER entitlements_within_scheme_insert
    AFTER INSERT ON entitlements REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION entitlements_within_scheme();
CREATE TRIGGER entitlements_within_scheme_update
    AFTER UPDATE ON entitlements REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION entitlements_within_scheme();

-- One attempt at paying one entitlement, with the exact message published.
-- (run_date names the run that made it; like entitlements.run_date it has
-- no foreign key, whose per-row check would slow a run of millions, and
-- `prakerja disburse report` checks it instead.)
CREATE TABLE payment_instructions (
    instruction_id     uuid PRIMARY KEY,
    entitlement_id     bigint NOT NULL,
    attempt            integer NOT NULL CHECK (attempt >= 1),
    idempotency_key    text NOT NULL UNIQUE,
    run_date           date NOT NULL,
    amount             bigint NOT NULL CHECK (amount > 0),
    kind               text NOT NULL,
    payout_method      text NOT NULL,
    payout_provider    text NOT NULL,
    payout_account     text NOT NULL,
    body               text NOT NULL,          -- the PaymentInstruction JSON as published
    status             text NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'success', 'failed', 'reversed')),
    created_at         timestamptz NOT NULL DEFAULT now(),
    answered_at        timestamptz,
    provider_reference text,
    failure_reason     text,
    UNIQUE (entitlement_id, attempt),
    -- The amount is the entitlement's, by construction.
    FOREIGN KEY (entitlement_id, amount) REFERENCES entitlements (entitlement_id, amount)
);
-- At most one instruction per entitlement is outstanding or paid.
CREATE UNIQUE INDEX payment_instructions_one_live
    ON payment_instructions (entitlement_id) WHERE status IN ('pending', 'success');
CREATE INDEX payment_instructions_pending
    ON payment_instructions (created_at) WHERE status = 'pending';

-- The outbox: instructions to publish (again), written in the same
-- transaction as the instruction; the relay deletes a row once the broker
-- has confirmed its message.
CREATE TABLE instruction_outbox (
    seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instruction_id  uuid NOT NULL
);

-- Every result received from the gateway, and what it did.
CREATE TABLE payment_results (
    result_id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instruction_id      uuid NOT NULL,
    idempotency_key     text NOT NULL,
    status              text NOT NULL CHECK (status IN ('SUCCESS', 'FAILED', 'REVERSED')),
    provider_reference  text,
    reason              text,
    processed_at        timestamptz NOT NULL,
    received_at         timestamptz NOT NULL DEFAULT now(),
    outcome             text NOT NULL CHECK (outcome IN ('applied', 'duplicate', 'stale', 'conflict', 'unknown_instruction')),
    UNIQUE (instruction_id, status)
);

-- The money, entry by entry: what was paid to whom, and what came back.
CREATE TABLE ledger_entries (
    entry_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    participant_id  bigint NOT NULL REFERENCES participants,
    entitlement_id  bigint NOT NULL REFERENCES entitlements,
    instruction_id  uuid REFERENCES payment_instructions,
    entry           text NOT NULL CHECK (entry IN ('paid', 'reversed', 'returned')),
    amount          bigint NOT NULL CHECK ((entry = 'paid') = (amount > 0)),
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (instruction_id, entry)
);
CREATE UNIQUE INDEX ledger_one_return ON ledger_entries (entitlement_id) WHERE entry = 'returned';

-- A revoked participant's seat, and who took it from the waiting list.
CREATE TABLE promotions (
    revoked_participant_id   bigint PRIMARY KEY REFERENCES participants,
    promoted_participant_id  bigint UNIQUE REFERENCES participants,
    wave_id                  integer NOT NULL REFERENCES waves,
    stratum                  text NOT NULL,
    run_date                 date NOT NULL REFERENCES disbursement_runs
);
