//! The statements an audit runs over a whole wave, by name, so that
//! `wave_statements` can list them for the test that checks their plans.
//! An audit may run on a database whose statistics are missing (restored
//! from a dump, never analysed) or stale, so the checks compare sets
//! (`EXCEPT`): PostgreSQL executes a set operation by one hash or one sort
//! of each side, never by a nested loop, whatever it estimates.

/// A consistency check that counts what is wrong (zero: the check holds).
/// `$1` is the wave's id, bound as a `bigint`.
#[derive(Debug, Clone, Copy)]
pub struct CountCheck {
    pub name: &'static str,
    pub sql: &'static str,
    /// What the count counts, after the number ("3 candidate(s) …").
    pub counts: &'static str,
}

pub const COUNT_CHECKS: [CountCheck; 4] = [
    CountCheck {
        name: "every candidate is an eligible registration of the wave",
        sql: "SELECT count(*) FROM ( \
                SELECT registration_id, nik, kk, province, tier FROM selection_results WHERE wave_id = $1 \
                EXCEPT ALL \
                SELECT registration_id, nik, kk, domicile_province, tier FROM registrations \
                 WHERE wave_id = $1 AND status = 'eligible') d",
        counts: "candidate(s) do not match an eligible registration",
    },
    CountCheck {
        name: "every eligible registration was a candidate",
        sql: "SELECT count(*) FROM ( \
                SELECT nik FROM registrations WHERE wave_id = $1 AND status = 'eligible' \
                EXCEPT \
                (SELECT nik FROM selection_results WHERE wave_id = $1 \
                 UNION ALL SELECT nik FROM selection_excluded WHERE wave_id = $1)) d",
        counts: "eligible registration(s) were left out of the draw",
    },
    CountCheck {
        name: "every registration left out is barred by another wave",
        sql: "SELECT count(*) FROM ( \
                SELECT nik FROM selection_excluded WHERE wave_id = $1 \
                EXCEPT \
                SELECT nik FROM barred_niks WHERE wave_id <> $1) d",
        counts: "registration(s) were left out of the draw with no reason",
    },
    CountCheck {
        name: "participants are the selected candidates",
        sql: "SELECT count(*) FROM ( \
                (SELECT nik FROM selection_results WHERE wave_id = $1 AND status = 'SELECTED' \
                 EXCEPT SELECT nik FROM participants WHERE wave_id = $1 AND origin = 'drawn') \
                UNION ALL \
                (SELECT nik FROM participants WHERE wave_id = $1 AND origin = 'drawn' \
                 EXCEPT SELECT nik FROM selection_results WHERE wave_id = $1 AND status = 'SELECTED')) d",
        counts: "NIK(s) differ between the selected and the drawn participants",
    },
];

/// Every result row with its candidate's inputs and submission time, for
/// the skew check (read with `COPY`).
pub fn skew_rows(wave_id: i32) -> String {
    format!(
        "SELECT s.nik, s.kk, s.province, s.tier, s.registration_id, \
                COALESCE(extract(epoch FROM r.submitted_at)::bigint, 0) \
           FROM selection_results s LEFT JOIN registrations r USING (registration_id) \
          WHERE s.wave_id = {wave_id}"
    )
}

/// A stored draw's rows in output order (read with `COPY`).
pub fn stored_rows(wave_id: i32) -> String {
    format!(
        "SELECT stratum, rank, nik, status, kk, province, tier, registration_id, pid \
           FROM selection_results \
          WHERE wave_id = {wave_id} ORDER BY stratum COLLATE \"C\", rank"
    )
}
