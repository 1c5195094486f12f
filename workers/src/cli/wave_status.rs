//! `prakerja wave status WAVE` and `prakerja wave list`: counts by status and
//! reason, quotas, the draw and its skew verdict.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::draw_summary::DrawSummary;
use super::error::{CliResult, input};
use crate::app::App;
use crate::disburser::steer::Steering;
use crate::waves::{Wave, WaveState};

#[derive(Debug, Serialize)]
pub struct WaveLine {
    pub wave_id: i32,
    pub name: String,
    pub scheme: String,
    pub state: WaveState,
    pub allocation: String,
    pub closes_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub commitment: String,
    /// The selection algorithm fixed at open: `v1` or `v2`.
    pub selection: String,
}

#[derive(Debug, Serialize)]
pub struct Count {
    pub code: String,
    pub count: i64,
}

#[derive(Debug, Serialize)]
pub struct StatusReport {
    pub wave: WaveLine,
    pub kk_cap: i32,
    pub registrations: i64,
    pub eligible: i64,
    pub rejected: i64,
    /// Rejected registrations by reason (one registration counts once per reason).
    pub reasons: Vec<Count>,
    pub warnings: Vec<Count>,
    pub explicit_quotas: Vec<Count>,
    pub draw_job: Option<DrawJob>,
    pub beacon: BeaconStatus,
    pub draw: Option<DrawSummary>,
    pub participants: Vec<Count>,
    /// Payments paused and runs held, across waves.
    pub payments: Steering,
}

/// The wave's beacon: its source, and for a drand wave the derived round
/// once the inputs are frozen, and whether it is recorded.
#[derive(Debug, Serialize)]
pub struct BeaconStatus {
    /// `none`, `drand:CHAIN` (or `operator` for a wave from before drand beacons).
    pub source: String,
    pub round: Option<u64>,
    pub round_due: Option<DateTime<Utc>>,
    /// The beacon the seed takes (hex), once recorded.
    pub beacon: Option<String>,
}

impl BeaconStatus {
    fn of(wave: &Wave) -> Self {
        let derived = wave.derived_round().ok().flatten();
        BeaconStatus {
            source: wave.beacon_source.clone(),
            round: derived.as_ref().map(|(_, round)| *round),
            round_due: derived.map(|(chain, round)| chain.round_time(round)),
            beacon: wave.beacon.as_deref().map(hex::encode),
        }
    }

    fn human(&self) -> String {
        match (self.round, &self.beacon) {
            (None, _) if self.source.starts_with("drand:") => format!(
                "beacon: {}: the first round at least its delay after the draw's inputs freeze\n",
                self.source
            ),
            (None, _) => format!("beacon: {}\n", self.source),
            (Some(round), Some(beacon)) => {
                format!(
                    "beacon: {} round {round}, randomness {beacon}\n",
                    self.source
                )
            }
            (Some(round), None) => format!(
                "beacon: {} round {round} (due {}): waiting for it\n",
                self.source,
                self.round_due.map(|t| t.to_rfc3339()).unwrap_or_default()
            ),
        }
    }
}

#[derive(Debug, Serialize, sqlx::FromRow)]
pub struct DrawJob {
    pub attempts: i32,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// The statements that count a whole wave (`$1`: the wave, a bigint).
pub const REGISTRATION_COUNTS_SQL: &str = "SELECT count(*), count(*) FILTER (WHERE status = 'eligible') \
       FROM registrations WHERE wave_id = $1";
pub const REASON_COUNTS_SQL: &str = "SELECT r::text, count(*) FROM registrations, unnest(reasons) r \
      WHERE wave_id = $1 GROUP BY r ORDER BY r";
pub const WARNING_COUNTS_SQL: &str = "SELECT w, count(*) FROM registrations, unnest(warnings) w \
      WHERE wave_id = $1 GROUP BY w ORDER BY w";
pub const PARTICIPANT_COUNTS_SQL: &str = "SELECT origin || ':' || state, count(*) FROM participants \
      WHERE wave_id = $1 GROUP BY 1 ORDER BY 1";

pub async fn status(app: &App, wave_id: i64) -> CliResult<StatusReport> {
    let pool = &app.pool;
    let wave = Wave::find(pool, wave_id)
        .await?
        .ok_or_else(|| input(format!("wave {wave_id} does not exist")))?;
    let id = wave.wave_id;
    let (registrations, eligible): (i64, i64) = sqlx::query_as(REGISTRATION_COUNTS_SQL)
        .bind(i64::from(id))
        .fetch_one(pool)
        .await?;
    let counts = |sql: &'static str| async move {
        sqlx::query_as::<_, (String, i64)>(sql)
            .bind(i64::from(id))
            .fetch_all(pool)
            .await
            .map(|rows| {
                rows.into_iter()
                    .map(|(code, count)| Count { code, count })
                    .collect::<Vec<_>>()
            })
    };
    let reasons = counts(REASON_COUNTS_SQL).await?;
    let warnings = counts(WARNING_COUNTS_SQL).await?;
    let explicit_quotas =
        counts("SELECT province, quota FROM wave_quotas WHERE wave_id = $1 ORDER BY province")
            .await?;
    let participants = counts(PARTICIPANT_COUNTS_SQL).await?;
    let draw_job: Option<DrawJob> = sqlx::query_as(
        "SELECT attempts, started_at, finished_at, last_error FROM selection_jobs WHERE wave_id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(StatusReport {
        kk_cap: wave.kk_cap,
        registrations,
        eligible,
        rejected: registrations - eligible,
        reasons,
        warnings,
        explicit_quotas,
        draw_job,
        beacon: BeaconStatus::of(&wave),
        draw: DrawSummary::load(pool, id).await?,
        participants,
        payments: crate::disburser::steer::status(pool).await?,
        wave: line(wave),
    })
}

