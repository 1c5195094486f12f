//! A simulated training platform for the demo: for each participant it
//! decides (deterministically from the seed and the NIK) whether and when
//! they buy a first course, complete it and fill in the surveys, and
//! publishes those events as they fall due. A few events come from an
//! unverified platform or name an unknown NIK, to show they are kept and
//! reported, never applied.

use chrono::{Days, NaiveDate, TimeZone};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shared::messages::{TrainingEvent, TrainingEventKind};

const PLATFORMS: [&str; 8] = [
    "Tokopedia",
    "Bukalapak",
    "Skill Academy",
    "MauBelajarApa",
    "Pintaria",
    "Sekolahmu",
    "Pijar Mahir",
    "Sisnaker",
];

/// A participant as the platform knows them.
#[derive(Debug, Clone)]
pub struct Learner {
    pub nik: String,
    pub selected_on: NaiveDate,
    pub deadline_days: u32,
    pub survey_count: u32,
}

/// Every event this learner will produce, with the day it happens.
pub fn plan(seed: u64, learner: &Learner) -> Vec<(NaiveDate, TrainingEvent)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ fxhash(&learner.nik));
    let mut events = Vec::new();
    // About one in ten never buys a course and will be revoked.
    if rng.random_bool(0.1) {
        return events;
    }
    let platform = PLATFORMS[rng.random_range(0..PLATFORMS.len())];
    let bought = learner.selected_on
        + Days::new(rng.random_range(0..u64::from(learner.deadline_days.max(1))));
    let course = format!("C-{:05}", rng.random_range(0..20_000));
    let price = rng.random_range(100..=1000) * 1000;
    let mut push = |day: NaiveDate, kind: TrainingEventKind, survey_no: Option<u8>, tag: &str| {
        events.push((
            day,
            TrainingEvent {
                event_id: format!("demo-{}-{tag}", learner.nik),
                nik: learner.nik.clone(),
                kind,
                platform: platform.to_owned(),
                course_id: Some(course.clone()),
                amount: (kind == TrainingEventKind::Purchased).then_some(price),
                occurred_at: at_ten(day),
                survey_no,
            },
        ));
    };
    push(bought, TrainingEventKind::Purchased, None, "purchased");
    if rng.random_bool(0.85) {
        let completed = bought + Days::new(rng.random_range(3..21));
        push(completed, TrainingEventKind::Completed, None, "completed");
        for n in 1..=learner.survey_count {
            if rng.random_bool(0.9) {
                let day = completed + Days::new(u64::from(n - 1) * 30 + rng.random_range(0..5));
                push(
                    day,
                    TrainingEventKind::SurveyCompleted,
                    Some(n as u8),
                    &format!("survey-{n}"),
                );
            }
        }
    }
    events
}

/// Events a real system must keep but never apply.
pub fn strays(day: NaiveDate, count: usize) -> Vec<TrainingEvent> {
    (0..count)
        .map(|i| TrainingEvent {
            event_id: format!("demo-stray-{day}-{i}"),
            nik: if i % 2 == 0 {
                format!("32010112{:08}", 10_000_000 - i)
            } else {
                "3171014708900001".to_owned()
            },
            kind: TrainingEventKind::Purchased,
            platform: if i % 2 == 0 {
                "Tokopedia".to_owned()
            } else {
                "KursusKilat".to_owned()
            },
            course_id: Some("C-STRAY".to_owned()),
            amount: Some(500_000),
            occurred_at: at_ten(day),
            survey_no: None,
        })
        .collect()
}

fn at_ten(day: NaiveDate) -> chrono::DateTime<chrono::FixedOffset> {
    let offset = shared::messages::jakarta_offset();
    offset
        .from_local_datetime(&day.and_hms_opt(10, 0, 0).expect("10:00 exists"))
        .single()
        .expect("a fixed offset has no gaps")
}

fn fxhash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
