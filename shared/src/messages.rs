//! Message bodies of CONTRACTS.md. These are promises to other systems: the
//! contract's fields keep their names and types; fields may be added.
//! (The Registration is read leniently by `domain::RegistrationRecord`,
//! because a malformed one is still stored as rejected.) Those holding a
//! NIK, phone or account mask it in `Debug` (`messages_debug`).

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `waves.closed`: the operator closed a wave; the selector draws it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaveClosed {
    pub wave_id: u32,
    /// When registrations stopped being accepted.
    pub closed_at: DateTime<Utc>,
}

/// `participants.selected`: one message per selected person, for notifying them.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ParticipantSelected {
    pub wave_id: u32,
    pub nik: String,
    pub stratum: String,
    pub rank: u32,
    pub registration_id: Uuid,
    pub full_name: String,
    pub email: String,
    pub phone: String,
    pub card_number: String,
    /// The last day to buy a first course before the membership is revoked.
    pub purchase_deadline: NaiveDate,
    /// Set when this person took the seat of a revoked participant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces_nik: Option<String>,
    /// The pseudonymous `pid` of a v2 wave's participant (selection-v2/SPEC.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<String>,
}

/// What a training platform reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainingEventKind {
    Purchased,
    Completed,
    SurveyCompleted,
}

impl TrainingEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TrainingEventKind::Purchased => "purchased",
            TrainingEventKind::Completed => "completed",
            TrainingEventKind::SurveyCompleted => "survey_completed",
        }
    }
}

/// `training.events`: the same `event_id` twice is one event.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingEvent {
    pub event_id: String,
    pub nik: String,
    pub kind: TrainingEventKind,
    pub platform: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub course_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
    pub occurred_at: DateTime<FixedOffset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey_no: Option<u8>,
}

/// `disbursements.runs`: pay what is due on or before `run_date`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisbursementRun {
    pub run_date: NaiveDate,
    /// Lets the requester wait for its run's summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_by: Option<String>,
}

/// What an entitlement pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    TrainingFund,
    Incentive,
    SurveyIncentive,
}

impl PaymentKind {
    pub const ALL: [PaymentKind; 3] = [
        PaymentKind::TrainingFund,
        PaymentKind::Incentive,
        PaymentKind::SurveyIncentive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentKind::TrainingFund => "training_fund",
            PaymentKind::Incentive => "incentive",
            PaymentKind::SurveyIncentive => "survey_incentive",
        }
    }
}

/// Where money goes: the training card, a bank account or an e-wallet.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payout {
    pub method: String,
    pub provider: String,
    pub account: String,
}

/// `payments.instructions`: one attempt at paying one entitlement.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentInstruction {
    pub instruction_id: Uuid,
    /// `<entitlement>:<attempt>`; the gateway drops copies with a key it has seen.
    pub idempotency_key: String,
    pub wave_id: u32,
    pub nik: String,
    pub kind: PaymentKind,
    pub installment: u32,
    pub amount: i64,
    pub currency: String,
    pub payout: Payout,
    pub value_date: NaiveDate,
    pub created_at: DateTime<FixedOffset>,
    /// The nightly run that made it, and which attempt at the entitlement it is.
    pub run_date: NaiveDate,
    pub attempt: u32,
}

/// Outcome of an instruction, as the gateway reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PaymentStatus {
    Success,
    Failed,
    Reversed,
}

impl PaymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Success => "SUCCESS",
            PaymentStatus::Failed => "FAILED",
            PaymentStatus::Reversed => "REVERSED",
        }
    }
}

/// `payments.results`: may arrive more than once and out of order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentResult {
    pub instruction_id: Uuid,
    pub idempotency_key: String,
    pub status: PaymentStatus,
    #[serde(default)]
    pub provider_reference: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    pub processed_at: DateTime<FixedOffset>,
}

/// Now, in Asia/Jakarta's fixed offset (+07:00, no daylight saving).
pub fn jakarta_now() -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&jakarta_offset())
}

/// Asia/Jakarta's offset.
pub fn jakarta_offset() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("+07:00 is a valid offset")
}