fn line(wave: Wave) -> WaveLine {
    WaveLine {
        commitment: wave.commitment_hex(),
        wave_id: wave.wave_id,
        name: wave.name,
        scheme: wave.scheme_name,
        state: wave.state,
        allocation: wave.allocation,
        closes_at: wave.closes_at,
        closed_at: wave.closed_at,
        selection: wave.selection_algorithm,
    }
}

pub fn status_human(r: &StatusReport) -> String {
    let w = &r.wave;
    let mut text = format!(
        "wave {} {:?}: {} (scheme {}, selection {}, allocation {}, KK cap {})\n  closes {}{}\n  \
         commitment {}\nregistrations: {} ({} eligible, {} rejected)\n",
        w.wave_id,
        w.name,
        w.state,
        w.scheme,
        w.selection,
        w.allocation,
        r.kk_cap,
        w.closes_at.to_rfc3339(),
        w.closed_at
            .map(|t| format!(", closed {}", t.to_rfc3339()))
            .unwrap_or_default(),
        w.commitment,
        r.registrations,
        r.eligible,
        r.rejected,
    );
    let list = |title: &str, counts: &[Count]| {
        if counts.is_empty() {
            return String::new();
        }
        let mut s = format!("{title}:\n");
        for c in counts {
            s.push_str(&format!("  {:<24} {:>10}\n", c.code, c.count));
        }
        s
    };
    text.push_str(&list("rejections by reason", &r.reasons));
    text.push_str(&list("warnings", &r.warnings));
    text.push_str(&list("explicit quotas", &r.explicit_quotas));
    if let Some(job) = &r.draw_job
        && job.finished_at.is_none()
    {
        text.push_str(&format!(
            "draw job: {} attempt(s){}\n",
            job.attempts,
            job.last_error
                .as_deref()
                .map(|e| format!(", last error: {e}"))
                .unwrap_or_default()
        ));
    }
    text.push_str(&r.beacon.human());
    match &r.draw {
        Some(draw) => text.push_str(&draw.human()),
        None => text.push_str("draw: none yet\n"),
    }
    text.push_str(&list("participants (origin:state)", &r.participants));
    text.push_str(&r.payments.human());
    text
}

#[derive(Debug, Serialize)]
pub struct ListReport {
    pub waves: Vec<ListLine>,
}

#[derive(Debug, Serialize)]
pub struct ListLine {
    #[serde(flatten)]
    pub wave: WaveLine,
    pub registrations: i64,
    pub eligible: i64,
    pub selected: i64,
}

pub async fn list(app: &App) -> CliResult<ListReport> {
    let mut waves = Vec::new();
    for wave in Wave::all(&app.pool).await? {
        let (registrations, eligible): (i64, i64) = sqlx::query_as(REGISTRATION_COUNTS_SQL)
            .bind(i64::from(wave.wave_id))
            .fetch_one(&app.pool)
            .await?;
        let selected: i64 =
            sqlx::query_scalar("SELECT count(*) FROM participants WHERE wave_id = $1")
                .bind(wave.wave_id)
                .fetch_one(&app.pool)
                .await?;
        waves.push(ListLine {
            wave: line(wave),
            registrations,
            eligible,
            selected,
        });
    }
    Ok(ListReport { waves })
}

pub fn list_human(r: &ListReport) -> String {
    if r.waves.is_empty() {
        return "no waves yet (`prakerja wave open --help`)".to_owned();
    }
    let mut text = format!(
        "{:>5}  {:<24} {:>6}  {:<8} {:>13} {:>10} {:>12}\n",
        "wave", "name", "scheme", "state", "registrations", "eligible", "participants"
    );
    for l in &r.waves {
        text.push_str(&format!(
            "{:>5}  {:<24} {:>6}  {:<8} {:>13} {:>10} {:>12}\n",
            l.wave.wave_id,
            l.wave.name,
            l.wave.scheme,
            l.wave.state,
            l.registrations,
            l.eligible,
            l.selected
        ));
    }
    text
}
