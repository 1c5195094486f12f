//! Training events: kept once each (by `event_id`), and applied only when
//! they come from a verified partner about an active participant, and claim
//! a moment that is neither in the future (beyond the clock allowance plus
//! `disburser.max_days_ahead` days) nor before the participant's selection.
//! Any other event changes nothing: it is kept, refused with its reason.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use shared::amqp::Queue;
use shared::config::Settings;
use shared::messages::{TrainingEvent, TrainingEventKind};
use sqlx::{PgConnection, PgPool};

use super::DateBounds;
use crate::consume::Handler;

/// What storing a batch of events did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct EventsOutcome {
    pub applied: u64,
    pub ignored: u64,
    pub duplicates: u64,
}

impl std::ops::AddAssign for EventsOutcome {
    fn add_assign(&mut self, other: Self) {
        self.applied += other.applied;
        self.ignored += other.ignored;
        self.duplicates += other.duplicates;
    }
}

/// Consumes `training.events`.
#[derive(Debug, Clone)]
pub struct EventsHandler {
    pub pool: PgPool,
    /// Verified partners by platform identifier, with their verification date.
    pub partners: HashMap<String, NaiveDate>,
    pub bounds: DateBounds,
}

impl EventsHandler {
    pub fn new(pool: PgPool, settings: &Settings) -> Self {
        Self {
            pool,
            partners: settings
                .partners
                .iter()
                .map(|p| (p.id.clone(), p.verified_on))
                .collect(),
            bounds: DateBounds::from_settings(&settings.disburser),
        }
    }
}

impl Handler for EventsHandler {
    type Item = TrainingEvent;
    type Outcome = EventsOutcome;

    fn queue(&self) -> Queue {
        Queue::TrainingEvents
    }

    fn decode(&self, body: &[u8]) -> Result<TrainingEvent, String> {
        let event: TrainingEvent =
            serde_json::from_slice(body).map_err(|e| format!("not a TrainingEvent: {e}"))?;
        if event.event_id.is_empty() {
            return Err("not a TrainingEvent: event_id is empty".to_owned());
        }
        Ok(event)
    }

    async fn store(&self, events: &[TrainingEvent]) -> Result<EventsOutcome, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let outcome = store_events(&mut tx, self, events).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    fn describe(&self, event: &TrainingEvent) -> String {
        format!("training event {:?}", event.event_id)
    }
}

/// A participant as events see it.
struct Target {
    participant_id: i64,
    active: bool,
    survey_count: i32,
    selected_on: NaiveDate,
}

async fn store_events(
    tx: &mut PgConnection,
    handler: &EventsHandler,
    events: &[TrainingEvent],
) -> Result<EventsOutcome, sqlx::Error> {
    let now = Utc::now();
    let niks: Vec<&str> = events.iter().map(|e| e.nik.as_str()).collect();
    let targets: HashMap<String, Target> = sqlx::query_as::<_, (String, i64, bool, i32, NaiveDate)>(
        "SELECT p.nik, p.participant_id, p.state = 'active', (w.scheme ->> 'survey_count')::int, \
                p.selected_on \
           FROM participants p JOIN waves w USING (wave_id) WHERE p.nik = ANY($1)",
    )
    .bind(&niks)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|(nik, participant_id, active, survey_count, selected_on)| {
        (
            nik,
            Target {
                participant_id,
                active,
                survey_count,
                selected_on,
            },
        )
    })
    .collect();
    let registered: HashSet<String> =
        sqlx::query_scalar("SELECT DISTINCT nik FROM registrations WHERE nik = ANY($1)")
            .bind(&niks)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();

    let mut outcome = EventsOutcome::default();
    let mut seen = HashSet::new();
    for event in events {
        if !seen.insert(event.event_id.as_str()) {
            outcome.duplicates += 1;
            continue;
        }
        let target = targets.get(&event.nik);
        let ignored = ignored_reason(event, handler, now, target, registered.contains(&event.nik));
        let occurred_at = event.occurred_at.with_timezone(&Utc);
        let inserted = sqlx::query(
            "INSERT INTO training_events (event_id, nik, kind, platform, course_id, amount, \
                 survey_no, occurred_at, participant_id, ignored_reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (event_id) DO NOTHING",
        )
        .bind(&event.event_id)
        .bind(&event.nik)
        .bind(event.kind.as_str())
        .bind(&event.platform)
        .bind(&event.course_id)
        .bind(event.amount)
        .bind(event.survey_no.map(i16::from))
        .bind(occurred_at)
        .bind(target.map(|t| t.participant_id))
        .bind(ignored)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !inserted {
            outcome.duplicates += 1;
            continue;
        }
        match (ignored, target) {
            (None, Some(target)) => {
                apply(tx, target.participant_id, event.kind, occurred_at).await?;
                outcome.applied += 1;
            }
            _ => {
                tracing::info!(event_id = %shared::mask::free_text(&event.event_id), reason = ?ignored, "training event kept, not applied");
                outcome.ignored += 1;
            }
        }
    }
    Ok(outcome)
}

/// Why an event is kept but not applied, if it is not applied.
fn ignored_reason(
    event: &TrainingEvent,
    handler: &EventsHandler,
    now: DateTime<Utc>,
    target: Option<&Target>,
    registered: bool,
) -> Option<&'static str> {
    let Some(verified_on) = handler.partners.get(&event.platform) else {
        return Some("UNVERIFIED_PLATFORM");
    };
    if event.occurred_at.date_naive() < *verified_on {
        return Some("BEFORE_VERIFICATION");
    }
    if event.occurred_at > handler.bounds.latest_event_time(now) {
        return Some("IN_THE_FUTURE");
    }
    let Some(target) = target else {
        return Some(if registered {
            "NOT_A_PARTICIPANT"
        } else {
            "UNKNOWN_NIK"
        });
    };
    if !target.active {
        return Some("REVOKED");
    }
    let local_day = event
        .occurred_at
        .with_timezone(&handler.bounds.timezone)
        .date_naive();
    if local_day < target.selected_on {
        return Some("BEFORE_SELECTION");
    }
    if event.kind == TrainingEventKind::SurveyCompleted {
        let in_range = event
            .survey_no
            .is_some_and(|n| n >= 1 && i32::from(n) <= target.survey_count);
        if !in_range {
            return Some("SURVEY_OUT_OF_RANGE");
        }
    }
    None
}

/// Records progress: the first purchase, and the first completion (which
/// implies a purchase). Surveys are read from the events themselves.
async fn apply(
    tx: &mut PgConnection,
    participant_id: i64,
    kind: TrainingEventKind,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let sql = match kind {
        TrainingEventKind::Purchased => {
            "UPDATE participants SET first_purchased_at = LEAST(COALESCE(first_purchased_at, $2), $2) \
             WHERE participant_id = $1"
        }
        TrainingEventKind::Completed => {
            "UPDATE participants SET completed_at = LEAST(COALESCE(completed_at, $2), $2), \
                 first_purchased_at = LEAST(COALESCE(first_purchased_at, $2), $2) \
             WHERE participant_id = $1"
        }
        TrainingEventKind::SurveyCompleted => return Ok(()),
    };
    sqlx::query(sql)
        .bind(participant_id)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
