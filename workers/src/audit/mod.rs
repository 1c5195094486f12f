//! Audits: recompute a draw from its stored inputs (or from an exported
//! bundle, with no database) and compare it with the published result.

mod beacon;
mod checks;
pub mod queries;
mod stored;

use std::path::Path;

use serde::Serialize;
use shared::beacon::Chain;
use shared::selection::bundle::{AnyBundle, BundleOf};
use shared::selection::{
    Difference, Draw, DrawCandidate, DrawParams, DrawRow, FamilyKey, compare, draw,
};
use sqlx::PgPool;

use shared::skew::draw_check::SkewCheck;

pub use beacon::BeaconReport;
pub use checks::Check;
pub use stored::{NotDrawn, StoredDraw, StoredV2};

/// What an audit found.
#[derive(Debug, Serialize)]
pub struct AuditReport {
    /// `wave N` or the bundle's directory.
    pub source: String,
    /// The recomputed draw's algorithm (`prakerja-selection-v1` or `-v2`).
    pub algorithm: String,
    /// `MATCH` or `MISMATCH`.
    pub verdict: &'static str,
    pub rows: usize,
    pub selected: u64,
    pub waitlist: u64,
    pub kk_cap: u64,
    pub output_digest: String,
    /// The first differences between the published and the recomputed draw.
    pub differences: Vec<String>,
    /// Consistency checks of the database around the draw, and of the beacon.
    pub checks: Vec<Check>,
    /// The beacon the seed took, as verified.
    pub beacon: BeaconReport,
    /// The skew check, recomputed (needs the database's submission times).
    pub skew: Option<SkewCheck>,
}

impl AuditReport {
    pub fn matched(&self) -> bool {
        self.verdict == "MATCH"
    }

    fn new<R: DrawRow>(
        source: String,
        recomputed: &Draw<R>,
        differences: Vec<Difference<R>>,
        checks: Vec<Check>,
        beacon: BeaconReport,
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
            algorithm: recomputed.manifest.algorithm.clone(),
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
            beacon,
            skew,
        }
    }
}

/// Recomputes a wave's draw from the database and compares (the beacon's
/// chain checked against no configuration; see [`audit_wave_pinned`]).
pub async fn audit_wave(pool: &PgPool, wave_id: i64, alpha: f64) -> anyhow::Result<AuditReport> {
    audit_wave_pinned(pool, wave_id, alpha, None).await
}

/// Recomputes a wave's draw from the database and compares; a drand
/// beacon's chain is also checked against the `pinned` chains. A v2 wave
/// needs [`audit_wave_keyed`].
pub async fn audit_wave_pinned(
    pool: &PgPool,
    wave_id: i64,
    alpha: f64,
    pinned: Option<&[Chain]>,
) -> anyhow::Result<AuditReport> {
    audit_wave_keyed(pool, wave_id, alpha, pinned, None).await
}

/// As [`audit_wave_pinned`], with the configured family key: a v2 wave is
/// recomputed by `pid` and `fid`, derived again from the stored
/// registration ids and KKs (refused unless the key is the wave's).
pub async fn audit_wave_keyed(
    pool: &PgPool,
    wave_id: i64,
    alpha: f64,
    pinned: Option<&[Chain]>,
    key: Option<&FamilyKey>,
) -> anyhow::Result<AuditReport> {
    let stored = StoredDraw::load_keyed(pool, wave_id, key).await?;
    match stored.v2.clone() {
        None => {
            let (params, candidates) = (stored.params.clone(), stored.candidates.clone());
            let rows = stored.rows.clone();
            audit_stored(pool, &stored, params, candidates, &rows, alpha, pinned).await
        }
        Some(v2) => {
            audit_stored(
                pool,
                &stored,
                v2.params,
                v2.candidates,
                &v2.rows,
                alpha,
                pinned,
            )
            .await
        }
    }
}

