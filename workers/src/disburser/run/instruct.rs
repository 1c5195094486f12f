//! Payment instructions: one per entitlement due and not yet paid or
//! outstanding, written with its outbox row in the same transaction. A
//! failed or reversed entitlement gets a new attempt on a later run; an
//! unanswered one none (it is sent again under its own key), and neither
//! does one on hold (an unresolved conflicting result of any of its
//! instructions: `payment_results_unresolved`), until an operator resolves it.
//! Nothing is instructed to a paused provider (`payment_pauses`): its
//! entitlements stay due for a run after the resume. A cash incentive goes
//! to the participant's newest payout account (`participant_payouts`, set by
//! `prakerja participant payout`), else the registration's.

use chrono::{NaiveDate, SubsecRound, Utc};
use chrono_tz::Tz;
use shared::messages::{PaymentInstruction, PaymentKind, Payout};
use sqlx::PgConnection;
use uuid::Uuid;

/// What a run instructs: settings that shape the instruction bodies.
#[derive(Debug, Clone)]
pub struct InstructOptions {
    /// `created_at` is written in this zone's offset.
    pub timezone: Tz,
    pub card_provider: String,
    pub max_attempts: u32,
}

/// Creates the instructions of participants `first..=last` due by
/// `run_date`, and their outbox rows; returns how many. The bodies are
/// serialized from [`PaymentInstruction`] and stored with the row: a copy
/// sent again is the same bytes.
pub async fn create_instructions(
    tx: &mut PgConnection,
    run_date: NaiveDate,
    participants: (i64, i64),
    options: &InstructOptions,
) -> Result<u64, sqlx::Error> {
    let due: Vec<Due> = sqlx::query_as(
        "SELECT e.entitlement_id, e.kind, e.installment, e.amount, p.wave_id, p.nik, \
                COALESCE(last.attempt, 0) + 1 AS attempt, \
                CASE WHEN e.kind = 'training_fund' THEN 'card' \
                     ELSE COALESCE(pp.method, r.payout_method) END AS method, \
                CASE WHEN e.kind = 'training_fund' THEN $2 \
                     ELSE COALESCE(pp.provider, r.payout_provider) END AS provider, \
                CASE WHEN e.kind = 'training_fund' THEN p.card_number \
                     ELSE COALESCE(pp.account, r.payout_account) END AS account \
           FROM entitlements e \
           JOIN participants p USING (participant_id) \
           LEFT JOIN registrations r \
                  ON e.kind <> 'training_fund' AND r.registration_id = p.registration_id \
           LEFT JOIN participant_payouts pp \
                  ON e.kind <> 'training_fund' AND pp.participant_id = p.participant_id \
           LEFT JOIN LATERAL (SELECT i.attempt, i.status, i.run_date FROM payment_instructions i \
                               WHERE i.entitlement_id = e.entitlement_id \
                               ORDER BY i.attempt DESC LIMIT 1) last ON true \
          WHERE e.participant_id BETWEEN $4 AND $5 \
            AND e.due_on <= $1 AND e.cancelled_on IS NULL AND NOT e.paid AND p.state = 'active' \
            AND NOT EXISTS (SELECT 1 FROM payment_results held \
                             WHERE held.entitlement_id = e.entitlement_id AND held.outcome = 'conflict' \
                               AND held.resolution_id IS NULL) \
            AND (last.attempt IS NULL \
                 OR (last.status IN ('failed', 'reversed') AND last.run_date < $1 AND last.attempt < $3)) \
            AND NOT EXISTS (SELECT 1 FROM payment_pauses pz WHERE pz.scope = '*' \
                               OR pz.scope = CASE WHEN e.kind = 'training_fund' THEN $2 \
                                                  ELSE COALESCE(pp.provider, r.payout_provider) END)",
    )
    .bind(run_date)
    .bind(&options.card_provider)
    .bind(options.max_attempts as i32)
    .bind(participants.0)
    .bind(participants.1)
    .fetch_all(&mut *tx)
    .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let created_at = Utc::now()
        .with_timezone(&options.timezone)
        .fixed_offset()
        .trunc_subsecs(0);
    let mut rows = Rows::with_capacity(due.len());
    for due in due {
        rows.push(due.instruction(run_date, created_at)?)?;
    }
    Ok(sqlx::query(
        "WITH made AS ( \
            INSERT INTO payment_instructions (instruction_id, entitlement_id, attempt, idempotency_key, \
                run_date, amount, kind, payout_method, payout_provider, payout_account, body) \
            SELECT i.instruction_id, i.entitlement_id, i.attempt, i.idempotency_key, $1, i.amount, \
                   i.kind, i.method, i.provider, i.account, i.body \
              FROM UNNEST($2::uuid[], $3::bigint[], $4::integer[], $5::text[], $6::bigint[], \
                          $7::text[], $8::text[], $9::text[], $10::text[], $11::text[]) \
                   AS i (instruction_id, entitlement_id, attempt, idempotency_key, amount, \
                         kind, method, provider, account, body) \
            RETURNING instruction_id, entitlement_id \
         ) \
         INSERT INTO instruction_outbox (instruction_id) \
         SELECT instruction_id FROM made ORDER BY entitlement_id",
    )
    .bind(run_date)
    .bind(rows.instruction_id)
    .bind(rows.entitlement_id)
    .bind(rows.attempt)
    .bind(rows.idempotency_key)
    .bind(rows.amount)
    .bind(rows.kind)
    .bind(rows.method)
    .bind(rows.provider)
    .bind(rows.account)
    .bind(rows.body)
    .execute(&mut *tx)
    .await?
    .rows_affected())
}

