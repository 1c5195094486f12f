-- Least privilege (ARCHITECTURE.md, "Roles and grants"; docs/OPERATIONS.md,
-- "Roles, users and credentials").
--
-- The role that runs the migrations owns every table, trigger and function:
-- only it may alter the schema or drop a guard. Each part of the pipeline
-- gets a NOLOGIN group role that a deployment's login users join
-- (`GRANT prakerja_validator TO validator_login`):
--
--   prakerja_validator  the validator: registrations and NIK claims
--   prakerja_selector   the selector: the freeze, the draw, the announcements
--   prakerja_disburser  the disburser: training events, runs, instructions, results
--   prakerja_operator   the operator's tool `prakerja` (the only reader of wave_secrets)
--   prakerja_readonly   auditors and reports: reads everything but wave_secrets
--
-- Roles are global to the cluster while grants belong to this database:
-- the roles are created when missing (several databases, and parallel test
-- runs, migrate at once: a concurrent creation is no error), the grants
-- are made here. A table added by a later migration grants itself
-- (tests/it/roles.rs fails on a table the auditors cannot read).
--
-- No function is SECURITY DEFINER: a trigger runs with the rights of the
-- role whose statement fired it, so each role's grants cover what its
-- triggers read and lock (the guards of registrations and nik_claims lock
-- waves FOR SHARE, covered by the validator's UPDATE on waves.wave_id).

DO $$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['prakerja_validator', 'prakerja_selector', 'prakerja_disburser',
                                'prakerja_operator', 'prakerja_readonly'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', name);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL; -- created meanwhile by another migration run
            END;
        END IF;
    END LOOP;
END
$$;

-- Nobody but the owner creates objects; nobody reads by default.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO prakerja_validator, prakerja_selector, prakerja_disburser,
    prakerja_operator, prakerja_readonly;
-- Identity columns draw from sequences.
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO prakerja_validator, prakerja_selector,
    prakerja_disburser, prakerja_operator;

------------------------------------------------------------------------------
-- The validator. `SELECT … FOR SHARE` on waves needs an UPDATE privilege:
-- it gets one on wave_id, which the trigger waves_fixed_at_open refuses to
-- change.
GRANT SELECT ON waves, wave_quotas, barred_niks, drain_requests TO prakerja_validator;
GRANT UPDATE (wave_id) ON waves TO prakerja_validator;
GRANT SELECT, INSERT ON registrations TO prakerja_validator;
GRANT UPDATE (status, reasons) ON registrations TO prakerja_validator;
GRANT SELECT, INSERT, UPDATE ON nik_claims TO prakerja_validator;
GRANT SELECT, INSERT, UPDATE, DELETE ON validator_instances TO prakerja_validator;

------------------------------------------------------------------------------
-- The selector: freezes a closed wave's inputs, draws, stores the draw and
-- its participants, records the beacon, announces the selected.
GRANT SELECT ON waves, wave_quotas, registrations, nik_claims, validator_instances, promotions
    TO prakerja_selector;
GRANT UPDATE (state, frozen_at, beacon, beacon_round, beacon_signature) ON waves TO prakerja_selector;
GRANT SELECT, INSERT ON barred_niks, drain_requests, selections, selection_results,
    selection_prior, selection_excluded TO prakerja_selector;
GRANT SELECT, INSERT, UPDATE ON selection_jobs TO prakerja_selector;
GRANT SELECT, UPDATE ON draw_gate, card_counter TO prakerja_selector;
GRANT SELECT, INSERT ON participants TO prakerja_selector;
GRANT UPDATE (announced_at) ON participants TO prakerja_selector;

------------------------------------------------------------------------------
-- The disburser: training events, the nightly run (entitlements,
-- revocations and promotions, instructions and their outbox), payment
-- results. It never writes registrations or a draw, never reads wave_secrets.
GRANT SELECT ON waves, wave_quotas, registrations, selection_jobs, selections, selection_results,
    payment_resolutions, payment_pauses, payment_pause_log, participant_payouts, payout_changes
    TO prakerja_disburser;
GRANT SELECT, INSERT ON barred_niks TO prakerja_disburser;
GRANT UPDATE (reason, since) ON barred_niks TO prakerja_disburser;
GRANT SELECT, UPDATE ON draw_gate, card_counter TO prakerja_disburser;
GRANT SELECT, INSERT ON participants TO prakerja_disburser;
GRANT UPDATE (state, revoked_on, first_purchased_at, completed_at, announced_at) ON participants
    TO prakerja_disburser;
GRANT SELECT, INSERT ON training_events, payment_results, ledger_entries, promotions
    TO prakerja_disburser;
GRANT SELECT, INSERT, UPDATE ON disbursement_runs TO prakerja_disburser;
GRANT SELECT, INSERT ON run_requests TO prakerja_disburser;
GRANT UPDATE (served_at) ON run_requests TO prakerja_disburser;
GRANT SELECT, INSERT ON entitlements TO prakerja_disburser;
GRANT UPDATE (paid, cancelled_on) ON entitlements TO prakerja_disburser;
GRANT SELECT, INSERT ON payment_instructions TO prakerja_disburser;
GRANT UPDATE (status, answered_at, provider_reference, failure_reason) ON payment_instructions
    TO prakerja_disburser;
GRANT SELECT, INSERT, DELETE ON instruction_outbox TO prakerja_disburser;
GRANT SELECT, INSERT ON run_holds TO prakerja_disburser;
GRANT UPDATE (total_amount, requested_by, state, released_at) ON run_holds TO prakerja_disburser;

------------------------------------------------------------------------------
-- The operator's tool runs every command (open, close, draw, run, resolve,
-- pause, approve, payout changes, replays): rows of every table, never the
-- schema. It alone reads and writes wave_secrets.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO prakerja_operator;
REVOKE INSERT, UPDATE, DELETE ON _sqlx_migrations FROM prakerja_operator;

------------------------------------------------------------------------------
-- Auditors and reports read; the wave secrets stay with the operator.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO prakerja_readonly;
REVOKE ALL ON wave_secrets FROM prakerja_readonly;
