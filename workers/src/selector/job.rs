//! One draw job, start to finish: wait for the close barrier, freeze the
//! inputs, wait for the beacon (a drand wave's derived round), draw, check
//! for skew, store. Safe to kill at any point: a job
//! restarted reads the same frozen inputs and stores the identical result.

use std::time::Instant;

use chrono::{Days, Utc};
use shared::events::DrawFinished;
use shared::selection::Candidate;
use tokio_util::sync::CancellationToken;

use super::inputs::{self, CandidateInfo};
use super::persist::{StoreInput, store};
use super::{barrier, draw_v2, skew_check};
use crate::app::App;
use crate::waves::{Wave, WaveState};

/// How a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobEnd {
    /// The draw is stored (now or earlier).
    Drawn,
    /// Stopped by the shutdown signal before the draw was stored.
    Stopped,
}

/// Runs the job of `wave_id` (the caller holds the draw lock).
#[tracing::instrument(name = "draw", skip(app, shutdown), err)]
pub async fn run_job(
    app: &App,
    wave_id: i32,
    shutdown: &CancellationToken,
) -> anyhow::Result<JobEnd> {
    let pool = &app.pool;
    sqlx::query(
        "UPDATE selection_jobs SET attempts = attempts + 1, started_at = COALESCE(started_at, now()) \
          WHERE wave_id = $1",
    )
    .bind(wave_id)
    .execute(pool)
    .await?;
    let wave = Wave::find(pool, i64::from(wave_id))
        .await?
        .ok_or_else(|| anyhow::anyhow!("wave {wave_id} does not exist"))?;
    match wave.state() {
        WaveState::Open => anyhow::bail!("wave {wave_id} is still open"),
        WaveState::Drawn => {
            finish_job(app, wave_id).await?;
            return Ok(JobEnd::Drawn);
        }
        WaveState::Closed => {
            tracing::info!("waiting for the close barrier");
            if !barrier::wait_for_drain(app, wave_id, shutdown).await? {
                return Ok(JobEnd::Stopped);
            }
            // Fresh statistics: the planner otherwise guesses a few rows for
            // a wave of millions, just loaded.
            inputs::analyze_before_freeze(pool).await?;
            inputs::freeze(pool, wave_id).await?;
            crate::failpoint::crash("selector-inputs-frozen");
        }
        WaveState::Drawing => {
            tracing::info!("resuming a draw whose inputs are frozen");
            inputs::analyze_before_freeze(pool).await?;
        }
    }
    // The beacon: a drand wave's round follows from the freeze; waiting for
    // it is resumable (the round is derived again from frozen_at).
    let Some(wave) = crate::beacon::await_beacon(app, wave_id, shutdown).await? else {
        return Ok(JobEnd::Stopped);
    };
    let started = Instant::now();
    inputs::analyze_frozen(pool).await?;
    let key = wave.family_key(app.settings.selection.family_key()?.as_ref())?;
    let mut params = wave.draw_params(pool).await?;
    params.prior = inputs::prior(pool, wave_id).await?;
    let infos: Vec<CandidateInfo> = inputs::candidates(pool, wave_id, key.as_ref()).await?;
    let loaded = started.elapsed();
    tracing::info!(
        candidates = infos.len(),
        seconds = loaded.as_secs_f64(),
        "inputs loaded"
    );
    let alpha = app.settings.selector.skew_alpha;
    let wave_for_check = wave.clone();
    let (draw, infos, aligned, check) = tokio::task::spawn_blocking(move || {
        let (mut draw, aligned) = match key {
            None => {
                let candidates: Vec<Candidate> =
                    infos.iter().map(CandidateInfo::candidate).collect();
                let draw = shared::selection::draw(&params, candidates)?;
                let aligned = inputs::align(&draw.rows, &infos)?;
                (draw, aligned)
            }
            Some(key) => {
                let params = draw_v2::params_v2(params, &key)?;
                let (draw, aligned, _) = draw_v2::run(&params, &infos)?;
                (draw, aligned)
            }
        };
        let check = shared::skew::draw_check::check(&draw, &infos, &aligned, alpha);
        skew_check::annotate(&mut draw.manifest, &wave_for_check, &check);
        crate::beacon::publish(&mut draw.manifest, &wave_for_check)?;
        anyhow::Ok((draw, infos, aligned, check))
    })
    .await??;
    let drawn = started.elapsed();
    tracing::info!(
        seconds = (drawn - loaded).as_secs_f64(),
        "drawn and checked"
    );
    if check.flagged {
        tracing::warn!(summary = %check.summary(), "the draw shows a significant skew");
    }
    let selected_on = Utc::now()
        .with_timezone(&app.settings.disburser.timezone)
        .date_naive();
    let deadline_days = u64::from(wave.scheme.0.purchase_deadline_days);
    let participants = store(
        pool,
        StoreInput {
            wave_id,
            draw: &draw,
            candidates: &infos,
            aligned: &aligned,
            skew: serde_json::to_value(&check)?,
            skew_flagged: check.flagged,
            duration_ms: started.elapsed().as_millis() as i64,
            card_iin: &app.settings.disburser.card_iin,
            selected_on,
            purchase_deadline: selected_on + Days::new(deadline_days),
        },
    )
    .await?;
    let stored = started.elapsed();
    inputs::analyze_drawn(pool).await?;
    tracing::info!(
        store_seconds = (stored - drawn).as_secs_f64(),
        analyze_seconds = (started.elapsed() - stored).as_secs_f64(),
        waitlist = draw.manifest.waitlist,
        kk_cap = draw.manifest.kk_cap,
        participants,
        "draw persisted"
    );
    DrawFinished {
        wave_id,
        candidates: infos.len(),
        selected: draw.manifest.selected,
        elapsed: started.elapsed(),
    }
    .emit();
    Ok(JobEnd::Drawn)
}

async fn finish_job(app: &App, wave_id: i32) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE selection_jobs SET finished_at = now(), last_error = NULL WHERE wave_id = $1",
    )
    .bind(wave_id)
    .execute(&app.pool)
    .await?;
    Ok(())
}

/// Records why a job failed (it is retried), personal numbers masked.
pub async fn record_failure(app: &App, wave_id: i32, error: &anyhow::Error) {
    let _ = sqlx::query("UPDATE selection_jobs SET last_error = $2 WHERE wave_id = $1")
        .bind(wave_id)
        .bind(shared::mask::free_text(&format!("{error:#}")).as_ref())
        .execute(&app.pool)
        .await;
}
