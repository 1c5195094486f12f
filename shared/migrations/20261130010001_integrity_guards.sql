-- What must never happen, refused by the database itself, whatever code or
-- person sends the statement (ARCHITECTURE.md, "Invariants"). A refusal
-- raises SQLSTATE 23001 (restrict_violation) with a message that starts with
-- the name of the trigger that refused.
--
-- Tables written in bulk (registrations by the validator's COPY, nik_claims,
-- selection_results by the draw's COPY, selection_prior, selection_excluded,
-- ledger_entries, barred_niks) get no per-row work on INSERT: tables that are
-- never changed refuse UPDATE and DELETE before the statement starts, and the
-- others check a statement's rows once, at its end, by one join of its
-- transition table with `waves` (as `entitlements_within_scheme` does).

-- Refuses the statement it is attached to; TG_ARGV[0] says why.
CREATE FUNCTION refuse_statement() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
        MESSAGE = format('%s: %s on %s is refused: %s', TG_NAME, TG_OP, TG_TABLE_NAME, TG_ARGV[0]);
END;
$$ LANGUAGE plpgsql;

-- The frozen waves (`drawing` or `drawn`) among `ids`, locked FOR SHARE so
-- that none of them can freeze while the statement that asks is uncommitted.
CREATE FUNCTION lock_frozen_waves(ids bigint[]) RETURNS bigint[] AS $$
    SELECT COALESCE(array_agg(l.wave_id), '{}')
      FROM (SELECT w.wave_id, w.state FROM waves w
             WHERE w.wave_id = ANY(ids) ORDER BY w.wave_id FOR SHARE) l
     WHERE l.state IN ('drawing', 'drawn');
$$ LANGUAGE sql;

------------------------------------------------------------------------------
-- waves: born open, fixed at open, and only open -> closed -> drawing -> drawn.
-- (`secret`, `beacon` and `beacon_source` have a guard of their own.)

CREATE FUNCTION waves_born_open() RETURNS trigger AS $$
BEGIN
    IF NEW.state <> 'open' THEN
        RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
            MESSAGE = format('%s: a new wave is open, not %s', TG_NAME, NEW.state);
    END IF;
    -- opened_at bounds every registration's submitted_at: it is the moment
    -- the wave is stored, never earlier.
    IF NEW.opened_at < now() OR NEW.opened_at > clock_timestamp() THEN
        RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
            MESSAGE = format('%s: a wave opens when it is stored, not at %s', TG_NAME, NEW.opened_at);
    END IF;
    IF NEW.closes_at <= NEW.opened_at THEN
        RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
            MESSAGE = format('%s: wave %L would close (%s) before it opens (%s)',
                             TG_NAME, NEW.name, NEW.closes_at, NEW.opened_at);
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER waves_born_open BEFORE INSERT ON waves
    FOR EACH ROW EXECUTE FUNCTION waves_born_open();

CREATE FUNCTION waves_fixed_at_open() RETURNS trigger AS $$
DECLARE
    changed text[] := '{}';
BEGIN
    IF NEW.wave_id IS DISTINCT FROM OLD.wave_id THEN changed := changed || 'wave_id'::text; END IF;
    IF NEW.name IS DISTINCT FROM OLD.name THEN changed := changed || 'name'::text; END IF;
    IF NEW.scheme_name IS DISTINCT FROM OLD.scheme_name THEN changed := changed || 'scheme_name'::text; END IF;
    IF NEW.scheme IS DISTINCT FROM OLD.scheme THEN changed := changed || 'scheme'::text; END IF;
    IF NEW.allocation IS DISTINCT FROM OLD.allocation THEN changed := changed || 'allocation'::text; END IF;
    IF NEW.kk_cap IS DISTINCT FROM OLD.kk_cap THEN changed := changed || 'kk_cap'::text; END IF;
    IF NEW.commitment IS DISTINCT FROM OLD.commitment THEN changed := changed || 'commitment'::text; END IF;
    IF NEW.secret_source IS DISTINCT FROM OLD.secret_source THEN changed := changed || 'secret_source'::text; END IF;
    IF NEW.opened_at IS DISTINCT FROM OLD.opened_at THEN changed := changed || 'opened_at'::text; END IF;
    IF NEW.closes_at IS DISTINCT FROM OLD.closes_at THEN changed := changed || 'closes_at'::text; END IF;
    IF cardinality(changed) > 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
            MESSAGE = format('%s: wave %s was opened with its %s, which never change',
                             TG_NAME, OLD.wave_id, array_to_string(changed, ', '));
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER waves_fixed_at_open BEFORE UPDATE ON waves
    FOR EACH ROW EXECUTE FUNCTION waves_fixed_at_open();

