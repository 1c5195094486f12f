-- Settling DUPLICATE_NIK looks registrations up by (wave, NIK). With an index
-- on the NIK alone, the planner (whose statistics lag behind a wave that grows
-- by millions while it is validated) combined it with the (wave_id, status)
-- index and read the whole wave's index for every contested NIK: each batch
-- got slower as the wave grew. One index on (nik, wave_id) answers lookups by
-- NIK and by (wave, NIK) alike.
CREATE INDEX registrations_nik_wave ON registrations (nik, wave_id);
DROP INDEX registrations_nik;
