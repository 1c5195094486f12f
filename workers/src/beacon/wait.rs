//! The selector's wait for a drand wave's beacon, after the freeze: until the
//! derived round's time, then fetch it from the chain's URLs (retrying with
//! backoff) unless an operator supplied it with `prakerja wave beacon`.
//! Nothing of the wait is kept but the frozen instant: a selector killed
//! while waiting derives the same round and waits again.

use std::time::Duration;

use chrono::Utc;
use tokio_util::sync::CancellationToken;

use super::client::{DrandClient, urls_for};
use super::record::record_beacon;
use crate::app::App;
use crate::waves::{Wave, WaveBeacon};

/// How often the wait looks for a round supplied by an operator.
const POLL: Duration = Duration::from_secs(2);

/// Waits until the wave has its beacon; returns the wave as it then is, or
/// `None` if stopped first.
pub async fn await_beacon(
    app: &App,
    wave_id: i32,
    shutdown: &CancellationToken,
) -> anyhow::Result<Option<Wave>> {
    let wave = load(app, wave_id).await?;
    if wave.beacon.is_some() {
        return Ok(Some(wave));
    }
    let WaveBeacon::Drand(chain) = wave.beacon_plan()? else {
        anyhow::bail!(
            "wave {wave_id} has no beacon (source {})",
            wave.beacon_source
        );
    };
    let frozen_at = wave
        .frozen_at
        .ok_or_else(|| anyhow::anyhow!("wave {wave_id} is not frozen"))?;
    let round = chain.round_for(frozen_at);
    let due = chain.round_time(round);
    tracing::info!(chain = %chain.name, round, due = %due, "waiting for the wave's drand round");
    let urls = urls_for(&chain, &app.settings.drand.all());
    let client = DrandClient::new(app.settings.drand.request_timeout())?;
    let mut backoff =
        shared::backoff::Backoff::new(Duration::from_secs(app.settings.drand.max_backoff_secs));
    let mut next_fetch = tokio::time::Instant::now();
    loop {
        let wave = load(app, wave_id).await?;
        if wave.beacon.is_some() {
            tracing::info!(round, "the wave's beacon is recorded");
            return Ok(Some(wave));
        }
        let until_due = (due - Utc::now()).to_std().unwrap_or_default();
        let now = tokio::time::Instant::now();
        if until_due.is_zero() && now >= next_fetch {
            match client.fetch_round(&chain, &urls, round).await {
                Ok(fetched) => {
                    match record_beacon(&app.pool, i64::from(wave_id), round, &fetched.signature)
                        .await
                    {
                        Ok(_) => tracing::info!(
                            round,
                            url = %fetched.url,
                            randomness = %hex::encode(fetched.randomness),
                            "drand round fetched and verified"
                        ),
                        Err(error) => tracing::warn!(
                            error = %shared::mask::free_text(&format!("{error:#}")),
                            "a fetched round was not recorded"
                        ),
                    }
                    continue;
                }
                Err(error) => {
                    let note = format!(
                        "waiting for drand round {round} of {}: {error}; an operator can supply it: \
                         prakerja wave beacon {wave_id} --round {round} --signature HEX",
                        chain.name
                    );
                    tracing::warn!("{note}");
                    note_waiting(app, wave_id, &note).await;
                    next_fetch = tokio::time::Instant::now() + backoff.next_delay();
                }
            }
        }
        let until_fetch = next_fetch.saturating_duration_since(tokio::time::Instant::now());
        let delay = POLL
            .min(until_due.max(until_fetch))
            .max(Duration::from_millis(10));
        tokio::select! {
            () = shutdown.cancelled() => return Ok(None),
            () = tokio::time::sleep(delay) => {}
        }
    }
}

async fn load(app: &App, wave_id: i32) -> anyhow::Result<Wave> {
    Wave::find(&app.pool, i64::from(wave_id))
        .await?
        .ok_or_else(|| anyhow::anyhow!("wave {wave_id} does not exist"))
}

/// Shows why the draw waits where `wave close` and `wave status` look.
async fn note_waiting(app: &App, wave_id: i32, note: &str) {
    let _ = sqlx::query("UPDATE selection_jobs SET last_error = $2 WHERE wave_id = $1")
        .bind(wave_id)
        .bind(note)
        .execute(&app.pool)
        .await;
}
