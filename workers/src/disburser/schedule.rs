//! The disburser's own nightly schedule: once the configured local time has
//! passed, today's run is requested (one request per date, whichever
//! disburser makes it).

use chrono::{NaiveDate, Utc};
use shared::config::DisburserSettings;
use sqlx::PgPool;
use uuid::Uuid;

use super::requests::record_request;

/// Namespace of the scheduler's deterministic request ids.
const SCHEDULE_NAMESPACE: Uuid = Uuid::from_u128(0x5d1e_6b7a_93c4_4e0f_8a2b_7c6d_1e3f_9a01);

/// The date whose run is due now, if the run time has passed today.
pub fn due_date(settings: &DisburserSettings, now: chrono::DateTime<Utc>) -> Option<NaiveDate> {
    let local = now.with_timezone(&settings.timezone);
    (local.time() >= settings.daily_run_at).then(|| local.date_naive())
}

/// Requests today's run if it is due; returns whether a new request was made.
pub async fn tick(pool: &PgPool, settings: &DisburserSettings) -> Result<bool, sqlx::Error> {
    let Some(date) = due_date(settings, Utc::now()) else {
        return Ok(false);
    };
    let id = Uuid::new_v5(&SCHEDULE_NAMESPACE, date.to_string().as_bytes());
    Ok(record_request(pool, id, date, Some("schedule")).await? == 1)
}
