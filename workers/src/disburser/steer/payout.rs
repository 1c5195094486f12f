//! `prakerja participant payout NIK --method … --provider … --account …`:
//! a participant's new bank account or e-wallet for cash incentives,
//! validated exactly as a registration's payout (`shared::domain::Payout`:
//! a bank account of the bank's length, an e-wallet that is the registered
//! phone), recorded with who, when and the old and new accounts masked. The
//! next attempt of any incentive uses it (`run/instruct.rs`); an instruction
//! already sent keeps its account (it is re-sent as it was).

use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::domain::{Payout, PayoutMethod, Phone, Provider};
use shared::mask::id as mask;
use sqlx::PgPool;

use super::{SteerError, refused};

/// The operator's request. `Debug` masks the NIK and the account.
#[derive(Clone)]
pub struct PayoutChange<'a> {
    pub nik: &'a str,
    pub method: &'a str,
    pub provider: &'a str,
    pub account: &'a str,
    pub by: &'a str,
    pub note: Option<&'a str>,
}

impl std::fmt::Debug for PayoutChange<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PayoutChange")
            .field("nik", &shared::mask::nik(self.nik))
            .field("method", &self.method)
            .field("provider", &self.provider)
            .field("account", &shared::mask::account(self.account))
            .field("by", &self.by)
            .field("note", &self.note)
            .finish()
    }
}

#[derive(Debug, Serialize)]
pub struct PayoutChanged {
    pub change_id: i64,
    pub participant_id: i64,
    /// The participant's NIK, masked.
    pub nik: String,
    pub old: Option<String>,
    pub new: String,
    pub changed_by: String,
    pub changed_at: DateTime<Utc>,
    /// Incentive instructions still unanswered under an earlier account
    /// (they are re-sent as they were; the new account serves later attempts).
    pub pending_instructions: i64,
}

type Current = (
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

pub async fn change_payout(
    pool: &PgPool,
    change: PayoutChange<'_>,
) -> Result<PayoutChanged, SteerError> {
    let method = PayoutMethod::parse(change.method.trim())
        .map_err(|e| refused(format!("--method: {e} (bank or ewallet)")))?;
    let provider = Provider::parse(change.provider.trim().to_ascii_uppercase().as_str())
        .map_err(|e| refused(format!("--provider: {e}")))?;
    let account = change.account.trim();
    let mut tx = pool.begin().await?;
    // The participant locked: changes to one participant go one at a time.
    let current: Option<Current> = sqlx::query_as(
        "SELECT p.participant_id, r.phone, \
                COALESCE(pp.method, r.payout_method), COALESCE(pp.provider, r.payout_provider), \
                COALESCE(pp.account, r.payout_account) \
           FROM participants p \
           JOIN registrations r ON r.registration_id = p.registration_id \
           LEFT JOIN participant_payouts pp ON pp.participant_id = p.participant_id \
          WHERE p.nik = $1 FOR UPDATE OF p",
    )
    .bind(change.nik.trim())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((participant_id, phone, old_method, old_provider, old_account)) = current else {
        return Err(refused(format!(
            "NIK {}: no participant has it",
            mask(change.nik.trim())
        )));
    };
    let phone = phone.as_deref().and_then(|p| Phone::parse(p).ok());
    Payout::parse(Some(method), provider, account, phone.as_ref())
        .map_err(|e| refused(format!("--account: {e} (PAYOUT_ACCOUNT)")))?;
    if old_provider.as_deref() == Some(provider.as_str()) && old_account.as_deref() == Some(account)
    {
        return Err(refused(format!(
            "NIK {}: {} {} is already the participant's payout",
            mask(change.nik.trim()),
            provider,
            mask(account)
        )));
    }
    let old = old_account.as_deref().map(|a| {
        format!(
            "{} {} {}",
            old_method.as_deref().unwrap_or("?"),
            old_provider.as_deref().unwrap_or("?"),
            mask(a)
        )
    });
    let new = format!("{method} {provider} {}", mask(account));
    let (change_id, changed_at): (i64, DateTime<Utc>) = sqlx::query_as(
        "INSERT INTO payout_changes (participant_id, old_method, old_provider, old_masked, method, provider, \
             new_masked, changed_by, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         RETURNING change_id, changed_at",
    )
    .bind(participant_id)
    .bind(&old_method)
    .bind(&old_provider)
    .bind(old_account.as_deref().map(mask))
    .bind(method.as_str())
    .bind(provider.as_str())
    .bind(mask(account))
    .bind(change.by)
    .bind(change.note)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO participant_payouts (participant_id, method, provider, account, change_id, changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (participant_id) DO UPDATE SET method = $2, provider = $3, account = $4, \
             change_id = $5, changed_at = $6",
    )
    .bind(participant_id)
    .bind(method.as_str())
    .bind(provider.as_str())
    .bind(account)
    .bind(change_id)
    .bind(changed_at)
    .execute(&mut *tx)
    .await?;
    let pending_instructions: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM payment_instructions i JOIN entitlements e USING (entitlement_id) \
          WHERE e.participant_id = $1 AND i.status = 'pending' AND i.kind <> 'training_fund'",
    )
    .bind(participant_id)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(PayoutChanged {
        change_id,
        participant_id,
        nik: mask(change.nik.trim()),
        old,
        new,
        changed_by: change.by.to_owned(),
        changed_at,
        pending_instructions,
    })
}
