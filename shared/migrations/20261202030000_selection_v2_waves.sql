-- prakerja-selection-v2 wired through the system (issue 12).
--
-- A wave records its selection algorithm when it opens; a v2 wave also
-- records the fingerprint of the programme's family key it derives `fid`s
-- with (SHA-256 of a domain-separated key, never the key:
-- shared/src/selection/derive.rs, `FamilyKey::fingerprint`). Both never
-- change. Waves opened before this migration were all v1.
ALTER TABLE waves
    ADD COLUMN selection_algorithm text NOT NULL DEFAULT 'v1'
        CONSTRAINT waves_selection_algorithm_known CHECK (selection_algorithm IN ('v1', 'v2')),
    ADD COLUMN family_key_fingerprint bytea
        CONSTRAINT waves_family_key_fingerprint_length CHECK (octet_length(family_key_fingerprint) = 32),
    ADD CONSTRAINT waves_v2_has_family_key
        CHECK ((selection_algorithm = 'v2') = (family_key_fingerprint IS NOT NULL));

CREATE FUNCTION waves_selection_fixed() RETURNS trigger AS $$
BEGIN
    IF NEW.selection_algorithm IS DISTINCT FROM OLD.selection_algorithm
       OR NEW.family_key_fingerprint IS DISTINCT FROM OLD.family_key_fingerprint THEN
        RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
            MESSAGE = format('%s: wave %s was opened with its selection algorithm and family key, which never change',
                             TG_NAME, OLD.wave_id);
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER waves_selection_fixed BEFORE UPDATE ON waves
    FOR EACH ROW EXECUTE FUNCTION waves_selection_fixed();

-- A v2 draw's pseudonymous candidate id, stored with each result row and
-- participant (NULL for v1 waves): what `participants.selected`, receipts
-- and exports publish instead of the NIK.
ALTER TABLE selection_results
    ADD COLUMN pid text CONSTRAINT selection_results_pid_format CHECK (pid ~ '^[0-9a-f]{32}$');
ALTER TABLE participants
    ADD COLUMN pid text CONSTRAINT participants_pid_format CHECK (pid ~ '^[0-9a-f]{32}$');
