//! `prakerja disburse report [--date D]`: reconciliation. Exits 1 while an
//! invariant is broken or anything waits for an operator (a conflict, an
//! overpayment, a result for an unknown instruction or with a wrong key).

use chrono::NaiveDate;
use clap::Args;
use serde::Serialize;

use super::error::{CliError, CliResult, input};
use super::output::Output;
use crate::app::App;
use crate::disburser::steer::{self, Steering};
use crate::reconcile::{Reconciliation, human, reconcile};

#[derive(Debug, Args)]
#[command(
    after_help = "Lines: entitled, instructed, confirmed, failed, reversed, unknown (no answer yet),\n\
outstanding and on hold (an unresolved conflicting result: no run makes a new attempt), by wave, kind\n\
and provider; then what waits for an operator: conflicts, overpayments to recover (participant masked,\n\
entitlement, amount, both instructions), results for unknown instructions or with a wrong key.\n\
Each is settled with `prakerja disburse resolve INSTRUCTION --as success|failed|recovered|acknowledged\n\
--note TEXT`.\n\
Exit codes: 0 every invariant holds and nothing is unresolved; 1 otherwise; 2 a bad --date; 3 a\n\
service failed."
)]
pub struct ReportArgs {
    /// Only entitlements due on or before this date (YYYY-MM-DD).
    #[arg(long)]
    pub date: Option<String>,
}

/// Prints the report; fails (exit 1) unless it is clean.
pub async fn run(app: &App, out: Output, args: ReportArgs) -> CliResult<Reconciliation> {
    let as_of = args
        .date
        .map(|d| {
            NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .map_err(|e| input(format!("--date {d:?} is not YYYY-MM-DD: {e}")))
        })
        .transpose()?;
    let report = reconcile(&app.pool, as_of, &app.settings.disburser.card_provider).await?;
    let shown = Shown {
        report,
        payments: steer::status(&app.pool).await?,
    };
    out.print(&shown, |s| {
        format!("{}\n{}", human(&s.report), s.payments.human())
    });
    Ok(shown.report)
}

/// The report, and how payments are steered (pauses, runs held).
#[derive(Debug, Serialize)]
struct Shown {
    #[serde(flatten)]
    report: Reconciliation,
    payments: Steering,
}

/// Exit 1 with what is wrong, unless the report is clean.
pub fn verdict(report: &Reconciliation) -> CliResult<()> {
    let mut wrong = Vec::new();
    if !report.holds {
        wrong.push("an invariant is broken".to_owned());
    }
    let u = &report.unresolved;
    for (count, what) in [
        (u.conflicts, "conflicting result(s)"),
        (u.overpayments.len() as i64, "overpayment(s) to recover"),
        (u.unknown_instruction, "result(s) for unknown instructions"),
        (u.key_mismatch, "result(s) with a wrong idempotency key"),
    ] {
        if count > 0 {
            wrong.push(format!("{count} {what} unresolved"));
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(CliError::CheckFailed(wrong.join("; ")))
    }
}
