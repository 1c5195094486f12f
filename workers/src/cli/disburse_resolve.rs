//! `prakerja disburse resolve INSTRUCTION --as DECISION --note TEXT`: an
//! operator's decision on payment results that are not believed, after
//! checking with the provider. Recorded with who, when and why.

use clap::Args;
use shared::db_text::DbText;
use shared::payments::Decision;
use uuid::Uuid;

use super::error::{CliError, CliResult, input};
use super::operator::operator;
use crate::app::App;
use crate::disburser::resolve::{ResolveError, Resolved, resolve};

#[derive(Debug, Args)]
#[command(after_help = "Decisions:\n  \
  success       a conflict: the provider confirms this instruction's money went out and stayed out\n  \
  failed        a conflict: it did not go out (or came back); the entitlement may be tried again\n  \
  recovered     an overpayment: another attempt succeeded, this one paid too, and the money has\n                \
  been recovered from the participant (the ledger shows both payment and recovery)\n  \
  acknowledged  results for an unknown instruction or with a wrong idempotency key: reviewed\n                \
  (they are never applied)\n\
A conflict holds its entitlement (no run makes a new attempt) until it is resolved.\n\
Exit codes: 0 recorded; 2 nothing to resolve for that instruction or a decision that does not fit it\n\
(the message says which); 3 a service failed.")]
pub struct ResolveArgs {
    /// The instruction id the results name.
    pub instruction: String,
    /// success, failed, recovered or acknowledged.
    #[arg(long = "as", value_name = "DECISION", value_parser = parse_decision)]
    pub decision: Decision,
    /// Why: what the provider said, and the case or ticket number.
    #[arg(long)]
    pub note: String,
}

fn parse_decision(text: &str) -> Result<Decision, String> {
    Decision::parse(text).map_err(|e| e.to_string())
}

pub async fn run(app: &App, args: ResolveArgs) -> CliResult<Resolved> {
    let instruction: Uuid = args.instruction.parse().map_err(|e| {
        input(format!(
            "INSTRUCTION {:?} is not a UUID: {e}",
            args.instruction
        ))
    })?;
    let by = operator(app);
    resolve(&app.pool, instruction, args.decision, &args.note, &by)
        .await
        .map_err(|e| match e {
            ResolveError::Refused(why) => input(why),
            ResolveError::Database(e) => CliError::Failure(e.into()),
        })
}

pub fn human(r: &Resolved) -> String {
    let status = match (r.status_before, r.status_after) {
        (Some(before), Some(after)) if before != after => format!("; status {before} -> {after}"),
        (Some(status), _) => format!("; status stays {status}"),
        _ => String::new(),
    };
    let ledger: Vec<String> = r
        .ledger
        .iter()
        .map(|(kind, amount)| format!("{kind} Rp {amount}"))
        .collect();
    format!(
        "resolution {} by {}: instruction {} --as {}; {} result(s) settled{status}{}{}",
        r.resolution_id,
        r.resolved_by,
        r.instruction_id,
        r.decision,
        r.results,
        if ledger.is_empty() {
            String::new()
        } else {
            format!("; ledger: {}", ledger.join(", "))
        },
        if r.still_on_hold {
            "; the entitlement stays on hold (another conflict of it is unresolved)"
        } else {
            ""
        }
    )
}
