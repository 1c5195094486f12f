//! Disbursement: participants, training events, nightly runs, results, the
//! ledger and its invariants.

use std::time::Duration;

use chrono::{Days, NaiveDate, TimeZone, Utc};
use shared::messages::{
    PaymentResult, PaymentStatus, TrainingEvent, TrainingEventKind, jakarta_offset,
};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;
use workers::consume::Handler;
use workers::disburser::run::{RunOptions, RunSummary, execute_pending};
use workers::disburser::{EventsHandler, ResultsHandler, record_request};

use crate::data;
use crate::helpers::{TestEnv, WorkerKind, eventually_async};
use crate::selection::{close, spawn_selector, wait_drawn};

/// A drawn wave with `selected` participants out of `candidates`.
pub(crate) async fn drawn_wave(env: &TestEnv, candidates: i64, selected: u64) -> (i32, NaiveDate) {
    let wave = data::open(
        env,
        "w",
        &format!("national:{selected}"),
        Utc::now() + chrono::Duration::days(1),
    )
    .await;
    data::seed_eligible(
        env,
        wave.wave_id,
        candidates,
        3_171_010_000_000_000,
        &["31", "32"],
    )
    .await;
    let (stop, selector) = spawn_selector(env);
    close(env, wave.wave_id).await;
    wait_drawn(env, wave.wave_id, Duration::from_secs(60)).await;
    stop.cancel();
    selector.await.expect("joined").expect("selector ran");
    let selected_on: NaiveDate = sqlx::query_scalar("SELECT min(selected_on) FROM participants")
        .fetch_one(env.pool())
        .await
        .expect("selected_on");
    (wave.wave_id, selected_on)
}

/// For tests that live through the weeks after a draw: run dates and
/// training events up to 200 days after today are accepted.
pub(crate) fn months_ahead(settings: &mut shared::config::Settings) {
    settings.disburser.max_days_ahead = 200;
}

pub(crate) async fn run(env: &TestEnv, date: NaiveDate) -> RunSummary {
    record_request(env.pool(), Uuid::new_v4(), date, Some("test"))
        .await
        .expect("request");
    let options = RunOptions::from_settings(&env.app.settings.disburser);
    let mut summaries = execute_pending(env.pool(), &options).await.expect("run");
    summaries.pop().expect("the run executed")
}

pub(crate) fn event(
    nik: &str,
    kind: TrainingEventKind,
    day: NaiveDate,
    survey_no: Option<u8>,
    platform: &str,
) -> TrainingEvent {
    TrainingEvent {
        event_id: format!(
            "{nik}-{}-{}-{platform}",
            kind.as_str(),
            survey_no.unwrap_or(0)
        ),
        nik: nik.to_owned(),
        kind,
        platform: platform.to_owned(),
        course_id: Some("C-1".into()),
        amount: Some(500_000),
        occurred_at: jakarta_offset()
            .from_local_datetime(&day.and_hms_opt(10, 0, 0).expect("time"))
            .single()
            .expect("time"),
        survey_no,
    }
}

pub(crate) async fn participants(env: &TestEnv) -> Vec<(i64, String, String)> {
    sqlx::query_as("SELECT participant_id, nik, state FROM participants ORDER BY participant_id")
        .fetch_all(env.pool())
        .await
        .expect("participants")
}

pub(crate) fn result(instruction_id: Uuid, key: &str, status: PaymentStatus) -> PaymentResult {
    PaymentResult {
        instruction_id,
        idempotency_key: key.to_owned(),
        status,
        provider_reference: Some(format!("REF-{key}")),
        reason: (status == PaymentStatus::Failed).then(|| "ACCOUNT_BLOCKED".to_owned()),
        processed_at: shared::messages::jakarta_now(),
    }
}

pub(crate) async fn instructions(env: &TestEnv) -> Vec<(Uuid, String, String, i32, String)> {
    sqlx::query_as("SELECT instruction_id, idempotency_key, kind, attempt, status FROM payment_instructions ORDER BY attempt, entitlement_id")
        .fetch_all(env.pool())
        .await
        .expect("instructions")
}

pub(crate) async fn invariants_hold(env: &TestEnv) -> workers::reconcile::Reconciliation {
    let report = workers::reconcile::reconcile(env.pool(), None, "PRAKERJA_CARD")
        .await
        .expect("report");
    for invariant in &report.invariants {
        assert!(invariant.holds, "{}: {}", invariant.name, invariant.detail);
    }
    report
}

