-- A system-generated secret is kept where only the operator's role can read
-- it, never a worker: in a table of its own, so that it can be granted alone
-- (when database roles arrive: GRANT SELECT, INSERT ON wave_secrets to the
-- operator's role, and nothing on it to the workers' roles). Nothing refers
-- to it, and no view or function reads it. `prakerja wave open` writes it;
-- `prakerja wave close` reveals it into waves.secret, public from then on
-- (the selector and the audit bundle need it).
CREATE TABLE wave_secrets (
    wave_id     integer PRIMARY KEY,
    commitment  bytea NOT NULL,
    secret      bytea NOT NULL CHECK (octet_length(secret) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- The secret is the one the wave committed to.
    CHECK (sha256(secret) = commitment)
);
REVOKE ALL ON wave_secrets FROM PUBLIC;

ALTER TABLE waves ADD CONSTRAINT waves_id_commitment UNIQUE (wave_id, commitment);
ALTER TABLE wave_secrets ADD CONSTRAINT wave_secrets_wave
    FOREIGN KEY (wave_id, commitment) REFERENCES waves (wave_id, commitment);

-- Secrets of waves still open move out of the wave row; the old rule that a
-- system wave's row holds its secret from the start goes with them.
ALTER TABLE waves DROP CONSTRAINT waves_check;
INSERT INTO wave_secrets (wave_id, commitment, secret)
SELECT wave_id, commitment, secret FROM waves
 WHERE state::text = 'open' AND secret_source = 'system' AND secret IS NOT NULL;
UPDATE waves SET secret = NULL WHERE state::text = 'open' AND secret_source = 'system';

-- waves.secret is the revealed secret: the one committed to, revealed by the
-- close (set once, at close: trigger waves_guard_beacon_and_secret).
ALTER TABLE waves ADD CONSTRAINT waves_secret_matches_commitment
    CHECK (secret IS NULL OR sha256(secret) = commitment);
ALTER TABLE waves ADD CONSTRAINT waves_closed_with_secret
    CHECK (closed_at IS NULL OR secret IS NOT NULL);

-- A kept secret never changes.
CREATE FUNCTION wave_secrets_never_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'wave %: its kept secret never changes', OLD.wave_id
        USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER wave_secrets_never_change BEFORE UPDATE ON wave_secrets
    FOR EACH ROW EXECUTE FUNCTION wave_secrets_never_change();
