//! Reconciliation: what was owed, instructed, confirmed, failed, reversed,
//! unknown, on hold and returned, by kind, provider and wave; the money's
//! invariants (nobody paid twice or beyond the scheme; the ledger balances
//! to the instructions); and what waits for an operator (conflicts,
//! overpayments, results not believed).
//!
//! Every query runs in one read-only, repeatable-read transaction (one
//! snapshot, so the numbers agree with each other) with nested-loop joins
//! disabled: each join is a hash or merge join, linear in the data whatever
//! statistics the planner has (none, right after a bulk load; stale, after
//! months). `tests/it/report_plans.rs` checks every query's plan on tables
//! that were never analysed.

mod human;
mod invariants;
mod lines;
mod unresolved;

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

pub use human::human;
pub use invariants::{Invariant, check_invariants};
pub use lines::Line;
pub use unresolved::{Conflict, LISTED, Overpayment, Unbelieved, Unresolved};

/// The whole report.
#[derive(Debug, Serialize)]
pub struct Reconciliation {
    /// Entitlements due on or before this date (all when `None`).
    pub as_of: Option<NaiveDate>,
    pub lines: Vec<Line>,
    pub invariants: Vec<Invariant>,
    /// What an operator must still resolve (`prakerja disburse resolve`).
    pub unresolved: Unresolved,
    /// Training events kept but not applied, by reason.
    pub ignored_events: Vec<(String, i64)>,
    /// Every invariant holds.
    pub holds: bool,
    /// Every invariant holds and nothing waits for an operator: the report's
    /// exit code is 0 exactly when this is true.
    pub clean: bool,
}

const IGNORED_EVENTS: &str = "SELECT ignored_reason, count(*) FROM training_events \
  WHERE ignored_reason IS NOT NULL GROUP BY 1 ORDER BY 1";

/// Builds the report.
pub async fn reconcile(
    pool: &PgPool,
    as_of: Option<NaiveDate>,
    card_provider: &str,
) -> anyhow::Result<Reconciliation> {
    let mut tx = begin(pool).await?;
    let report = reconcile_in(&mut tx, as_of, card_provider).await?;
    tx.commit().await?;
    Ok(report)
}

/// Builds the report in the caller's transaction (from [`begin`]), so that
/// other queries can share its snapshot.
pub async fn reconcile_in(
    tx: &mut PgConnection,
    as_of: Option<NaiveDate>,
    card_provider: &str,
) -> anyhow::Result<Reconciliation> {
    let lines = lines::lines(&mut *tx, as_of, card_provider).await?;
    let invariants = check_invariants(&mut *tx).await?;
    let unresolved = unresolved::unresolved(&mut *tx).await?;
    let ignored_events: Vec<(String, i64)> =
        sqlx::query_as(IGNORED_EVENTS).fetch_all(&mut *tx).await?;
    let holds = invariants.iter().all(|i| i.holds);
    Ok(Reconciliation {
        as_of,
        lines,
        invariants,
        clean: holds && !unresolved.any(),
        unresolved,
        ignored_events,
        holds,
    })
}

/// The report's transaction: one snapshot, read only, no nested loops.
pub async fn begin(pool: &PgPool) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    sqlx::query("SET LOCAL enable_nestloop = off")
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// Every query of the report, by name, with the plan PostgreSQL chose for
/// it (`EXPLAIN (FORMAT JSON)`) in the report's own transaction settings.
pub async fn explain(
    pool: &PgPool,
    card_provider: &str,
) -> Result<Vec<(String, serde_json::Value)>, sqlx::Error> {
    let mut tx = begin(pool).await?;
    let mut plans = Vec::new();
    let mut named: Vec<(String, &str)> = vec![
        ("unresolved counts".into(), unresolved::COUNTS),
        ("holds".into(), unresolved::HOLDS),
        ("overpayments".into(), unresolved::OVERPAYMENTS),
        ("ignored events".into(), IGNORED_EVENTS),
    ];
    named.extend(
        invariants::CHECKS
            .iter()
            .map(|(name, sql)| (format!("invariant: {name}"), *sql)),
    );
    for (name, sql) in named {
        plans.push((name, plan(&mut tx, sql, |q| q).await?));
    }
    for (name, sql) in [
        ("conflicts", unresolved::CONFLICTS),
        ("unbelieved", unresolved::UNBELIEVED),
    ] {
        plans.push((name.into(), plan(&mut tx, sql, |q| q.bind(LISTED)).await?));
    }
    let as_of = Some(chrono::Utc::now().date_naive());
    let provider = card_provider.to_owned();
    plans.push((
        "lines".into(),
        plan(&mut tx, lines::SQL, |q| q.bind(as_of).bind(provider)).await?,
    ));
    tx.rollback().await?;
    Ok(plans)
}

type Query<'q> = sqlx::query::QueryScalar<
    'q,
    Postgres,
    sqlx::types::Json<serde_json::Value>,
    sqlx::postgres::PgArguments,
>;

async fn plan(
    tx: &mut PgConnection,
    sql: &str,
    bind: impl for<'q> FnOnce(Query<'q>) -> Query<'q>,
) -> Result<serde_json::Value, sqlx::Error> {
    let text = format!("EXPLAIN (FORMAT JSON) {sql}");
    Ok(bind(sqlx::query_scalar(&text)).fetch_one(&mut *tx).await?.0)
}