#[tokio::test]
async fn rerunning_a_date_creates_nothing_and_an_unanswered_instruction_is_never_paid_again() {
    let env = TestEnv::new().await;
    let (_, selected_on) = drawn_wave(&env, 30, 5).await;
    let first = run(&env, selected_on).await;
    assert!(first.first_execution);
    assert_eq!(first.instructions_created, 5, "five training funds");
    assert_eq!(first.total_amount, 5 * 1_000_000);
    let again = run(&env, selected_on).await;
    assert!(!again.first_execution);
    assert_eq!(again.instructions_created, 0);
    let later = run(&env, selected_on + Days::new(7)).await;
    assert_eq!(
        later.instructions_created, 0,
        "no answer is not a failure: nothing is paid again"
    );
    let all = instructions(&env).await;
    assert_eq!(all.len(), 5);
    assert!(all.iter().all(|i| i.3 == 1 && i.4 == "pending"));
    let report = invariants_hold(&env).await;
    assert_eq!(report.lines.iter().map(|l| l.unknown).sum::<i64>(), 5);
}

#[tokio::test]
async fn duplicated_and_out_of_order_results_only_move_statuses_forward() {
    let env = TestEnv::new().await;
    let (_, selected_on) = drawn_wave(&env, 30, 4).await;
    run(&env, selected_on).await;
    let all = instructions(&env).await;
    let handler = ResultsHandler {
        pool: env.pool().clone(),
    };
    let (a, b, c, d) = (&all[0], &all[1], &all[2], &all[3]);
    let stranger = Uuid::new_v4();
    let batch = vec![
        result(a.0, &a.1, PaymentStatus::Reversed), // overtook its success
        result(a.0, &a.1, PaymentStatus::Success),
        result(b.0, &b.1, PaymentStatus::Success),
        result(b.0, &b.1, PaymentStatus::Success), // duplicate
        result(c.0, &c.1, PaymentStatus::Failed),
        result(c.0, &c.1, PaymentStatus::Success), // contradicts a final status
        result(stranger, "E999-A1", PaymentStatus::Success),
    ];
    let outcome = handler.store(&batch).await.expect("stored");
    assert_eq!(
        (
            outcome.applied,
            outcome.duplicates,
            outcome.stale,
            outcome.conflicts,
            outcome.unknown
        ),
        (3, 1, 1, 1, 1)
    );
    handler
        .store(&batch)
        .await
        .expect("a redelivered batch changes nothing");
    let statuses: Vec<String> = instructions(&env).await.into_iter().map(|i| i.4).collect();
    assert_eq!(statuses, ["reversed", "success", "failed", "pending"]);
    let report = invariants_hold(&env).await;
    assert_eq!(report.unresolved.unknown_instruction, 1);
    assert_eq!(report.unresolved.conflicts, 1);

    // The next run tries the reversed again, under a new attempt; the paid
    // and the unanswered are left alone, and the failed that then reported
    // a success is on hold until an operator resolves it.
    let next = run(&env, selected_on + Days::new(1)).await;
    assert_eq!(next.instructions_created, 1);
    let retried: Vec<(String, i32)> = instructions(&env)
        .await
        .into_iter()
        .skip(4)
        .map(|i| (i.1, i.3))
        .collect();
    assert!(
        retried
            .iter()
            .all(|(key, attempt)| *attempt == 2 && key.ends_with("-A2")),
        "{retried:?}"
    );
    let _ = d;
    invariants_hold(&env).await;
}

#[tokio::test]
async fn a_participant_who_buys_nothing_is_revoked_and_replaced_from_the_waiting_list() {
    let env = TestEnv::with(months_ahead).await;
    let (wave_id, selected_on) = drawn_wave(&env, 12, 3).await;
    run(&env, selected_on).await;
    let results = ResultsHandler {
        pool: env.pool().clone(),
    };
    let paid: Vec<PaymentResult> = instructions(&env)
        .await
        .iter()
        .map(|i| result(i.0, &i.1, PaymentStatus::Success))
        .collect();
    results.store(&paid).await.expect("training funds paid");
    let people = participants(&env).await;
    let events = EventsHandler::new(env.pool().clone(), &env.app.settings);
    let buyers: Vec<TrainingEvent> = people[1..]
        .iter()
        .map(|(_, nik, _)| {
            event(
                nik,
                TrainingEventKind::Purchased,
                selected_on + Days::new(3),
                None,
                "Tokopedia",
            )
        })
        .collect();
    events.store(&buyers).await.expect("events");
    let summary = run(&env, selected_on + Days::new(31)).await;
    assert_eq!((summary.revoked, summary.promoted), (1, 1));
    assert_eq!(
        summary.instructions_created, 1,
        "the promoted participant's training fund"
    );
    let people = participants(&env).await;
    assert_eq!(people[0].2, "revoked");
    let (promoted_nik, origin, rank): (String, String, i32) = sqlx::query_as(
        "SELECT p.nik, p.origin, p.rank FROM promotions pr JOIN participants p ON p.participant_id = pr.promoted_participant_id",
    )
    .fetch_one(env.pool())
    .await
    .expect("a promotion");
    assert_eq!(origin, "promoted");
    // The next WAITLIST candidate in rank order whose family is under the cap.
    let expected: String = sqlx::query_scalar(
        "SELECT s.nik FROM selection_results s WHERE s.wave_id = $1 AND s.status = 'WAITLIST' \
            AND (SELECT count(*) FROM participants p WHERE p.kk = s.kk AND p.state = 'active' AND p.nik <> $2) < 2 \
          ORDER BY s.rank LIMIT 1",
    )
    .bind(wave_id)
    .bind(&promoted_nik)
    .fetch_one(env.pool())
    .await
    .expect("expected promotion");
    assert_eq!(promoted_nik, expected, "rank {rank}");
    let (barred, returned): (String, i64) = sqlx::query_as(
        "SELECT (SELECT reason FROM barred_niks WHERE nik = $1), \
                (SELECT COALESCE(sum(amount), 0)::bigint FROM ledger_entries WHERE entry = 'returned')",
    )
    .bind(&people[0].1)
    .fetch_one(env.pool())
    .await
    .expect("revocation");
    assert_eq!(
        (barred.as_str(), returned),
        ("revoked", -1_000_000),
        "barred for good; balance returned"
    );
    let next = run(&env, selected_on + Days::new(32)).await;
    assert_eq!(next.instructions_created, 0);
    invariants_hold(&env).await;
}

