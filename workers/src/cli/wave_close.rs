//! `prakerja wave close WAVE`: reveals the secret, closes the wave, triggers
//! the draw and waits for its manifest.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use clap::Args;
use serde::Serialize;
use shared::amqp::{Publisher, Queue};
use shared::messages::WaveClosed;

use super::draw_summary::DrawSummary;
use super::error::{CliError, CliResult, input};
use super::output::Output;
use super::wave_open::parse_hex32;
use crate::app::App;
use crate::waves::{CloseOutcome, CloseRequest, Wave, WaveState, close_wave};

#[derive(Debug, Args)]
pub struct CloseArgs {
    /// The wave's id.
    pub wave: i64,
    /// The 32-byte secret (hex) whose SHA-256 was given as --commitment at open.
    #[arg(long)]
    pub secret: Option<String>,
    /// Return once closed, without waiting for the draw.
    #[arg(long)]
    pub no_wait: bool,
    /// Give up waiting for the draw after this many seconds (the draw goes on).
    #[arg(long, default_value_t = 3600)]
    pub timeout: u64,
}

#[derive(Debug, Serialize)]
pub struct CloseReport {
    pub wave_id: i32,
    pub closed_at: Option<DateTime<Utc>>,
    pub already_closed: bool,
    /// The revealed secret (hex): with the commitment, anyone can check it.
    pub secret: String,
    pub commitment: String,
    /// `none` or `drand:CHAIN`, fixed at open.
    pub beacon_source: String,
    /// The beacon the seed took (hex; empty for none), once recorded.
    pub beacon: String,
    /// A drand wave's round, once recorded.
    pub beacon_round: Option<i64>,
    pub state: WaveState,
    pub draw: Option<DrawSummary>,
}

pub async fn run(app: &App, out: Output, args: CloseArgs) -> CliResult<CloseReport> {
    let secret = args
        .secret
        .as_deref()
        .map(|s| parse_hex32(s, "--secret"))
        .transpose()?;
    let outcome = close_wave(&app.pool, args.wave, &CloseRequest { secret })
        .await
        .map_err(|e| match e.downcast::<crate::waves::CloseError>() {
            Ok(refused) => CliError::Input(refused.into()),
            Err(other) => CliError::Failure(other),
        })?;
    let wave = Wave::find(&app.pool, args.wave)
        .await?
        .ok_or_else(|| input(format!("wave {} does not exist", args.wave)))?;
    let closed_at = match &outcome {
        CloseOutcome::Closed { closed_at } => Some(*closed_at),
        CloseOutcome::AlreadyClosed { .. } => wave.closed_at,
    };
    announce(app, &wave).await?;
    let draw = if args.no_wait {
        DrawSummary::load(&app.pool, wave.wave_id).await?
    } else {
        Some(wait_for_draw(app, out, wave.wave_id, Duration::from_secs(args.timeout)).await?)
    };
    let wave = Wave::find(&app.pool, args.wave).await?.unwrap_or(wave);
    Ok(CloseReport {
        wave_id: wave.wave_id,
        closed_at,
        already_closed: matches!(outcome, CloseOutcome::AlreadyClosed { .. }),
        secret: wave.secret.as_deref().map(hex::encode).unwrap_or_default(),
        commitment: wave.commitment_hex(),
        beacon_source: wave.beacon_source.clone(),
        beacon: wave.beacon.as_deref().map(hex::encode).unwrap_or_default(),
        beacon_round: wave.beacon_round,
        state: wave.state,
        draw,
    })
}

pub fn human(r: &CloseReport) -> String {
    let mut text = format!(
        "wave {} {} at {}\nsecret (revealed): {}\ncommitment:        {}\nbeacon:            {}{}\n",
        r.wave_id,
        if r.already_closed {
            "was already closed"
        } else {
            "closed"
        },
        r.closed_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        r.secret,
        r.commitment,
        match (r.beacon_source.as_str(), r.beacon.as_str()) {
            ("none", _) => "(none)",
            (_, "") => "(not recorded yet)",
            (_, beacon) => beacon,
        },
        match r.beacon_round {
            Some(round) => format!(" ({} round {round})", r.beacon_source),
            None => String::new(),
        },
    );
    match &r.draw {
        Some(draw) => text.push_str(&draw.human()),
        None => text.push_str(&format!("draw: not stored yet (wave is {})\n", r.state)),
    }
    text
}

/// Publishes `waves.closed` (the selector also finds closed waves by itself,
/// so a lost message only delays the draw).
async fn announce(app: &App, wave: &Wave) -> anyhow::Result<()> {
    let connection = shared::amqp::connect(&app.settings.amqp, "prakerja wave close").await?;
    let publisher = Publisher::open(&connection, app.topology.clone()).await?;
    app.topology
        .declare_one(publisher.channel(), Queue::WavesClosed)
        .await?;
    let message = WaveClosed {
        wave_id: wave.wave_id as u32,
        closed_at: wave.closed_at.unwrap_or_else(Utc::now),
    };
    publisher
        .publish_json(
            Queue::WavesClosed,
            &format!("wave-{}-closed", wave.wave_id),
            &message,
        )
        .await?;
    let _ = connection.close(200, "done".into()).await;
    Ok(())
}

/// Polls until the draw is stored, showing where it is.
pub async fn wait_for_draw(
    app: &App,
    out: Output,
    wave_id: i32,
    timeout: Duration,
) -> CliResult<DrawSummary> {
    let started = Instant::now();
    let bar = out.progress(None, "waiting for the draw");
    loop {
        if let Some(summary) = DrawSummary::load(&app.pool, wave_id).await? {
            bar.finish_and_clear();
            return Ok(summary);
        }
        let (state, error): (WaveState, Option<String>) = sqlx::query_as(
            "SELECT w.state, j.last_error FROM waves w LEFT JOIN selection_jobs j USING (wave_id) WHERE w.wave_id = $1",
        )
        .bind(wave_id)
        .fetch_one(&app.pool)
        .await?;
        let waiting_round = match Wave::find(&app.pool, i64::from(wave_id)).await? {
            Some(wave) if wave.beacon.is_none() => wave.derived_round().ok().flatten(),
            _ => None,
        };
        let phase = match (state, waiting_round) {
            (WaveState::Closed, _) => "waiting for queued registrations to be validated".to_owned(),
            (WaveState::Drawing, Some((chain, round))) => format!(
                "waiting for drand round {round} of {} (due {})",
                chain.name,
                chain.round_time(round)
            ),
            (WaveState::Drawing, None) => "drawing".to_owned(),
            (WaveState::Open | WaveState::Drawn, _) => "waiting for the selector".to_owned(),
        };
        bar.set_message(match &error {
            Some(error) => format!("{phase} (last error: {error})"),
            None => phase,
        });
        bar.tick();
        if started.elapsed() > timeout {
            bar.finish_and_clear();
            return Err(CliError::Failure(anyhow::anyhow!(
                "the draw of wave {wave_id} is not stored after {}s (wave is {state}{}); is a selector running? \
                 `prakerja wave status {wave_id}` shows it later",
                timeout.as_secs(),
                error
                    .map(|e| format!(", last error: {e}"))
                    .unwrap_or_default()
            )));
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}
