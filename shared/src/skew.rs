//! The draw's skew check: is selection independent of a grouping
//! (province, submission day, hour of day, ...) once the draw's own
//! structure is accounted for?
//!
//! The draw is uniform only within a *cell* (stratum + tier): tier 1 goes
//! first and quotas differ between strata, so raw selection rates differ
//! by group legitimately. The check therefore conditions on the cell: a
//! group's expected number of winners is
//! `E_g = sum over cells c of n(g,c) * s(c) / n(c)`, where `n` counts
//! candidates and `s` winners. The statistic is Pearson's over each group's
//! selected and not-selected counts:
//! `X^2 = sum_g (S_g - E_g)^2 / E_g + ((N_g - S_g) - (N_g - E_g))^2 / (N_g - E_g)`,
//! compared with a chi-square distribution with `groups - 1` degrees of
//! freedom. A fair draw gives a p-value that is uniform on [0, 1]; a draw
//! favouring early registrations (the DV-2012 lottery bug, where most
//! winners came from the first two days of a 30-day window) gives a tiny
//! one.
//!
//! Groups whose cells are all-selected or all-not-selected (`E_g == 0` or
//! `E_g == N_g`) carry no variance: they are reported but left out of the
//! statistic and of the degrees of freedom. With fewer than two
//! contributing groups there is nothing to test (statistic 0, p-value 1).
//! Within a cell the number of winners is fixed, so the statistic is
//! slightly conservative; a generalised Cochran-Mantel-Haenszel test would
//! be exact but needs a matrix inverse per dimension.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Display;
use std::hash::Hash;

use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// Suggested significance level: with several dimensions checked after
/// every draw, a false alarm should be rare.
pub const DEFAULT_ALPHA: f64 = 0.001;

/// One candidate as the skew check sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation<C, G> {
    /// The unit within which the draw is uniform, e.g. (stratum, tier).
    pub cell: C,
    /// The label under test, e.g. a province or `"2026-11-20"` or `"08"`.
    pub group: G,
    /// Whether the candidate was selected.
    pub selected: bool,
}

/// One group's counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupSkew {
    /// The group's label.
    pub label: String,
    /// Candidates in the group.
    pub candidates: u64,
    /// Selected candidates in the group.
    pub selected: u64,
    /// Selected candidates expected from the group's cells.
    pub expected_selected: f64,
    /// `selected / candidates`.
    pub rate: f64,
}

/// The skew check of one dimension.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SkewReport {
    /// What was grouped by, e.g. `"province"` or `"submission_day"`.
    pub dimension: String,
    /// Every group, in label order.
    pub groups: Vec<GroupSkew>,
    /// Pearson's chi-square statistic.
    pub statistic: f64,
    /// Degrees of freedom: contributing groups - 1.
    pub dof: u64,
    /// P-value of the statistic (1 when there is nothing to test).
    pub p_value: f64,
    /// The significance level used.
    pub alpha: f64,
    /// `p_value < alpha`: selection depends on the group.
    pub significant: bool,
}

/// Candidates and winners of one (group, cell) pair or of one cell.
#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    candidates: u64,
    selected: u64,
}

impl Counts {
    fn add(&mut self, selected: bool) {
        self.candidates += 1;
        self.selected += u64::from(selected);
    }
}

/// Runs the skew check of `dimension` over `observations` at level `alpha`.
pub fn skew_check<C, G, I>(dimension: &str, observations: I, alpha: f64) -> SkewReport
where
    C: Hash + Eq,
    G: Ord + Display,
    I: IntoIterator<Item = Observation<C, G>>,
{
    let mut cells: HashMap<C, usize> = HashMap::new();
    let mut cell_counts: Vec<Counts> = Vec::new();
    let mut groups: BTreeMap<G, HashMap<usize, Counts>> = BTreeMap::new();
    for Observation {
        cell,
        group,
        selected,
    } in observations
    {
        let next = cells.len();
        let cell = *cells.entry(cell).or_insert(next);
        if cell == cell_counts.len() {
            cell_counts.push(Counts::default());
        }
        cell_counts[cell].add(selected);
        groups
            .entry(group)
            .or_default()
            .entry(cell)
            .or_default()
            .add(selected);
    }
    let mut statistic = 0.0;
    let mut contributing = 0u64;
    let mut reports = Vec::with_capacity(groups.len());
    for (label, by_cell) in groups {
        let (mut candidates, mut selected, mut expected) = (0u64, 0u64, 0.0f64);
        for (cell, counts) in by_cell {
            let cell = cell_counts[cell];
            candidates += counts.candidates;
            selected += counts.selected;
            expected += counts.candidates as f64 * cell.selected as f64 / cell.candidates as f64;
        }
        let expected_not = candidates as f64 - expected;
        // Relative tolerance: sums of fractions need not be exactly 0 or n.
        let tolerance = 1e-9 * candidates as f64;
        if expected > tolerance && expected_not > tolerance {
            let deviation = selected as f64 - expected;
            statistic += deviation * deviation * (1.0 / expected + 1.0 / expected_not);
            contributing += 1;
        }
        reports.push(GroupSkew {
            label: label.to_string(),
            candidates,
            selected,
            expected_selected: expected,
            rate: if candidates == 0 {
                0.0
            } else {
                selected as f64 / candidates as f64
            },
        });
    }
    let dof = contributing.saturating_sub(1);
    let p_value = match ChiSquared::new(dof as f64) {
        Ok(chi) if dof > 0 => chi.sf(statistic),
        _ => 1.0,
    };
    SkewReport {
        dimension: dimension.to_owned(),
        groups: reports,
        statistic: if dof > 0 { statistic } else { 0.0 },
        dof,
        p_value,
        alpha,
        significant: p_value < alpha,
    }
}

pub mod draw_check;

#[cfg(test)]
mod tests;