#[tokio::test]
async fn training_events_from_strangers_are_kept_and_never_applied() {
    let env = TestEnv::with(months_ahead).await;
    let (_, selected_on) = drawn_wave(&env, 12, 3).await;
    let people = participants(&env).await;
    let nik = people[0].1.clone();
    let outsider: String =
        sqlx::query_scalar("SELECT nik FROM selection_results WHERE status = 'WAITLIST' LIMIT 1")
            .fetch_one(env.pool())
            .await
            .expect("a non-participant");
    let day = selected_on + Days::new(2);
    let events = EventsHandler::new(env.pool().clone(), &env.app.settings);
    let batch = vec![
        event(&nik, TrainingEventKind::Purchased, day, None, "KursusKilat"),
        event(
            "9999999999999999",
            TrainingEventKind::Purchased,
            day,
            None,
            "Tokopedia",
        ),
        event(
            &outsider,
            TrainingEventKind::Purchased,
            day,
            None,
            "Bukalapak",
        ),
        event(
            &nik,
            TrainingEventKind::SurveyCompleted,
            day,
            Some(9),
            "Pintaria",
        ),
        event(&nik, TrainingEventKind::Purchased, day, None, "Sekolahmu"),
        event(&nik, TrainingEventKind::Purchased, day, None, "Sekolahmu"),
    ];
    let outcome = events.store(&batch).await.expect("stored");
    assert_eq!(
        (outcome.applied, outcome.ignored, outcome.duplicates),
        (1, 4, 1)
    );
    let reasons: Vec<String> = sqlx::query_scalar(
        "SELECT ignored_reason FROM training_events WHERE ignored_reason IS NOT NULL ORDER BY 1",
    )
    .fetch_all(env.pool())
    .await
    .expect("kept");
    assert_eq!(
        reasons,
        [
            "NOT_A_PARTICIPANT",
            "SURVEY_OUT_OF_RANGE",
            "UNKNOWN_NIK",
            "UNVERIFIED_PLATFORM"
        ]
    );
    let report = workers::reconcile::reconcile(env.pool(), None, "PRAKERJA_CARD")
        .await
        .expect("report");
    assert_eq!(report.ignored_events.len(), 4);
}

#[tokio::test]
async fn the_database_refuses_a_second_live_instruction_and_an_amount_beyond_the_scheme() {
    let env = TestEnv::new().await;
    let (_, selected_on) = drawn_wave(&env, 12, 2).await;
    run(&env, selected_on).await;
    let copy = sqlx::query(
        "INSERT INTO payment_instructions (instruction_id, entitlement_id, attempt, idempotency_key, run_date, amount, \
             kind, payout_method, payout_provider, payout_account, body) \
         SELECT gen_random_uuid(), entitlement_id, attempt + 1, idempotency_key || 'x', run_date, amount, kind, \
                payout_method, payout_provider, payout_account, body FROM payment_instructions LIMIT 1",
    )
    .execute(env.pool())
    .await;
    let error = copy
        .expect_err("a second outstanding instruction for one entitlement")
        .to_string();
    assert!(error.contains("payment_instructions_one_live"), "{error}");
    for (installment, amount, what) in [
        (
            5,
            600_000_i64,
            "a fifth incentive is beyond the 2020 scheme",
        ),
        (1, 700_000, "an amount other than the scheme's"),
    ] {
        let refused = sqlx::query(
            "INSERT INTO entitlements (participant_id, kind, installment, amount, due_on, run_date) \
             SELECT participant_id, 'incentive', $2, $3, $1, $1 FROM participants LIMIT 1",
        )
        .bind(selected_on)
        .bind(installment)
        .bind(amount)
        .execute(env.pool())
        .await;
        let error = refused.expect_err(what).to_string();
        assert!(error.contains("beyond its scheme"), "{what}: {error}");
    }
}

