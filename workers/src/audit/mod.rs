//! Audits: recompute a draw from its stored inputs (or from an exported
//! bundle, with no database) and compare it with the published result.

mod beacon;
mod checks;
pub mod queries;
mod stored;
mod wave;

use std::path::Path;

use serde::Serialize;
use shared::beacon::Chain;
use shared::selection::bundle::{AnyBundle, BundleOf};
use shared::selection::{Difference, Draw, DrawCandidate, DrawRow, compare, draw};

use shared::skew::draw_check::SkewCheck;

pub use beacon::BeaconReport;
pub use checks::Check;
pub use stored::{NotDrawn, StoredDraw, StoredV2};
pub use wave::{audit_wave, audit_wave_keyed, audit_wave_pinned};

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

    pub(crate) fn new<R: DrawRow>(
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
