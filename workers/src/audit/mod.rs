//! Audits: recompute a draw from its stored inputs (or from an exported
//! bundle, with no database) and compare it with the published result.

mod checks;
pub mod queries;
mod stored;

use std::path::Path;

use serde::Serialize;
use shared::selection::bundle::Bundle;
use shared::selection::{Difference, compare, draw};
use sqlx::PgPool;

use crate::selector::skew_check::SkewCheck;

pub use checks::Check;
pub use stored::{NotDrawn, StoredDraw};

/// What an audit found.
#[derive(Debug, Serialize)]
pub struct AuditReport {
    /// `wave N` or the bundle's directory.
    pub source: String,
    /// `MATCH` or `MISMATCH`.
    pub verdict: &'static str,
    pub rows: usize,
    pub selected: u64,
    pub waitlist: u64,
    pub kk_cap: u64,
    pub output_digest: String,
    /// The first differences between the published and the recomputed draw.
    pub differences: Vec<String>,
    /// Consistency checks of the database around the draw.
    pub checks: Vec<Check>,
    /// The skew check, recomputed (needs the database's submission times).
    pub skew: Option<SkewCheck>,
}

impl AuditReport {
    pub fn matched(&self) -> bool {
        self.verdict == "MATCH"
    }

    fn new(
        source: String,
        recomputed: &shared::selection::Draw,
        differences: Vec<Difference>,
        checks: Vec<Check>,
        skew: Option<SkewCheck>,
    ) -> Self {
        let mut differences: Vec<String> = differences.iter().map(ToString::to_string).collect();
        differences.extend(
            checks
                .iter()
                .filter(|c| !c.ok)
                .map(|c| format!("{}: {}", c.name, c.detail)),
        );
        AuditReport {
            source,
            verdict: if differences.is_empty() {
                "MATCH"
            } else {
                "MISMATCH"
            },
            rows: recomputed.rows.len(),
            selected: recomputed.manifest.selected,
            waitlist: recomputed.manifest.waitlist,
            kk_cap: recomputed.manifest.kk_cap,
            output_digest: recomputed.manifest.output_digest.clone(),
            differences,
            checks,
            skew,
        }
    }
}

/// Recomputes a wave's draw from the database and compares.
pub async fn audit_wave(pool: &PgPool, wave_id: i64, alpha: f64) -> anyhow::Result<AuditReport> {
    let stored = StoredDraw::load(pool, wave_id).await?;
    let params = stored.params.clone();
    let candidates = stored.candidates.clone();
    let recomputed = tokio::task::spawn_blocking(move || draw(&params, candidates)).await??;
    let differences = compare(&stored.rows, &stored.manifest, &recomputed);
    let checks = checks::run(pool, &stored).await?;
    // The skew check looks at what was published (stored), so that a draw
    // that is reproducible but skewed (a faulty algorithm) is caught too.
    let published = shared::selection::Draw {
        rows: stored.rows.clone(),
        manifest: stored.manifest.clone(),
    };
    let skew = checks::recompute_skew(pool, &stored, &published, alpha).await?;
    Ok(AuditReport::new(
        format!("wave {wave_id}"),
        &recomputed,
        differences,
        checks,
        Some(skew),
    ))
}

/// Recomputes a bundle's draw and compares, with no database or broker.
pub fn audit_bundle(dir: &Path) -> anyhow::Result<AuditReport> {
    let bundle = Bundle::read(dir)?;
    let (Some(expected), Some(manifest)) = (&bundle.expected, &bundle.manifest) else {
        anyhow::bail!(
            "{} has no expected.csv and manifest.json to compare with",
            dir.display()
        );
    };
    let recomputed = draw(&bundle.draw_params(), bundle.candidates.clone())?;
    let differences = compare(expected, manifest, &recomputed);
    Ok(AuditReport::new(
        dir.display().to_string(),
        &recomputed,
        differences,
        Vec::new(),
        None,
    ))
}

/// The report for a person.
pub fn human(report: &AuditReport) -> String {
    let mut text = format!(
        "{}: {} ({} rows; selected {}, waitlist {}, KK cap {}; output digest {})\n",
        report.source,
        report.verdict,
        report.rows,
        report.selected,
        report.waitlist,
        report.kk_cap,
        report.output_digest
    );
    for difference in &report.differences {
        text.push_str(&format!("  - {difference}\n"));
    }
    for check in report.checks.iter().filter(|c| c.ok) {
        text.push_str(&format!("  ok: {}\n", check.name));
    }
    if let Some(skew) = &report.skew {
        text.push_str(&crate::cli::draw_summary::strata_table(skew));
        text.push_str(&format!("skew check: {}\n", skew.summary()));
    }
    text
}