#[tokio::test]
async fn a_full_cycle_over_simulated_months_pays_exactly_what_the_scheme_promises() {
    let env = TestEnv::with(months_ahead).await;
    let (_, selected_on) = drawn_wave(&env, 200, 30).await;
    let stop = CancellationToken::new();
    let disburser = tokio::spawn(workers::disburser::run(
        env.app_for(WorkerKind::Disburser),
        stop.clone(),
    ));
    let behaviour = workers::gateway_sim::Behaviour {
        failure_rate: 0.03,
        silence_rate: 0.0,
        reversal_rate: 0.01,
        duplicate_rate: 0.2,
        max_delay_ms: 50,
        seed: 9,
    };
    let gateway = tokio::spawn(workers::gateway_sim::run(
        env.app_for(WorkerKind::GatewaySimulator),
        behaviour,
        stop.clone(),
    ));
    let (connection, publisher) = env.publisher().await;
    let people = participants(&env).await;
    // Everyone buys on day 2, completes on day 9 and answers every survey.
    let mut plan: Vec<(NaiveDate, TrainingEvent)> = Vec::new();
    for (_, nik, _) in &people {
        plan.push((
            selected_on + Days::new(2),
            event(
                nik,
                TrainingEventKind::Purchased,
                selected_on + Days::new(2),
                None,
                "Pintaria",
            ),
        ));
        plan.push((
            selected_on + Days::new(9),
            event(
                nik,
                TrainingEventKind::Completed,
                selected_on + Days::new(9),
                None,
                "Pintaria",
            ),
        ));
        for n in 1..=3u8 {
            let day = selected_on + Days::new(10 + 20 * u64::from(n));
            plan.push((
                day,
                event(
                    nik,
                    TrainingEventKind::SurveyCompleted,
                    day,
                    Some(n),
                    "Pintaria",
                ),
            ));
        }
    }
    let quiet = workers::cli::output::Output { json: true };
    let mut date = selected_on;
    let last = selected_on + Days::new(140);
    while date <= last {
        for (day, event) in plan
            .iter()
            .filter(|(day, _)| *day < date && *day >= date - Days::new(7))
        {
            let _ = day;
            publisher
                .publish_json(shared::amqp::Queue::TrainingEvents, &event.event_id, event)
                .await
                .expect("event published");
        }
        let published = plan.iter().filter(|(day, _)| *day < date).count() as i64;
        eventually_async("events stored", Duration::from_secs(60), || async {
            let n: i64 = sqlx::query_scalar("SELECT count(*) FROM training_events")
                .fetch_one(env.pool())
                .await
                .expect("n");
            (n >= published).then_some(())
        })
        .await;
        let args = workers::cli::disburse_run::RunArgs {
            date: Some(date.to_string()),
            no_wait: false,
            timeout: 120,
        };
        workers::cli::disburse_run::run(&env.app, quiet, args)
            .await
            .expect("run");
        eventually_async(
            "every instruction answered",
            Duration::from_secs(60),
            || async {
                let open: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM payment_instructions WHERE status = 'pending'",
                )
                .fetch_one(env.pool())
                .await
                .expect("n");
                (open == 0).then_some(())
            },
        )
        .await;
        date = date + Days::new(7);
    }
    stop.cancel();
    disburser.await.expect("joined").expect("disburser ran");
    gateway.await.expect("joined").expect("gateway ran");
    let _ = connection.close(200, "done".into()).await;
    // Training 1,000,000 + incentives 4 x 600,000 + surveys 3 x 50,000.
    let paid: Vec<i64> = sqlx::query_scalar(
        "SELECT COALESCE(sum(l.amount) FILTER (WHERE l.entry IN ('paid', 'reversed')), 0)::bigint \
           FROM participants p LEFT JOIN ledger_entries l USING (participant_id) GROUP BY p.participant_id",
    )
    .fetch_all(env.pool())
    .await
    .expect("paid");
    assert_eq!(paid.len(), 30);
    assert!(paid.iter().all(|&p| p == 3_550_000), "{paid:?}");
    let report = invariants_hold(&env).await;
    assert!(
        report
            .lines
            .iter()
            .all(|l| l.outstanding == 0 && l.unknown == 0)
    );
}