CREATE FUNCTION waves_state_machine() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.state <> 'open' THEN
            RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
                MESSAGE = format('%s: wave %s is %s; only an open wave may be deleted',
                                 TG_NAME, OLD.wave_id, OLD.state);
        END IF;
        RETURN OLD;
    END IF;
    IF NEW.state IS DISTINCT FROM OLD.state
       AND (OLD.state, NEW.state) NOT IN (('open', 'closed'), ('closed', 'drawing'), ('drawing', 'drawn')) THEN
        RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
            MESSAGE = format('%s: wave %s cannot move from %s to %s (only open -> closed -> drawing -> drawn)',
                             TG_NAME, OLD.wave_id, OLD.state, NEW.state);
    END IF;
    IF OLD.closed_at IS NOT NULL AND NEW.closed_at IS DISTINCT FROM OLD.closed_at THEN
        RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
            MESSAGE = format('%s: wave %s closed at %s; closed_at is set once, by the close',
                             TG_NAME, OLD.wave_id, OLD.closed_at);
    END IF;
    IF OLD.closed_at IS NULL AND NEW.closed_at IS NOT NULL
       AND (NEW.closed_at < OLD.opened_at OR NEW.closed_at > clock_timestamp()) THEN
        RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
            MESSAGE = format('%s: wave %s closes when it is closed, not at %s',
                             TG_NAME, OLD.wave_id, NEW.closed_at);
    END IF;
    IF OLD.frozen_at IS NOT NULL AND NEW.frozen_at IS DISTINCT FROM OLD.frozen_at THEN
        RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
            MESSAGE = format('%s: wave %s froze at %s; frozen_at is set once, by the freeze',
                             TG_NAME, OLD.wave_id, OLD.frozen_at);
    END IF;
    IF OLD.frozen_at IS NULL AND NEW.frozen_at IS NOT NULL
       AND (NEW.frozen_at < NEW.closed_at OR NEW.frozen_at > clock_timestamp()) THEN
        RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
            MESSAGE = format('%s: wave %s freezes when its inputs freeze, not at %s',
                             TG_NAME, OLD.wave_id, NEW.frozen_at);
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER waves_state_machine BEFORE UPDATE OR DELETE ON waves
    FOR EACH ROW EXECUTE FUNCTION waves_state_machine();
CREATE TRIGGER waves_no_truncate BEFORE TRUNCATE ON waves
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_statement('waves are never emptied');

------------------------------------------------------------------------------
-- wave_quotas: fixed once the wave is closed.

CREATE FUNCTION wave_quotas_fixed_at_close() RETURNS trigger AS $$
DECLARE
    bad record;
BEGIN
    SELECT w.wave_id, w.state INTO bad FROM waves w
     WHERE w.wave_id IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.wave_id END,
                         CASE WHEN TG_OP <> 'DELETE' THEN NEW.wave_id END)
       AND w.state <> 'open'
       FOR SHARE;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
            MESSAGE = format('%s: wave %s is %s; its quotas were fixed when it closed',
                             TG_NAME, bad.wave_id, bad.state);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER wave_quotas_fixed_at_close BEFORE INSERT OR UPDATE OR DELETE ON wave_quotas
    FOR EACH ROW EXECUTE FUNCTION wave_quotas_fixed_at_close();
CREATE TRIGGER wave_quotas_no_truncate BEFORE TRUNCATE ON wave_quotas
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_statement('quotas are fixed when their wave closes');

------------------------------------------------------------------------------
-- registrations and nik_claims of a frozen wave: its draw's inputs.

-- A registration stored for a frozen wave is rejected WAVE_CLOSED.
CREATE FUNCTION registrations_frozen_insert() RETURNS trigger AS $$
DECLARE
    frozen bigint[];
    bad record;
