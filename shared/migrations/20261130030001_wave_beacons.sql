-- The draw's beacon (CONTRACTS.md, "The draw's randomness"). Its source is
-- fixed when the wave opens: 'none', or 'drand:CHAIN' with the chain's
-- parameters frozen in beacon_chain (hash, public key, scheme, genesis,
-- period, delay, URLs). 'operator' marks waves closed before this change with
-- a beacon the operator chose at close; no new wave gets it.
--
-- For a drand wave the round is derived, never chosen: the first round whose
-- time (genesis + (round - 1) * period) is at least frozen_at + delay. The
-- selector (or `prakerja wave beacon`) records round, signature and
-- randomness (beacon = SHA-256 of the signature) once, while the wave is
-- drawing, after verifying the signature against beacon_chain's public key.
ALTER TABLE waves
    ADD COLUMN beacon_chain      jsonb,
    ADD COLUMN beacon_round      bigint CHECK (beacon_round >= 1),
    ADD COLUMN beacon_signature  bytea;

-- The free text `--beacon-source` stored here goes: a wave that was closed
-- with a beacon had the operator's; every other wave has none.
UPDATE waves SET beacon_source =
    CASE WHEN state::text <> 'open' AND octet_length(beacon) > 0 THEN 'operator' ELSE 'none' END;
ALTER TABLE waves ALTER COLUMN beacon_source SET NOT NULL;
ALTER TABLE waves ADD CONSTRAINT waves_beacon_source_form
    CHECK (beacon_source ~ '^(none|operator|drand:[a-z0-9_-]{1,64})$');
ALTER TABLE waves ADD CONSTRAINT waves_beacon_chain_with_drand
    CHECK ((beacon_source LIKE 'drand:%') = (beacon_chain IS NOT NULL));
ALTER TABLE waves ADD CONSTRAINT waves_beacon_round_with_signature
    CHECK ((beacon_round IS NULL) = (beacon_signature IS NULL));
-- A drand beacon is its round's randomness, and comes with its round.
ALTER TABLE waves ADD CONSTRAINT waves_beacon_is_randomness
    CHECK (beacon_signature IS NULL OR beacon = sha256(beacon_signature));
ALTER TABLE waves ADD CONSTRAINT waves_drand_beacon_with_round
    CHECK (beacon_source NOT LIKE 'drand:%' OR beacon IS NULL OR beacon_round IS NOT NULL);

-- What is set once, and when: the beacon source and chain at open (never
-- changed); the secret at close; the beacon of a 'none' wave (empty) at
-- close; a drand round while drawing, and only the derived one. A wave is
-- drawn only with its beacon.
CREATE FUNCTION waves_guard_beacon_and_secret() RETURNS trigger AS $$
DECLARE
    target_us  bigint;
    period_us  bigint;
    since_us   bigint;
    derived    bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.secret IS NOT NULL OR NEW.beacon IS NOT NULL OR NEW.beacon_round IS NOT NULL THEN
            RAISE EXCEPTION 'wave %: a new wave has no revealed secret and no beacon yet', NEW.wave_id
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.beacon_source IS DISTINCT FROM OLD.beacon_source
       OR NEW.beacon_chain IS DISTINCT FROM OLD.beacon_chain THEN
        RAISE EXCEPTION 'wave %: the beacon source is fixed when the wave opens', OLD.wave_id
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.secret IS DISTINCT FROM OLD.secret THEN
        IF OLD.secret IS NOT NULL THEN
            RAISE EXCEPTION 'wave %: its revealed secret never changes', OLD.wave_id
                USING ERRCODE = 'check_violation';
        END IF;
        IF NOT (OLD.state::text = 'open' AND NEW.state::text = 'closed') THEN
            RAISE EXCEPTION 'wave %: the secret is revealed by the close, nothing else', OLD.wave_id
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF NEW.beacon IS DISTINCT FROM OLD.beacon
       OR NEW.beacon_round IS DISTINCT FROM OLD.beacon_round
       OR NEW.beacon_signature IS DISTINCT FROM OLD.beacon_signature THEN
        IF OLD.beacon IS NOT NULL OR OLD.beacon_round IS NOT NULL THEN
            RAISE EXCEPTION 'wave %: its beacon is set once and never changed', OLD.wave_id
                USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.beacon_source = 'none' THEN
            IF NOT (OLD.state::text = 'open' AND NEW.state::text = 'closed'
                    AND NEW.beacon = ''::bytea AND NEW.beacon_round IS NULL) THEN
                RAISE EXCEPTION 'wave %: a wave without beacon gets the empty beacon at close, nothing else', OLD.wave_id
                    USING ERRCODE = 'check_violation';
            END IF;
        ELSIF NEW.beacon_source LIKE 'drand:%' THEN
            IF NOT (OLD.state::text = 'drawing' AND NEW.state::text = 'drawing') THEN
                RAISE EXCEPTION 'wave %: a drand round is recorded only while the wave is drawing (it is %)',
                    OLD.wave_id, OLD.state USING ERRCODE = 'check_violation';
            END IF;
            IF NEW.beacon IS NULL OR NEW.beacon_round IS NULL THEN
                RAISE EXCEPTION 'wave %: a drand beacon is recorded with its round and signature', OLD.wave_id
                    USING ERRCODE = 'check_violation';
            END IF;
            -- Whole microseconds, as shared/src/beacon/round.rs computes it.
            target_us := (extract(epoch FROM NEW.frozen_at) * 1000000)::bigint
                         + (NEW.beacon_chain ->> 'delay_secs')::bigint * 1000000;
            since_us := target_us - (NEW.beacon_chain ->> 'genesis')::bigint * 1000000;
            period_us := (NEW.beacon_chain ->> 'period_secs')::bigint * 1000000;
            derived := CASE WHEN since_us <= 0 THEN 1 ELSE (since_us + period_us - 1) / period_us + 1 END;
            IF NEW.beacon_round <> derived THEN
                RAISE EXCEPTION 'wave %: its beacon is round % (the first at or after frozen_at + delay), not %',
                    OLD.wave_id, derived, NEW.beacon_round USING ERRCODE = 'check_violation';
            END IF;
        ELSE
            RAISE EXCEPTION 'wave %: a beacon of source % is not recorded any more', OLD.wave_id, NEW.beacon_source
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF NEW.state::text = 'drawn' AND NEW.beacon IS NULL THEN
        RAISE EXCEPTION 'wave %: a wave is drawn only with its beacon', OLD.wave_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER waves_guard_beacon_and_secret BEFORE INSERT OR UPDATE ON waves
    FOR EACH ROW EXECUTE FUNCTION waves_guard_beacon_and_secret();
