//! `prakerja disburse pause|resume [--provider P] --note TEXT` and
//! `prakerja disburse approve RUN`: operators steering payments.

use chrono::NaiveDate;
use clap::Args;

use super::error::{CliError, CliResult, input};
use super::operator::operator;
use crate::app::App;
use crate::disburser::steer::{self, Approved, PauseOutcome, ResumeOutcome, Scope, SteerError};

#[derive(Debug, Args)]
#[command(
    after_help = "While paused, the relay publishes no instruction to that provider (to none with no\n\
--provider) and no run instructs it: its entitlements stay due and a run after the resume instructs\n\
them. The pause returns once no relay batch fetched before it is still being published.\n\
Providers: BNI, BRI, MANDIRI, BCA, OVO, GOPAY, LINKAJA, DANA and the card provider.\n\
Exit codes: 0 paused (or already paused); 2 an unknown provider or no --note; 3 a service failed."
)]
pub struct PauseArgs {
    /// Only this provider (default: all).
    #[arg(long)]
    pub provider: Option<String>,
    /// Why (recorded with who and when).
    #[arg(long)]
    pub note: String,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Without --provider every pause is lifted; with it, that provider's own pause\n\
(a pause of all providers stays). Exit codes: 0 done (also when nothing was paused); 2 bad input;\n\
3 a service failed."
)]
pub struct ResumeArgs {
    /// Only this provider's pause (default: every pause).
    #[arg(long)]
    pub provider: Option<String>,
    /// Why (recorded with who and when).
    #[arg(long)]
    pub note: String,
}

#[derive(Debug, Args)]
#[command(
    after_help = "A run whose instructions total more than disburser.approval_ceiling waits: none of them\n\
is published until a second operator, not one who requested the run, approves it. The operator is\n\
disburser.operator_name (PRAKERJA__DISBURSER__OPERATOR_NAME), else the OS user.\n\
Exit codes: 0 approved; 2 the run needs no approval, is approved already, is still running, or was\n\
requested by this operator; 3 a service failed."
)]
pub struct ApproveArgs {
    /// The run's date, YYYY-MM-DD.
    pub run: String,
    /// Recorded with the approval.
    #[arg(long)]
    pub note: Option<String>,
}

fn steer_error(error: SteerError) -> CliError {
    match error {
        SteerError::Refused(why) => input(why),
        SteerError::Database(e) => CliError::Failure(e.into()),
    }
}

fn scope(app: &App, provider: Option<&str>) -> CliResult<Scope> {
    Scope::parse(provider, &app.settings.disburser.card_provider).map_err(steer_error)
}

pub async fn pause(app: &App, args: PauseArgs) -> CliResult<PauseOutcome> {
    let scope = scope(app, args.provider.as_deref())?;
    steer::pause(&app.pool, &scope, &operator(app), &args.note)
        .await
        .map_err(steer_error)
}

pub async fn resume(app: &App, args: ResumeArgs) -> CliResult<ResumeOutcome> {
    let scope = scope(app, args.provider.as_deref())?;
    steer::resume(&app.pool, &scope, &operator(app), &args.note)
        .await
        .map_err(steer_error)
}

pub async fn approve(app: &App, args: ApproveArgs) -> CliResult<Approved> {
    let run_date = NaiveDate::parse_from_str(args.run.trim(), "%Y-%m-%d")
        .map_err(|e| input(format!("RUN {:?} is not a date YYYY-MM-DD: {e}", args.run)))?;
    steer::approve(&app.pool, run_date, &operator(app), args.note.as_deref())
        .await
        .map_err(steer_error)
}

fn scope_name(scope: &str) -> String {
    if scope == "*" {
        "all providers".to_owned()
    } else {
        scope.to_owned()
    }
}

pub fn pause_human(p: &PauseOutcome) -> String {
    let mut text = if p.paused_now {
        format!(
            "payments to {} paused by {}: {}",
            scope_name(&p.scope),
            p.pause.paused_by,
            p.pause.note
        )
    } else {
        format!(
            "payments to {} were paused already, since {} by {}: {}",
            scope_name(&p.scope),
            p.pause.paused_at.to_rfc3339(),
            p.pause.paused_by,
            p.pause.note
        )
    };
    if !p.relay_settled {
        text.push_str("\nwarning: a relay batch fetched before the pause was still being published after 30 s");
    }
    text
}

pub fn resume_human(r: &ResumeOutcome) -> String {
    let mut text = if r.resumed.is_empty() {
        "nothing to resume: no such pause".to_owned()
    } else {
        let names: Vec<String> = r.resumed.iter().map(|s| scope_name(s)).collect();
        format!("payments resumed to {}", names.join(", "))
    };
    for p in &r.still_paused {
        text.push_str(&format!(
            "\nstill paused: {} (since {} by {}: {})",
            scope_name(&p.scope),
            p.paused_at.to_rfc3339(),
            p.paused_by,
            p.note
        ));
    }
    text
}

pub fn approve_human(a: &Approved) -> String {
    format!(
        "{}: its instructions are released to payments.instructions",
        a.hold.human()
    )
}
