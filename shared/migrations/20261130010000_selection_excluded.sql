-- The eligible registrations of a wave that its draw leaves out because their
-- NIK was already barred (selected or revoked in another wave) when the
-- draw's inputs were frozen. Written by the freeze, in the transaction that
-- moves the wave to `drawing`, beside `selection_prior`. A draw's candidates
-- are the wave's eligible registrations minus these: both are frozen from
-- then on (migration 20261130010001), so a later revocation (which rewrites
-- `barred_niks.since`) or promotion (which bars more NIKs) cannot change the
-- candidates of a restarted draw, nor what `prakerja audit` expects.
CREATE TABLE selection_excluded (
    wave_id  integer NOT NULL REFERENCES waves,
    nik      text NOT NULL,
    PRIMARY KEY (wave_id, nik)
);

-- Waves frozen before this table existed. A drawn wave left out exactly the
-- eligible NIKs that are not among its candidates (set operations: no plan
-- can turn them quadratic); a wave still drawing left out what is barred
-- elsewhere now.
INSERT INTO selection_excluded (wave_id, nik)
SELECT r.wave_id::integer, r.nik
  FROM registrations r JOIN waves w ON w.wave_id = r.wave_id
 WHERE w.state = 'drawn' AND r.status = 'eligible'
EXCEPT
SELECT s.wave_id, s.nik FROM selection_results s;

INSERT INTO selection_excluded (wave_id, nik)
SELECT DISTINCT r.wave_id::integer, r.nik
  FROM registrations r JOIN waves w ON w.wave_id = r.wave_id
 WHERE w.state = 'drawing' AND r.status = 'eligible'
   AND EXISTS (SELECT 1 FROM barred_niks b WHERE b.nik = r.nik AND b.wave_id <> w.wave_id);