BEGIN
    frozen := lock_frozen_waves(ARRAY(SELECT DISTINCT n.wave_id FROM new_rows n));
    IF cardinality(frozen) = 0 THEN
        RETURN NULL;
    END IF;
    SELECT n.registration_id, n.wave_id INTO bad FROM new_rows n
     WHERE n.wave_id = ANY(frozen)
       AND NOT (n.status = 'rejected' AND 'WAVE_CLOSED' = ANY(n.reasons))
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
            MESSAGE = format('%s: the inputs of wave %s are frozen: registration %s can only be stored rejected WAVE_CLOSED',
                             TG_NAME, bad.wave_id, bad.registration_id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- No row of a frozen wave changes (nor moves into one).
CREATE FUNCTION frozen_rows_unchanged() RETURNS trigger AS $$
DECLARE
    frozen bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        frozen := lock_frozen_waves(ARRAY(SELECT DISTINCT n.wave_id FROM new_rows n));
    ELSIF TG_OP = 'UPDATE' THEN
        frozen := lock_frozen_waves(ARRAY(SELECT o.wave_id FROM old_rows o
                                          UNION SELECT n.wave_id FROM new_rows n));
    ELSE
        frozen := lock_frozen_waves(ARRAY(SELECT DISTINCT o.wave_id FROM old_rows o));
    END IF;
    IF cardinality(frozen) > 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
            MESSAGE = format('%s: the inputs of wave %s are frozen: its %s never change',
                             TG_NAME, frozen[1], TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER registrations_frozen_insert AFTER INSERT ON registrations
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION registrations_frozen_insert();
CREATE TRIGGER registrations_frozen_update AFTER UPDATE ON registrations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION frozen_rows_unchanged();
CREATE TRIGGER registrations_frozen_delete AFTER DELETE ON registrations
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION frozen_rows_unchanged();
CREATE TRIGGER registrations_no_truncate BEFORE TRUNCATE ON registrations
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_statement('every registration received is kept');

CREATE TRIGGER nik_claims_frozen_insert AFTER INSERT ON nik_claims
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION frozen_rows_unchanged();
CREATE TRIGGER nik_claims_frozen_update AFTER UPDATE ON nik_claims
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION frozen_rows_unchanged();
CREATE TRIGGER nik_claims_frozen_delete AFTER DELETE ON nik_claims
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION frozen_rows_unchanged();
CREATE TRIGGER nik_claims_no_truncate BEFORE TRUNCATE ON nik_claims
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_statement('NIK claims decide duplicates for good');

------------------------------------------------------------------------------
-- What the freeze writes: only the freeze writes it, and nobody changes it.

CREATE FUNCTION written_by_the_freeze() RETURNS trigger AS $$
DECLARE
    bad record;
BEGIN
    -- The freeze sets frozen_at with clock_timestamp(), never earlier than
    -- its own transaction's start: a wave frozen by an earlier transaction
    -- has frozen_at < now().
    SELECT w.wave_id, w.state INTO bad FROM waves w
     WHERE w.wave_id IN (SELECT DISTINCT n.wave_id FROM new_rows n)
       AND NOT (w.state = 'drawing' AND w.frozen_at >= now())
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
            MESSAGE = format('%s: %s of wave %s are written by the freeze that moves it to drawing, and only then (it is %s)',
                             TG_NAME, TG_TABLE_NAME, bad.wave_id, bad.state);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER selection_prior_written_by_the_freeze AFTER INSERT ON selection_prior
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION written_by_the_freeze();
CREATE TRIGGER selection_prior_final BEFORE UPDATE OR DELETE OR TRUNCATE ON selection_prior
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_statement('prior counts are frozen with their wave''s inputs');
CREATE TRIGGER selection_excluded_written_by_the_freeze AFTER INSERT ON selection_excluded
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION written_by_the_freeze();
CREATE TRIGGER selection_excluded_final BEFORE UPDATE OR DELETE OR TRUNCATE ON selection_excluded
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_statement('who a draw leaves out is frozen with its wave''s inputs');

------------------------------------------------------------------------------
-- A stored draw: its manifest and every candidate's result are final.

CREATE FUNCTION selections_written_while_drawing() RETURNS trigger AS $$
DECLARE
    state text;
BEGIN
    SELECT w.state INTO state FROM waves w WHERE w.wave_id = NEW.wave_id FOR SHARE;
    IF state IS DISTINCT FROM 'drawing' THEN
        RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
            MESSAGE = format('%s: a draw is stored while its wave is drawing; wave %s is %s',
                             TG_NAME, NEW.wave_id, COALESCE(state, 'unknown'));
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER selections_written_while_drawing BEFORE INSERT ON selections
    FOR EACH ROW EXECUTE FUNCTION selections_written_while_drawing();
CREATE TRIGGER selections_final BEFORE UPDATE OR DELETE OR TRUNCATE ON selections
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_statement('a published manifest is final');
CREATE TRIGGER selection_results_final BEFORE UPDATE OR DELETE OR TRUNCATE ON selection_results
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_statement('a drawn wave''s results are final');

------------------------------------------------------------------------------
-- Barred for good, and the ledger is append-only.

CREATE FUNCTION barred_niks_for_good() RETURNS trigger AS $$
BEGIN
    IF NEW.nik IS DISTINCT FROM OLD.nik OR NEW.wave_id IS DISTINCT FROM OLD.wave_id THEN
        RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
            MESSAGE = format('%s: NIK barred by wave %s stays barred by it', TG_NAME, OLD.wave_id);
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER barred_niks_for_good BEFORE UPDATE ON barred_niks
    FOR EACH ROW EXECUTE FUNCTION barred_niks_for_good();
CREATE TRIGGER barred_niks_never_lifted BEFORE DELETE OR TRUNCATE ON barred_niks
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_statement('a barred NIK is barred for good');

CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_statement('the ledger is append-only: record a correcting entry instead');
