//! Dates from outside are bounded: a run date beyond
//! `disburser.max_days_ahead` is refused (CLI exit 2; on the queue,
//! dead-lettered with its reason), and a training event in the future or
//! before the participant's selection changes nothing and is kept, refused.

use std::time::Duration;

use chrono::{Days, TimeZone, Utc};
use shared::amqp::{Queue, dead_reason};
use shared::messages::{TrainingEvent, TrainingEventKind, jakarta_offset};
use tokio_util::sync::CancellationToken;

use crate::cli::{prakerja, stderr};
use crate::disbursement::{drawn_wave, participants};
use crate::helpers::{TestEnv, WorkerKind, eventually_async};

/// Nothing a run would do has happened. "Today" is Asia/Jakarta's, as for
/// run dates (the database's `current_date` is UTC's, a day behind from
/// 17:00 UTC).
async fn nothing_changed(env: &TestEnv) {
    let (requests, runs, revoked, entitlements): (i64, i64, i64, i64) = sqlx::query_as(
        "WITH today AS (SELECT (now() AT TIME ZONE 'Asia/Jakarta')::date AS d) \
         SELECT (SELECT count(*) FROM run_requests, today WHERE run_date > today.d), \
                (SELECT count(*) FROM disbursement_runs, today WHERE run_date > today.d), \
                (SELECT count(*) FROM participants WHERE state = 'revoked'), \
                (SELECT count(*) FROM entitlements, today WHERE due_on > today.d)",
    )
    .fetch_one(env.pool())
    .await
    .expect("state");
    assert_eq!((requests, runs, revoked, entitlements), (0, 0, 0, 0));
}

#[tokio::test]
async fn a_run_date_beyond_max_days_ahead_is_refused_by_the_cli() {
    let env = TestEnv::new().await;
    drawn_wave(&env, 12, 3).await;
    let tomorrow =
        (Utc::now().with_timezone(&jakarta_offset()).date_naive() + Days::new(1)).to_string();
    for date in ["2099-01-01", tomorrow.as_str()] {
        let output = prakerja(
            Some(&env),
            &["disburse", "run", "--date", date, "--no-wait"],
        );
        assert_eq!(output.status.code(), Some(2), "{date}: {}", stderr(&output));
        assert!(
            stderr(&output).contains("max_days_ahead"),
            "the error names the setting: {}",
            stderr(&output)
        );
    }
    let queued = env
        .ready(&env.topology().name(Queue::DisbursementsRuns))
        .await;
    assert_eq!(queued, 0, "nothing was published");
    nothing_changed(&env).await;
}

#[tokio::test]
async fn a_future_run_request_on_the_queue_is_dead_lettered_with_its_reason() {
    let env = TestEnv::new().await;
    let (_, selected_on) = drawn_wave(&env, 12, 3).await;
    let stop = CancellationToken::new();
    let disburser = tokio::spawn(workers::disburser::run(
        env.app_for(WorkerKind::Disburser),
        stop.clone(),
    ));
    env.publish_raw(
        Queue::DisbursementsRuns,
        &[
            br#"{"run_date": "2099-01-01"}"#.to_vec(),
            format!(r#"{{"run_date": "{selected_on}"}}"#).into_bytes(),
        ],
    )
    .await;
    let dead_queue = env.topology().dead_name(Queue::DisbursementsRuns);
    eventually_async("today's run and the dead letter", Duration::from_secs(60), || async {
        let today_done: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM disbursement_runs WHERE run_date = $1 AND finished_at IS NOT NULL)",
        )
        .bind(selected_on)
        .fetch_one(env.pool())
        .await
        .expect("run");
        let future_done: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM disbursement_runs WHERE run_date = '2099-01-01' AND finished_at IS NOT NULL)",
        )
        .fetch_one(env.pool())
        .await
        .expect("run");
        (today_done && (future_done || env.ready(&dead_queue).await >= 1)).then_some(())
    })
    .await;
    stop.cancel();
    disburser.await.expect("joined").expect("disburser ran");
    nothing_changed(&env).await;
    let dead = env.drain(&dead_queue).await;
    assert_eq!(dead.len(), 1);
    let reason = dead_reason(&dead[0].delivery.properties).expect("a reason header");
    assert!(
        reason.contains("2099-01-01") && reason.contains("max_days_ahead"),
        "{reason}"
    );
}

fn purchase(id: &str, nik: &str, at: chrono::DateTime<chrono::FixedOffset>) -> TrainingEvent {
    TrainingEvent {
        event_id: id.to_owned(),
        nik: nik.to_owned(),
        kind: TrainingEventKind::Purchased,
        platform: "Tokopedia".to_owned(),
        course_id: Some("C-1".into()),
        amount: Some(500_000),
        occurred_at: at,
        survey_no: None,
    }
}

#[tokio::test]
async fn training_events_in_the_future_or_before_selection_change_nothing() {
    let env = TestEnv::new().await;
    let (_, selected_on) = drawn_wave(&env, 12, 4).await;
    let people = participants(&env).await;
    let now = Utc::now().with_timezone(&jakarta_offset());
    let day_before_selection = jakarta_offset()
        .from_local_datetime(
            &(selected_on - Days::new(1))
                .and_hms_opt(23, 0, 0)
                .expect("time"),
        )
        .single()
        .expect("time");
    let events = [
        purchase("future", &people[0].1, now + chrono::Duration::days(2)),
        purchase("early", &people[1].1, day_before_selection),
        purchase("now", &people[2].1, now),
        // A clock a minute fast is within the allowance.
        purchase(
            "fast-clock",
            &people[3].1,
            now + chrono::Duration::minutes(1),
        ),
    ];
    let stop = CancellationToken::new();
    let disburser = tokio::spawn(workers::disburser::run(
        env.app_for(WorkerKind::Disburser),
        stop.clone(),
    ));
    let bodies: Vec<Vec<u8>> = events
        .iter()
        .map(|e| serde_json::to_vec(e).expect("json"))
        .collect();
    env.publish_raw(Queue::TrainingEvents, &bodies).await;
    eventually_async("four events stored", Duration::from_secs(30), || async {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM training_events")
            .fetch_one(env.pool())
            .await
            .expect("n");
        (n == 4).then_some(())
    })
    .await;
    stop.cancel();
    disburser.await.expect("joined").expect("disburser ran");
    let stored: Vec<(String, Option<String>, bool)> = sqlx::query_as(
        "SELECT t.event_id, t.ignored_reason, p.first_purchased_at IS NOT NULL \
           FROM training_events t JOIN participants p ON p.nik = t.nik ORDER BY t.event_id",
    )
    .fetch_all(env.pool())
    .await
    .expect("events");
    assert_eq!(
        stored,
        [
            (
                "early".to_owned(),
                Some("BEFORE_SELECTION".to_owned()),
                false
            ),
            ("fast-clock".into(), None, true),
            ("future".into(), Some("IN_THE_FUTURE".to_owned()), false),
            ("now".into(), None, true),
        ]
    );
}
