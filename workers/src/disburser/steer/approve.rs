//! `prakerja disburse approve RUN`: a second operator releases a run whose
//! total exceeds the ceiling. Refused for the operator who requested it (and
//! by the database: `run_holds_second_operator`), for a run still computing
//! its total, within the ceiling, or approved already.

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::PgPool;

use super::{Hold, SteerError, refused};

#[derive(Debug, Serialize)]
pub struct Approved {
    pub hold: Hold,
}

/// Approves the run of `run_date` as `by`.
pub async fn approve(
    pool: &PgPool,
    run_date: NaiveDate,
    by: &str,
    note: Option<&str>,
) -> Result<Approved, SteerError> {
    let mut tx = pool.begin().await?;
    let hold: Option<Hold> = sqlx::query_as(
        "SELECT run_date, state, ceiling, total_amount, requested_by, approved_by, approved_at \
           FROM run_holds WHERE run_date = $1 FOR UPDATE",
    )
    .bind(run_date)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(hold) = hold else {
        let ran: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM disbursement_runs WHERE run_date = $1)",
        )
        .bind(run_date)
        .fetch_one(&mut *tx)
        .await?;
        return Err(refused(if ran {
            format!(
                "run {run_date} needs no approval: it was made while no approval ceiling was set"
            )
        } else {
            format!("there is no run of {run_date}")
        }));
    };
    match hold.state.as_str() {
        "awaiting_approval" => {}
        "computing" => {
            return Err(refused(format!(
                "run {run_date} is still running: its total is not known yet; approve it once `prakerja disburse run` shows it waiting"
            )));
        }
        "released" => {
            return Err(refused(format!(
                "run {run_date} needs no approval: its total Rp {} is within the ceiling Rp {}",
                hold.total_amount.unwrap_or_default(),
                hold.ceiling
            )));
        }
        _ => {
            return Err(refused(format!(
                "run {run_date} was approved already by {} at {}",
                hold.approved_by.as_deref().unwrap_or_default(),
                hold.approved_at.map(|t| t.to_rfc3339()).unwrap_or_default()
            )));
        }
    }
    if hold.requested_by.iter().any(|r| r == by) {
        return Err(refused(format!(
            "run {run_date} was requested by {by}: a second operator must approve it (the operator is \
             disburser.operator_name, PRAKERJA__DISBURSER__OPERATOR_NAME, or the OS user)"
        )));
    }
    let hold: Hold = sqlx::query_as(
        "UPDATE run_holds SET state = 'approved', approved_by = $2, approved_at = now(), \
                released_at = now(), approval_note = $3 \
          WHERE run_date = $1 \
         RETURNING run_date, state, ceiling, total_amount, requested_by, approved_by, approved_at",
    )
    .bind(run_date)
    .bind(by)
    .bind(note)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Approved { hold })
}
