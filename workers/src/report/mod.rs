//! `prakerja report`: a wave's story in one self-contained HTML file that
//! people can read without logs, offline, on a laptop or on paper. Who
//! registered and why some were rejected; the draw per province and its
//! skew check; the manifest, the beacon re-verified and the commands that
//! recompute the draw; the disbursement funnel, the ledger over time, and
//! what waits for an operator.
//!
//! Every query runs in one read-only snapshot without nested loops
//! (`reconcile::begin`), so the numbers agree with each other and no query
//! can go quadratic. Charts are inline SVG drawn in Rust ([`svg`]); every
//! text from data is escaped ([`html::escape`]); the page carries counts and
//! masked NIKs only, never a name, full NIK, phone or account.

mod draw;
mod funnel;
pub mod html;
mod money;
mod page;
mod recompute;
mod registrants;
pub mod svg;

use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};

pub use draw::DrawFacts;
pub use money::{Money, QUERIES};
pub use page::CONTENT_SECURITY_POLICY;
pub use recompute::{BeaconFacts, command_text};
pub use registrants::Registrants;

use self::html::{escape, facts};
use crate::app::App;
use crate::waves::Wave;

/// No wave has this id.
#[derive(Debug, thiserror::Error)]
#[error("wave {0} does not exist (`prakerja wave list` shows the waves)")]
pub struct UnknownWave(pub i64);

/// Everything the page shows, read in one snapshot.
#[derive(Debug, Clone)]
pub struct WaveReport {
    pub generated_at: DateTime<Utc>,
    pub wave: Wave,
    pub registrants: Registrants,
    pub draw: Option<DrawFacts>,
    pub beacon: BeaconFacts,
    pub money: Money,
    /// The draw job's attempts and last error, while it is not finished.
    pub job: Option<(i32, Option<String>)>,
}

impl WaveReport {
    /// Reads the wave's report; [`UnknownWave`] when there is no such wave.
    pub async fn build(app: &App, wave_id: i64) -> anyhow::Result<WaveReport> {
        let mut tx = crate::reconcile::begin(&app.pool).await?;
        let wave = Wave::find(&mut *tx, wave_id)
            .await?
            .ok_or(UnknownWave(wave_id))?;
        let id = wave.wave_id;
        let registrants = Registrants::load(&mut tx, id).await?;
        let draw = DrawFacts::load(&mut tx, id).await?;
        let job: Option<(i32, Option<String>)> = sqlx::query_as(
            "SELECT attempts, last_error FROM selection_jobs WHERE wave_id = $1 AND finished_at IS NULL",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let money = Money::load(&mut tx, id, &app.settings.disburser.card_provider).await?;
        tx.commit().await?;
        let beacon = BeaconFacts::of(&wave, draw.is_some(), &app.settings.drand.all());
        Ok(WaveReport {
            generated_at: Utc::now(),
            wave,
            registrants,
            draw,
            beacon,
            money,
            job,
        })
    }

    /// The page.
    pub fn render(&self) -> String {
        let w = &self.wave;
        let title = format!("Wave {}: {}", w.wave_id, w.name);
        let header = format!(
            "<h1>{}</h1>{}",
            escape(&title),
            facts(
                &[
                    ("state", w.state.to_string()),
                    ("scheme", w.scheme_name.clone()),
                    ("allocation", w.allocation.clone()),
                    ("KK cap", w.kk_cap.to_string()),
                    ("opened", stamp(w.opened_at)),
                    ("closes", stamp(w.closes_at)),
                    (
                        "closed",
                        w.closed_at.map(stamp).unwrap_or_else(|| "not yet".into())
                    ),
                    ("seed commitment", w.commitment_hex()),
                ],
                false
            )
        );
        let mut page = page::Page::new();
        page.section(
            "registrants",
            "Registrants and rejections",
            &self.registrants.html(),
        );
        let draw = match (&self.draw, &self.job) {
            (Some(draw), _) => draw.html(),
            (None, Some((attempts, error))) => format!(
                "<p>The draw is under way ({attempts} attempt(s)){}.</p>",
                error
                    .as_deref()
                    .map(|e| format!(": {}", escape(e)))
                    .unwrap_or_default()
            ),
            (None, None) => "<p>No draw yet: the wave has not been closed.</p>".to_owned(),
        };
        page.section("draw", "The draw", &draw);
        page.section(
            "proof",
            "Manifest, beacon and how to recompute the draw",
            &recompute::html(w, self.draw.as_ref(), &self.beacon),
        );
        page.section("money", "Disbursement", &funnel::html(&self.money));
        let footer = format!(
            "Written by <code>prakerja report {}</code> {} {} from the system of record, in one snapshot. \
             Counts and masked NIKs only: no name, full NIK, phone or account number.",
            w.wave_id,
            env!("CARGO_PKG_VERSION"),
            escape(&stamp(self.generated_at))
        );
        page.finish(&title, &header, &footer)
    }
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// Writes `html` to `path` whole or not at all: a file beside it, then a
/// rename.
pub fn write(path: &Path, html: &str) -> anyhow::Result<()> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .with_context(|| format!("{} names no file", path.display()))?;
    let partial = parent.join(format!(
        ".{}.partial-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    std::fs::write(&partial, html).with_context(|| format!("writing {}", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| {
        let _ = std::fs::remove_file(&partial);
        format!("writing {}", path.display())
    })
}
