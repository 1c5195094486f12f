//! A registration as stored: the columns of `registrations`.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use shared::domain::{Assessment, RegistrationRecord, storable};
use sqlx::PgConnection;
use uuid::Uuid;

/// Inserts unnested column arrays; returns the ids actually inserted.
pub const INSERT_SQL: &str = "\
INSERT INTO registrations (registration_id, wave_id, status, reasons, warnings, submitted_at, \
    nik, kk, full_name, birth_date, sex, email, phone, domicile_province, domicile_regency, \
    education, occupation, receives_social_assistance, payout_method, payout_provider, \
    payout_account, tier, raw) \
SELECT id, wave, st, string_to_array(rs, ',')::reason_code[], string_to_array(ws, ','), sub, \
    nik, kk, name, birth, sex, email, phone, prov, reg, edu, occ, sa, pm, pp, pa, tier, raw::jsonb \
FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], \
    $7::text[], $8::text[], $9::text[], $10::date[], $11::text[], $12::text[], $13::text[], \
    $14::text[], $15::text[], $16::text[], $17::text[], $18::boolean[], $19::text[], \
    $20::text[], $21::text[], $22::smallint[], $23::text[]) \
    AS t(id, wave, st, rs, ws, sub, nik, kk, name, birth, sex, email, phone, prov, reg, edu, \
         occ, sa, pm, pp, pa, tier, raw) \
ON CONFLICT (registration_id) DO NOTHING \
RETURNING registration_id";

/// One row of `registrations`. No `Debug`: it holds personal numbers and
/// the raw message (a `{:?}` would log them in full).
#[derive(Clone)]
pub struct RegistrationRow {
    pub registration_id: Uuid,
    pub wave_id: i64,
    pub status: &'static str,
    /// Reason codes joined by `,`, in canonical order.
    pub reasons: String,
    /// Warnings joined by `,`.
    pub warnings: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub nik: Option<String>,
    pub kk: Option<String>,
    pub full_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub domicile_province: Option<String>,
    pub domicile_regency: Option<String>,
    pub education: Option<String>,
    pub occupation: Option<String>,
    pub receives_social_assistance: Option<bool>,
    pub payout_method: Option<String>,
    pub payout_provider: Option<String>,
    pub payout_account: Option<String>,
    pub tier: Option<i16>,
    /// The message as received, for rejected registrations only.
    pub raw: Option<String>,
    /// Not a column: whether it takes part in its NIK's claim (see `store`).
    pub claimant: bool,
}

impl RegistrationRow {
    pub fn new(record: &RegistrationRecord, assessment: &Assessment, claimant: bool) -> Self {
        let eligible = assessment.reasons.is_empty();
        let reasons: Vec<&str> = assessment.reasons.iter().map(|r| r.as_str()).collect();
        let warnings: Vec<&str> = assessment.warnings.iter().map(|w| w.as_str()).collect();
        Self {
            registration_id: record.registration_id,
            wave_id: i64::from(record.wave_id),
            status: if eligible { "eligible" } else { "rejected" },
            reasons: reasons.join(","),
            warnings: warnings.join(","),
            submitted_at: record.submitted_at.map(|t| t.with_timezone(&Utc)),
            nik: record.nik.clone(),
            kk: record.kk.clone(),
            full_name: record.full_name.clone(),
            birth_date: record.birth_date,
            sex: record.sex.map(|s| s.as_str().to_owned()),
            email: record.email.clone(),
            phone: record.phone.clone(),
            domicile_province: record.domicile_province.clone(),
            domicile_regency: record.domicile_regency.clone(),
            education: record.education.map(|e| e.as_str().to_owned()),
            occupation: record.occupation.map(|o| o.as_str().to_owned()),
            receives_social_assistance: record.receives_social_assistance,
            payout_method: record.payout.method.map(|m| m.as_str().to_owned()),
            payout_provider: record.payout.provider.map(|p| p.as_str().to_owned()),
            payout_account: record.payout.account.clone(),
            tier: assessment.tier.map(i16::from),
            // As `jsonb` can hold it (`storable::json`).
            raw: (!eligible).then(|| storable::json(&record.raw_json).into_owned()),
            claimant,
        }
    }
}

/// The slow path: skips the registrations already stored.
pub async fn insert_skipping_stored(
    tx: &mut PgConnection,
    rows: &[RegistrationRow],
) -> Result<HashSet<Uuid>, sqlx::Error> {
    let ids: Vec<Uuid> = sqlx::query_scalar(INSERT_SQL)
        .bind(rows.iter().map(|r| r.registration_id).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.wave_id).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.status).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.reasons.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.warnings.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.submitted_at).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.nik.as_deref()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.kk.as_deref()).collect::<Vec<_>>())
        .bind(
            rows.iter()
                .map(|r| r.full_name.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(rows.iter().map(|r| r.birth_date).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.sex.as_deref()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.email.as_deref()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.phone.as_deref()).collect::<Vec<_>>())
        .bind(
            rows.iter()
                .map(|r| r.domicile_province.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.domicile_regency.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.education.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.occupation.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.receives_social_assistance)
                .collect::<Vec<_>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.payout_method.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.payout_provider.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.payout_account.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(rows.iter().map(|r| r.tier).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.raw.as_deref()).collect::<Vec<_>>())
        .fetch_all(&mut *tx)
        .await?;
    Ok(ids.into_iter().collect())
}
