-- Operators steer payments: pauses, a second operator's approval of a run
-- over the ceiling, and a participant's new payout account. Every decision
-- records who, when and why.

-- Payments paused now: one row per scope, a provider or '*' (all). The
-- relay publishes no instruction to a paused provider and no run instructs
-- one (relay/instructions.rs, disburser/run/instruct.rs).
CREATE TABLE payment_pauses (
    scope      text PRIMARY KEY CHECK (scope = '*' OR scope ~ '^[A-Z0-9_]+$'),
    paused_by  text NOT NULL CHECK (btrim(paused_by) <> ''),
    paused_at  timestamptz NOT NULL DEFAULT now(),
    note       text NOT NULL CHECK (btrim(note) <> '')
);

-- Every pause and resume, for good.
CREATE TABLE payment_pause_log (
    entry_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope      text NOT NULL,
    action     text NOT NULL CHECK (action IN ('pause', 'resume')),
    done_by    text NOT NULL CHECK (btrim(done_by) <> ''),
    done_at    timestamptz NOT NULL DEFAULT now(),
    note       text NOT NULL CHECK (btrim(note) <> '')
);
CREATE TRIGGER payment_pause_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON payment_pause_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_statement('the pause log is append-only');

-- A run made while disburser.approval_ceiling was set. Its instructions are
-- held (the relay skips them) until it is released: at once when its total
-- is within the ceiling, else once a second operator approves it.
CREATE TABLE run_holds (
    run_date       date PRIMARY KEY REFERENCES disbursement_runs,
    ceiling        bigint NOT NULL CHECK (ceiling >= 0),
    state          text NOT NULL DEFAULT 'computing'
                   CHECK (state IN ('computing', 'released', 'awaiting_approval', 'approved')),
    total_amount   bigint,
    -- Who requested the run's first execution: none of them may approve it.
    requested_by   text[] NOT NULL DEFAULT '{}',
    approved_by    text,
    approved_at    timestamptz,
    approval_note  text,
    released_at    timestamptz,
    CHECK (state = 'computing' OR total_amount IS NOT NULL),
    CHECK (state <> 'released' OR total_amount <= ceiling),
    CHECK (state NOT IN ('awaiting_approval', 'approved') OR total_amount > ceiling),
    CHECK ((state IN ('released', 'approved')) = (released_at IS NOT NULL)),
    CHECK ((state = 'approved') = (approved_by IS NOT NULL AND approved_at IS NOT NULL)),
    CONSTRAINT run_holds_second_operator
        CHECK (approved_by IS NULL OR (btrim(approved_by) <> '' AND NOT (approved_by = ANY (requested_by))))
);

-- A hold only moves forward: computing -> released | awaiting_approval ->
-- approved; its ceiling, and who requested the run, never change.
CREATE FUNCTION run_holds_forward() RETURNS trigger AS $$
BEGIN
    IF NEW.run_date <> OLD.run_date OR NEW.ceiling <> OLD.ceiling
       OR (OLD.state <> 'computing' AND NEW.requested_by IS DISTINCT FROM OLD.requested_by)
       OR NOT (NEW.state = OLD.state
               OR (OLD.state = 'computing' AND NEW.state IN ('released', 'awaiting_approval'))
               OR (OLD.state = 'awaiting_approval' AND NEW.state = 'approved'))
       OR (OLD.state <> 'computing' AND NEW.total_amount IS DISTINCT FROM OLD.total_amount)
       OR (OLD.released_at IS NOT NULL AND NEW IS DISTINCT FROM OLD) THEN
        RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
            MESSAGE = format('run_holds_forward: the hold of run %s cannot move from %s to %s',
                             OLD.run_date, OLD.state, NEW.state);
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER run_holds_forward BEFORE UPDATE ON run_holds
    FOR EACH ROW EXECUTE FUNCTION run_holds_forward();
CREATE TRIGGER run_holds_kept BEFORE DELETE OR TRUNCATE ON run_holds
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_statement('a run''s hold and approval are kept');

-- A participant's payout account as an operator changed it (the
-- registration's is kept as it was received). The next attempt of any cash
-- incentive uses the newest; the card is never changed here.
CREATE TABLE participant_payouts (
    participant_id  bigint PRIMARY KEY REFERENCES participants,
    method          text NOT NULL CHECK (method IN ('bank', 'ewallet')),
    provider        text NOT NULL,
    account         text NOT NULL,
    change_id       bigint NOT NULL,
    changed_at      timestamptz NOT NULL
);

-- Every change, for good, with the accounts masked.
CREATE TABLE payout_changes (
    change_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    participant_id  bigint NOT NULL REFERENCES participants,
    old_method      text,
    old_provider    text,
    old_masked      text,
    method          text NOT NULL,
    provider        text NOT NULL,
    new_masked      text NOT NULL,
    changed_by      text NOT NULL CHECK (btrim(changed_by) <> ''),
    changed_at      timestamptz NOT NULL DEFAULT now(),
    note            text
);
CREATE INDEX payout_changes_participant ON payout_changes (participant_id, change_id);
CREATE TRIGGER payout_changes_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON payout_changes
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_statement('payout changes are append-only');
