//! `prakerja disburse run [--date D]`: requests the run for a date on
//! `disbursements.runs` and waits for its summary. Running a date again pays
//! nothing twice: it only re-sends what the gateway has not answered. A date
//! more than `disburser.max_days_ahead` days after today is refused (exit 2)
//! before anything is published.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use clap::Args;
use serde::Serialize;
use shared::amqp::{Publisher, Queue};
use shared::db::is_transient;
use shared::messages::DisbursementRun;
use uuid::Uuid;

use super::error::{CliError, CliResult, input};
use super::operator::operator;
use super::output::Output;
use crate::app::App;
use crate::disburser::DateBounds;
use crate::disburser::run::RunSummary;
use crate::disburser::steer::{self, Hold, Pause};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The run date, YYYY-MM-DD (default: today in the configured time zone). At most
    /// disburser.max_days_ahead days after today (0 unless a simulation raises it).
    #[arg(long)]
    pub date: Option<String>,
    /// Return once requested, without waiting for the summary.
    #[arg(long)]
    pub no_wait: bool,
    /// Give up waiting after this many seconds (the run goes on).
    #[arg(long, default_value_t = 3600)]
    pub timeout: u64,
}

#[derive(Debug, Serialize)]
pub struct RunReport {
    pub run_date: NaiveDate,
    pub request_id: Uuid,
    pub summary: Option<RunSummary>,
    /// Instructions of the run not yet confirmed by the broker when the summary was read.
    pub unpublished: i64,
    /// The run's hold, when an approval ceiling was set for it.
    pub hold: Option<Hold>,
    /// Pauses in force: nothing was instructed or is published to them.
    pub paused: Vec<Pause>,
}

pub async fn run(app: &App, out: Output, args: RunArgs) -> CliResult<RunReport> {
    let bounds = DateBounds::from_settings(&app.settings.disburser);
    let now = Utc::now();
    let run_date = match &args.date {
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|e| input(format!("--date {text:?} is not YYYY-MM-DD: {e}")))?,
        None => bounds.today(now),
    };
    bounds
        .check_run_date(run_date, now)
        .map_err(|why| input(format!("--date: {why}")))?;
    let request_id = Uuid::new_v4();
    let connection = shared::amqp::connect(&app.settings.amqp, "prakerja disburse run").await?;
    let publisher = Publisher::open(&connection, app.topology.clone()).await?;
    app.topology
        .declare_one(publisher.channel(), Queue::DisbursementsRuns)
        .await?;
    let message = DisbursementRun {
        run_date,
        request_id: Some(request_id),
        requested_by: Some(operator(app)),
    };
    publisher
        .publish_json(Queue::DisbursementsRuns, &request_id.to_string(), &message)
        .await?;
    let _ = connection.close(200, "done".into()).await;
    if args.no_wait {
        return Ok(RunReport {
            run_date,
            request_id,
            summary: None,
            unpublished: 0,
            hold: None,
            paused: Vec::new(),
        });
    }
    let summary = wait(
        app,
        out,
        run_date,
        request_id,
        Duration::from_secs(args.timeout),
    )
    .await?;
    let unpublished: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM instruction_outbox o JOIN payment_instructions i USING (instruction_id) \
          WHERE i.run_date = $1",
    )
    .bind(run_date)
    .fetch_one(&app.pool)
    .await?;
    Ok(RunReport {
        run_date,
        request_id,
        summary: Some(summary),
        unpublished,
        hold: steer::hold(&app.pool, run_date).await?,
        paused: steer::status(&app.pool).await?.pauses,
    })
}

/// Polls for the run's summary until `timeout`. The database going away
/// meanwhile (a restart, a failover) is waited out: the run goes on in the
/// disburser, and the summary is read once the database answers again.
async fn wait(
    app: &App,
    out: Output,
    run_date: NaiveDate,
    request_id: Uuid,
    timeout: Duration,
) -> CliResult<RunSummary> {
    let started = Instant::now();
    let bar = out.progress(None, &format!("waiting for the run of {run_date}"));
    let mut reached = false;
    loop {
        match poll(app, run_date, request_id).await {
            Ok(Poll::Served(summary)) => {
                bar.finish_and_clear();
                return Ok(summary);
            }
            Ok(Poll::Waiting { recorded }) => reached |= recorded,
            Err(error) if is_transient(&error) => {
                tracing::warn!(%error, "the database is unavailable; still waiting for the run");
            }
            Err(error) => return Err(error.into()),
        }
        if started.elapsed() > timeout {
            bar.finish_and_clear();
            return Err(CliError::Failure(anyhow::anyhow!(
                "the run of {run_date} has not finished after {}s{}; is a disburser running?",
                timeout.as_secs(),
                if reached {
                    ""
                } else {
                    " (the request has not reached a disburser)"
                }
            )));
        }
        bar.tick();
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

enum Poll {
    Served(RunSummary),
    Waiting { recorded: bool },
}

async fn poll(app: &App, run_date: NaiveDate, request_id: Uuid) -> Result<Poll, sqlx::Error> {
    let served: Option<(Option<chrono::DateTime<Utc>>,)> =
        sqlx::query_as("SELECT served_at FROM run_requests WHERE request_id = $1")
            .bind(request_id)
            .fetch_optional(&app.pool)
            .await?;
    let Some((Some(_),)) = served else {
        return Ok(Poll::Waiting {
            recorded: served.is_some(),
        });
    };
    let summary: sqlx::types::Json<RunSummary> =
        sqlx::query_scalar("SELECT summary FROM disbursement_runs WHERE run_date = $1")
            .bind(run_date)
            .fetch_one(&app.pool)
            .await?;
    Ok(Poll::Served(summary.0))
}

pub fn human(r: &RunReport) -> String {
    let Some(s) = &r.summary else {
        return format!(
            "requested the run of {} (request {})",
            r.run_date, r.request_id
        );
    };
    let mut text = format!(
        "run {} ({}; execution {}): {} instruction(s) created, {} re-sent; {} revoked, {} promoted, {} seat(s) unfilled{}\n",
        s.run_date,
        if s.first_execution {
            "first execution"
        } else {
            "rerun: nothing new is created"
        },
        s.executions,
        s.instructions_created,
        s.resent,
        s.revoked,
        s.promoted,
        s.seats_unfilled,
        if s.promotions_postponed > 0 {
            format!(
                ", {} promotion(s) postponed (a draw is running)",
                s.promotions_postponed
            )
        } else {
            String::new()
        },
    );
    text.push_str(&format!(
        "  {:<18} {:<14} {:>10} {:>18}\n",
        "kind", "provider", "count", "amount (Rp)"
    ));
    for line in &s.instructions {
        text.push_str(&format!(
            "  {:<18} {:<14} {:>10} {:>18}\n",
            line.kind, line.provider, line.count, line.amount
        ));
    }
    text.push_str(&format!(
        "  {:<18} {:<14} {:>10} {:>18}\n",
        "total", "", s.total_count, s.total_amount
    ));
    if let Some(hold) = &r.hold {
        text.push_str(&format!("  {}\n", hold.human()));
    }
    for p in &r.paused {
        text.push_str(&format!(
            "  payments to {} are PAUSED (by {}: {}): none instructed or published\n",
            if p.scope == "*" {
                "all providers"
            } else {
                &p.scope
            },
            p.paused_by,
            p.note
        ));
    }
    if r.unpublished > 0 {
        text.push_str(&format!(
            "  {} instruction(s) still being published to payments.instructions\n",
            r.unpublished
        ));
    }
    text
}
