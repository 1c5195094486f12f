//! `prakerja participant payout NIK --method … --provider … --account …`:
//! a participant's new payout account for cash incentives.

use clap::{Args, Subcommand};

use super::error::{CliError, CliResult, input};
use super::operator::operator;
use crate::app::App;
use crate::disburser::steer::{PayoutChange, PayoutChanged, SteerError, change_payout};

#[derive(Debug, Subcommand)]
pub enum ParticipantCommand {
    /// Give a participant a new bank account or e-wallet for cash incentives (validated like a
    /// registration's payout); the next attempt uses it.
    Payout(PayoutArgs),
}

#[derive(Debug, Args)]
#[command(
    after_help = "Validated exactly as a registration's payout (PAYOUT_ACCOUNT): BNI and BCA accounts have\n\
10 digits, MANDIRI 13, BRI 15; an e-wallet (OVO, GOPAY, LINKAJA, DANA) account is the participant's\n\
registered phone. Recorded with who, when and both accounts masked. Instructions already sent keep\n\
their account (they are re-sent as they were); the next attempt of any incentive uses the new one.\n\
The training balance always goes to the participant's card.\n\
Exit codes: 0 changed; 2 an unknown NIK or an invalid method, provider or account; 3 a service failed."
)]
pub struct PayoutArgs {
    /// The participant's NIK.
    pub nik: String,
    /// bank or ewallet.
    #[arg(long)]
    pub method: String,
    /// BNI, BRI, MANDIRI, BCA, OVO, GOPAY, LINKAJA or DANA.
    #[arg(long)]
    pub provider: String,
    /// The account number, or the e-wallet's phone number.
    #[arg(long)]
    pub account: String,
    /// Why (for instance the failed payment's reason and the ticket).
    #[arg(long)]
    pub note: Option<String>,
}

pub async fn payout(app: &App, args: PayoutArgs) -> CliResult<PayoutChanged> {
    let by = operator(app);
    change_payout(
        &app.pool,
        PayoutChange {
            nik: &args.nik,
            method: &args.method,
            provider: &args.provider,
            account: &args.account,
            by: &by,
            note: args.note.as_deref(),
        },
    )
    .await
    .map_err(|e| match e {
        SteerError::Refused(why) => input(why),
        SteerError::Database(e) => CliError::Failure(e.into()),
    })
}

pub fn payout_human(c: &PayoutChanged) -> String {
    let mut text = format!(
        "participant {} (NIK {}): payout {} -> {} (change {} by {})",
        c.participant_id,
        c.nik,
        c.old.as_deref().unwrap_or("none"),
        c.new,
        c.change_id,
        c.changed_by
    );
    if c.pending_instructions > 0 {
        text.push_str(&format!(
            "\n{} incentive instruction(s) still unanswered keep their account; later attempts use the new one",
            c.pending_instructions
        ));
    }
    text
}