/// An entitlement due, with where its money goes.
#[derive(sqlx::FromRow)]
struct Due {
    entitlement_id: i64,
    kind: String,
    installment: i32,
    amount: i64,
    wave_id: i32,
    nik: String,
    attempt: i32,
    method: String,
    provider: String,
    account: String,
}

impl Due {
    fn instruction(
        self,
        run_date: NaiveDate,
        created_at: chrono::DateTime<chrono::FixedOffset>,
    ) -> Result<(PaymentInstruction, i64), sqlx::Error> {
        let decode = |e: String| sqlx::Error::Decode(e.into());
        let kind = PaymentKind::ALL
            .into_iter()
            .find(|k| k.as_str() == self.kind)
            .ok_or_else(|| decode(format!("unknown entitlement kind {:?}", self.kind)))?;
        let instruction = PaymentInstruction {
            instruction_id: Uuid::new_v4(),
            idempotency_key: format!("E{}-A{}", self.entitlement_id, self.attempt),
            wave_id: u32::try_from(self.wave_id).map_err(|e| decode(e.to_string()))?,
            nik: self.nik,
            kind,
            installment: u32::try_from(self.installment).map_err(|e| decode(e.to_string()))?,
            amount: self.amount,
            currency: "IDR".to_owned(),
            payout: Payout {
                method: self.method,
                provider: self.provider,
                account: self.account,
            },
            value_date: run_date,
            created_at,
            run_date,
            attempt: u32::try_from(self.attempt).map_err(|e| decode(e.to_string()))?,
        };
        Ok((instruction, self.entitlement_id))
    }
}

/// The new instructions as columns, for one `UNNEST` insert.
#[derive(Default)]
struct Rows {
    instruction_id: Vec<Uuid>,
    entitlement_id: Vec<i64>,
    attempt: Vec<i32>,
    idempotency_key: Vec<String>,
    amount: Vec<i64>,
    kind: Vec<&'static str>,
    method: Vec<String>,
    provider: Vec<String>,
    account: Vec<String>,
    body: Vec<String>,
}

impl Rows {
    fn with_capacity(n: usize) -> Self {
        Self {
            instruction_id: Vec::with_capacity(n),
            entitlement_id: Vec::with_capacity(n),
            attempt: Vec::with_capacity(n),
            idempotency_key: Vec::with_capacity(n),
            amount: Vec::with_capacity(n),
            kind: Vec::with_capacity(n),
            method: Vec::with_capacity(n),
            provider: Vec::with_capacity(n),
            account: Vec::with_capacity(n),
            body: Vec::with_capacity(n),
        }
    }

    fn push(
        &mut self,
        (instruction, entitlement_id): (PaymentInstruction, i64),
    ) -> Result<(), sqlx::Error> {
        self.body
            .push(serde_json::to_string(&instruction).map_err(|e| sqlx::Error::Encode(e.into()))?);
        self.instruction_id.push(instruction.instruction_id);
        self.entitlement_id.push(entitlement_id);
        self.attempt.push(instruction.attempt as i32);
        self.idempotency_key.push(instruction.idempotency_key);
        self.amount.push(instruction.amount);
        self.kind.push(instruction.kind.as_str());
        self.method.push(instruction.payout.method);
        self.provider.push(instruction.payout.provider);
        self.account.push(instruction.payout.account);
        Ok(())
    }
}

/// Queues again (same instruction, same idempotency key) instructions the
/// gateway has not answered: all of them made up to `run_date` when `all`,
/// else those older than `older_than_secs`. The gateway drops or re-answers
/// copies; nothing is paid twice.
pub async fn resend_unanswered(
    tx: &mut PgConnection,
    run_date: NaiveDate,
    all: bool,
    older_than_secs: u64,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "INSERT INTO instruction_outbox (instruction_id) \
         SELECT i.instruction_id FROM payment_instructions i \
          WHERE i.status = 'pending' AND i.run_date <= $1 \
            AND ($2 OR i.created_at < now() - make_interval(secs => $3)) \
            AND NOT EXISTS (SELECT 1 FROM instruction_outbox o WHERE o.instruction_id = i.instruction_id) \
          ORDER BY i.created_at",
    )
    .bind(run_date)
    .bind(all)
    .bind(older_than_secs as f64)
    .execute(&mut *tx)
    .await?
    .rows_affected())
}
