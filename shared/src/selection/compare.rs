//! Differences between a published result and a recomputed draw (audit).

use std::fmt;

use super::draw::Draw;
use super::entrant::DrawRow;
use super::id::CandidateId;
use super::manifest::Manifest;
use super::status::ResultRow;

/// At most this many differing rows are listed (then a count of the rest).
pub const MAX_ROW_DIFFERENCES: usize = 20;

/// One way the published result differs from the recomputed one. Display
/// masks NIKs; the fields hold the full values. `R` is the algorithm's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Difference<R = ResultRow> {
    /// The number of rows differs.
    RowCount {
        /// Rows in the published result.
        expected: usize,
        /// Rows in the recomputed draw.
        recomputed: usize,
    },
    /// The row at the same position differs.
    Row {
        /// The row's line in `expected.csv` (the header is line 1).
        line: usize,
        /// The published row.
        expected: R,
        /// The recomputed row.
        recomputed: R,
    },
    /// Rows differ beyond the ones listed.
    MoreRows(usize),
    /// A required manifest field differs (`quotas["14"]` for one quota).
    Manifest {
        /// The field.
        field: String,
        /// The published value (`absent` if missing).
        expected: String,
        /// The recomputed value (`absent` if missing).
        recomputed: String,
    },
}

impl<R: DrawRow> fmt::Display for Difference<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RowCount {
                expected,
                recomputed,
            } => {
                write!(
                    f,
                    "expected.csv has {expected} rows, the recomputed draw {recomputed}"
                )
            }
            Self::Row {
                line,
                expected,
                recomputed,
            } => {
                let fields: Vec<&str> = [
                    ("stratum", expected.stratum() != recomputed.stratum()),
                    ("rank", expected.rank() != recomputed.rank()),
                    (
                        R::Id::ALGORITHM.id_field(),
                        expected.id() != recomputed.id(),
                    ),
                    ("status", expected.status() != recomputed.status()),
                ]
                .into_iter()
                .filter_map(|(name, differs)| differs.then_some(name))
                .collect();
                write!(
                    f,
                    "expected.csv line {line}: {} differs: expected {}, recomputed {}",
                    fields.join(", "),
                    expected.shown(),
                    recomputed.shown()
                )
            }
            Self::MoreRows(n) => write!(f, "... and {n} more differing rows"),
            Self::Manifest {
                field,
                expected,
                recomputed,
            } => {
                write!(
                    f,
                    "manifest.json {field}: expected {expected}, recomputed {recomputed}"
                )
            }
        }
    }
}

/// Lists how a published result (`expected.csv` rows and `manifest.json`)
/// differs from a recomputed draw: the row count, the first
/// [`MAX_ROW_DIFFERENCES`] differing rows, and every required manifest field
/// that differs. Extra manifest fields are not compared. Empty means the
/// result is reproduced.
pub fn compare<R: DrawRow>(
    expected_rows: &[R],
    expected_manifest: &Manifest,
    recomputed: &Draw<R>,
) -> Vec<Difference<R>> {
    let mut differences = Vec::new();
    if expected_rows.len() != recomputed.rows.len() {
        differences.push(Difference::RowCount {
            expected: expected_rows.len(),
            recomputed: recomputed.rows.len(),
        });
    }
    let mut differing = expected_rows
        .iter()
        .zip(&recomputed.rows)
        .enumerate()
        .filter(|(_, (e, r))| e != r);
    for (index, (expected, recomputed)) in differing.by_ref().take(MAX_ROW_DIFFERENCES) {
        differences.push(Difference::Row {
            line: index + 2,
            expected: *expected,
            recomputed: *recomputed,
        });
    }
    let more = differing.count();
    if more > 0 {
        differences.push(Difference::MoreRows(more));
    }
    compare_manifests(expected_manifest, &recomputed.manifest, &mut differences);
    differences
}

fn compare_manifests<R>(expected: &Manifest, recomputed: &Manifest, out: &mut Vec<Difference<R>>) {
    let mut field = |name: String, e: String, r: String| {
        if e != r {
            out.push(Difference::Manifest {
                field: name,
                expected: e,
                recomputed: r,
            });
        }
    };
    field(
        "algorithm".into(),
        expected.algorithm.clone(),
        recomputed.algorithm.clone(),
    );
    field(
        "wave_id".into(),
        expected.wave_id.to_string(),
        recomputed.wave_id.to_string(),
    );
    field(
        "commitment".into(),
        expected.commitment.clone(),
        recomputed.commitment.clone(),
    );
    field(
        "seed".into(),
        expected.seed.clone(),
        recomputed.seed.clone(),
    );
    field(
        "input_digest".into(),
        expected.input_digest.clone(),
        recomputed.input_digest.clone(),
    );
    field(
        "output_digest".into(),
        expected.output_digest.clone(),
        recomputed.output_digest.clone(),
    );
    let keys: std::collections::BTreeSet<&String> = expected
        .quotas
        .keys()
        .chain(recomputed.quotas.keys())
        .collect();
    let show = |q: Option<&u64>| q.map_or_else(|| "absent".to_owned(), u64::to_string);
    for key in keys {
        field(
            format!("quotas[{key:?}]"),
            show(expected.quotas.get(key)),
            show(recomputed.quotas.get(key)),
        );
    }
    field(
        "selected".into(),
        expected.selected.to_string(),
        recomputed.selected.to_string(),
    );
    field(
        "waitlist".into(),
        expected.waitlist.to_string(),
        recomputed.waitlist.to_string(),
    );
    field(
        "kk_cap".into(),
        expected.kk_cap.to_string(),
        recomputed.kk_cap.to_string(),
    );
}
