//! The demo's simulated months: training events published as their days
//! come, a nightly run every few days, the gateway simulator answering, and
//! a final reconciliation whose invariants must hold.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use shared::amqp::{Publisher, Queue, confirmed, json_properties};

use super::DemoArgs;
use super::training::{Learner, plan, strays};
use crate::app::App;
use crate::cli::disburse_run::{self, RunArgs};
use crate::cli::error::{CliError, CliResult};
use crate::cli::output::Output;

pub async fn simulate(app: &App, out: Output, args: &DemoArgs, wave_id: i32) -> CliResult<()> {
    let start: NaiveDate =
        sqlx::query_scalar("SELECT min(selected_on) FROM participants WHERE wave_id = $1")
            .bind(wave_id)
            .fetch_optional(&app.pool)
            .await?
            .flatten()
            .ok_or_else(|| {
                CliError::Failure(anyhow::anyhow!("wave {wave_id} has no participants"))
            })?;
    let end = start + Days::new(u64::from(args.months) * 30);
    let connection =
        shared::amqp::connect(&app.settings.amqp, "prakerja demo training platform").await?;
    let publisher = Publisher::open(&connection, app.topology.clone()).await?;
    app.topology
        .declare_one(publisher.channel(), Queue::TrainingEvents)
        .await?;
    let mut sent: HashSet<String> = HashSet::new();
    let mut run_date = start + Days::new(1);
    let mut last = run_date;
    let quiet = Output { json: out.json };
    while run_date <= end {
        let learners = learners(app, wave_id).await?;
        let mut due = Vec::new();
        for learner in &learners {
            for (day, event) in plan(args.seed, learner) {
                if day < run_date && !sent.contains(&event.event_id) {
                    due.push(event);
                }
            }
        }
        if sent.is_empty() {
            due.extend(strays(start, 6));
        }
        let mut confirms = Vec::with_capacity(due.len());
        for event in &due {
            let body = serde_json::to_vec(event).map_err(anyhow::Error::from)?;
            confirms.push(
                publisher
                    .send(
                        Queue::TrainingEvents,
                        &body,
                        json_properties(&event.event_id),
                    )
                    .await?,
            );
        }
        for confirm in confirms {
            confirmed(confirm).await?;
        }
        sent.extend(due.iter().map(|e| e.event_id.clone()));
        wait_for_events(app, sent.len() as i64).await?;
        let report = disburse_run::run(
            app,
            quiet,
            RunArgs {
                date: Some(run_date.to_string()),
                no_wait: false,
                timeout: 3600,
            },
        )
        .await?;
        if let Some(summary) = &report.summary {
            println!(
                "   {run_date}: {:>4} training events in, {:>5} instructions (Rp {:>13}), {:>3} revoked, {:>3} promoted",
                due.len(),
                summary.instructions_created,
                summary.total_amount,
                summary.revoked,
                summary.promoted
            );
        }
        settle(app).await?;
        last = run_date;
        run_date = run_date + Days::new(u64::from(args.run_every_days.max(1)));
    }
    let _ = connection.close(200, "demo done".into()).await;
    println!(
        "\n   running {last} again: a rerun creates nothing, it only re-sends what the gateway never answered"
    );
    let rerun = disburse_run::run(
        app,
        quiet,
        RunArgs {
            date: Some(last.to_string()),
            no_wait: false,
            timeout: 3600,
        },
    )
    .await?;
    println!("{}", disburse_run::human(&rerun).trim_end());
    settle(app).await?;
    println!("\n== 9. reconciliation");
    let report =
        crate::reconcile::reconcile(&app.pool, None, &app.settings.disburser.card_provider).await?;
    out.print(&report, crate::reconcile::human);
    crate::cli::disburse_report::verdict(&report)?;
    println!(
        "every invariant holds and nothing waits for an operator: nobody was paid twice or beyond the scheme"
    );
    Ok(())
}

async fn learners(app: &App, wave_id: i32) -> anyhow::Result<Vec<Learner>> {
    let rows: Vec<(String, NaiveDate, i32, i32)> = sqlx::query_as(
        "SELECT p.nik, p.selected_on, (w.scheme ->> 'purchase_deadline_days')::int, (w.scheme ->> 'survey_count')::int \
           FROM participants p JOIN waves w USING (wave_id) WHERE p.wave_id = $1",
    )
    .bind(wave_id)
    .fetch_all(&app.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(nik, selected_on, deadline, surveys)| Learner {
            nik,
            selected_on,
            deadline_days: deadline as u32,
            survey_count: surveys as u32,
        })
        .collect())
}

/// Waits until the disburser has stored every event published so far.
async fn wait_for_events(app: &App, published: i64) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        let stored: i64 =
            sqlx::query_scalar("SELECT count(*) FROM training_events WHERE event_id LIKE 'demo-%'")
                .fetch_one(&app.pool)
                .await?;
        if stored >= published {
            return Ok(());
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(600),
            "training events are not being consumed ({stored} of {published})"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until every instruction is published and the gateway has answered
/// all it is going to answer (a silenced one stays unknown): nothing has
/// moved for three seconds.
async fn settle(app: &App) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut previous = (-1, -1, -1);
    let mut stable_since = Instant::now();
    loop {
        let now: (i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM instruction_outbox), count(*) FILTER (WHERE status = 'pending'), \
                    (SELECT count(*) FROM payment_results) FROM payment_instructions",
        )
        .fetch_one(&app.pool)
        .await?;
        if now != previous {
            previous = now;
            stable_since = Instant::now();
        }
        if now.0 == 0 && (now.1 == 0 || stable_since.elapsed() > Duration::from_secs(3)) {
            return Ok(());
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(900),
            "payments are not settling ({} unpublished, {} unanswered)",
            now.0,
            now.1
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