async fn audit_stored<C: DrawCandidate>(
    pool: &PgPool,
    stored: &StoredDraw,
    params: DrawParams<C::Id>,
    candidates: Vec<C>,
    rows: &[C::Row],
    alpha: f64,
    pinned: Option<&[Chain]>,
) -> anyhow::Result<AuditReport> {
    let recomputed = tokio::task::spawn_blocking(move || draw(&params, candidates)).await??;
    let differences = compare(rows, &stored.manifest, &recomputed);
    let mut checks = checks::run(pool, stored).await?;
    let (beacon_checks, beacon) = beacon::from_wave(
        &stored.wave,
        &stored.manifest,
        &stored.params.beacon,
        pinned,
    );
    checks.extend(beacon_checks);
    // The skew check looks at what was published (stored), so that a draw
    // that is reproducible but skewed (a faulty algorithm) is caught too.
    let published = shared::selection::Draw {
        rows: stored.rows.clone(),
        manifest: stored.manifest.clone(),
    };
    let skew = checks::recompute_skew(pool, stored, &published, alpha).await?;
    Ok(AuditReport::new(
        format!("wave {}", stored.wave.wave_id),
        &recomputed,
        differences,
        checks,
        beacon,
        Some(skew),
    ))
}

/// Recomputes a bundle's draw and compares, with no database or broker
/// (and no configuration: see [`audit_bundle_pinned`]).
pub fn audit_bundle(dir: &Path) -> anyhow::Result<AuditReport> {
    audit_bundle_pinned(dir, None)
}

/// Recomputes a bundle's draw (v1 or v2, by its `candidates.csv` header)
/// and compares, with no database or broker. A v2 vector's `pid`s and
/// `fid`s are also derived again from its registrations and family key; a
/// drand beacon's chain is also checked against the `pinned` chains.
pub fn audit_bundle_pinned(dir: &Path, pinned: Option<&[Chain]>) -> anyhow::Result<AuditReport> {
    match AnyBundle::read(dir)? {
        AnyBundle::V1(bundle) => audit_read_bundle(dir, &bundle, Vec::new(), pinned),
        AnyBundle::V2(bundle) => {
            let checks = bundle
                .derivation
                .as_ref()
                .map_or_else(Vec::new, |derivation| {
                    let prior = bundle
                        .prior
                        .as_deref()
                        .map(|p| (p, bundle.prior_file.as_str()));
                    let name = "pid and fid derivations";
                    let mismatches = derivation.check(&bundle.candidates, "candidates.csv", prior);
                    if mismatches.is_empty() {
                        let n = derivation.registrations.len();
                        let detail = format!("every id follows from {n} registrations and the key");
                        vec![Check {
                            name,
                            ok: true,
                            detail,
                        }]
                    } else {
                        let failed = |detail| Check {
                            name,
                            ok: false,
                            detail,
                        };
                        mismatches.into_iter().map(failed).collect()
                    }
                });
            audit_read_bundle(dir, &bundle, checks, pinned)
        }
    }
}

fn audit_read_bundle<C: DrawCandidate>(
    dir: &Path,
    bundle: &BundleOf<C>,
    mut checks: Vec<Check>,
    pinned: Option<&[Chain]>,
) -> anyhow::Result<AuditReport> {
    let (Some(expected), Some(manifest)) = (&bundle.expected, &bundle.manifest) else {
        anyhow::bail!(
            "{} has no expected.csv and manifest.json to compare with",
            dir.display()
        );
    };
    let recomputed = draw(&bundle.draw_params(), bundle.candidates.clone())?;
    let differences = compare(expected, manifest, &recomputed);
    let (beacon_checks, beacon) = beacon::from_bundle(manifest, &bundle.beacon, pinned);
    checks.extend(beacon_checks);
    Ok(AuditReport::new(
        dir.display().to_string(),
        &recomputed,
        differences,
        checks,
        beacon,
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
    text.push_str(&format!("beacon: {}\n", report.beacon.description));
    for note in &report.beacon.notes {
        text.push_str(&format!("  note: {note}\n"));
    }
    if let Some(skew) = &report.skew {
        text.push_str(&skew.strata_table());
        text.push_str(&format!("skew check: {}\n", skew.summary()));
    }
    text
}
