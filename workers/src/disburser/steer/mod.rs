//! Operators steer payments, each decision recorded with who, when and why:
//! pausing and resuming a provider or all of them (`pause.rs`), a second
//! operator's approval of a run over the ceiling (`approve.rs`), and a
//! participant's new payout account (`payout.rs`). `status` says how things
//! stand, for `wave status`, `disburse report` and `disburse run`.

mod approve;
mod pause;
mod payout;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::PgPool;

pub use approve::{Approved, approve};
pub use pause::{PauseOutcome, ResumeOutcome, Scope, pause, resume};
pub use payout::{PayoutChange, PayoutChanged, change_payout};

/// Why an operator's steering is refused: nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum SteerError {
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

pub(crate) fn refused(why: impl Into<String>) -> SteerError {
    SteerError::Refused(why.into())
}

/// A pause in force.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Pause {
    /// A provider, or `*` for all.
    pub scope: String,
    pub paused_by: String,
    pub paused_at: DateTime<Utc>,
    pub note: String,
}

/// A run's hold (runs made while an approval ceiling was set).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Hold {
    pub run_date: NaiveDate,
    /// `computing`, `released`, `awaiting_approval` or `approved`.
    pub state: String,
    pub ceiling: i64,
    pub total_amount: Option<i64>,
    pub requested_by: Vec<String>,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
}

/// How payments are steered now.
#[derive(Debug, Clone, Serialize)]
pub struct Steering {
    pub pauses: Vec<Pause>,
    /// Runs whose instructions wait: for approval, or for their total.
    pub held_runs: Vec<Hold>,
}

const HOLD_COLUMNS: &str =
    "run_date, state, ceiling, total_amount, requested_by, approved_by, approved_at";

/// Pauses in force and runs held.
pub async fn status(pool: &PgPool) -> Result<Steering, sqlx::Error> {
    let pauses = sqlx::query_as(
        "SELECT scope, paused_by, paused_at, note FROM payment_pauses ORDER BY scope",
    )
    .fetch_all(pool)
    .await?;
    let held_runs = sqlx::query_as(&format!(
        "SELECT {HOLD_COLUMNS} FROM run_holds WHERE released_at IS NULL ORDER BY run_date"
    ))
    .fetch_all(pool)
    .await?;
    Ok(Steering { pauses, held_runs })
}

/// The hold of one run, if it has one.
pub async fn hold(pool: &PgPool, run_date: NaiveDate) -> Result<Option<Hold>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {HOLD_COLUMNS} FROM run_holds WHERE run_date = $1"
    ))
    .bind(run_date)
    .fetch_optional(pool)
    .await
}

impl Steering {
    /// Lines for a person; empty when nothing is paused or held.
    pub fn human(&self) -> String {
        let mut text = String::new();
        for p in &self.pauses {
            let what = if p.scope == "*" {
                "all providers".to_owned()
            } else {
                p.scope.clone()
            };
            text.push_str(&format!(
                "payments PAUSED to {what} since {} by {}: {} (`prakerja disburse resume`)\n",
                p.paused_at.to_rfc3339(),
                p.paused_by,
                p.note
            ));
        }
        for h in &self.held_runs {
            text.push_str(&h.human());
            text.push('\n');
        }
        text
    }
}

impl Hold {
    pub fn human(&self) -> String {
        match self.state.as_str() {
            "awaiting_approval" => format!(
                "run {} AWAITS APPROVAL: total Rp {} exceeds the ceiling Rp {}; requested by {}; \
                 a second operator runs `prakerja disburse approve {}`",
                self.run_date,
                self.total_amount.unwrap_or_default(),
                self.ceiling,
                if self.requested_by.is_empty() {
                    "nobody named".to_owned()
                } else {
                    self.requested_by.join(", ")
                },
                self.run_date
            ),
            "computing" => format!(
                "run {} is held until its total is known (ceiling Rp {})",
                self.run_date, self.ceiling
            ),
            "approved" => format!(
                "run {} (total Rp {}) approved by {} at {}",
                self.run_date,
                self.total_amount.unwrap_or_default(),
                self.approved_by.as_deref().unwrap_or_default(),
                self.approved_at.map(|t| t.to_rfc3339()).unwrap_or_default()
            ),
            _ => format!(
                "run {} (total Rp {}) is within the ceiling Rp {}: released",
                self.run_date,
                self.total_amount.unwrap_or_default(),
                self.ceiling
            ),
        }
    }
}
