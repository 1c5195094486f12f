//! Validation and partition of the id-sorted candidates into strata and
//! tiers (SPEC.md steps 2 and 6), in O(n).

use std::ops::Range;

use super::entrant::DrawCandidate;
use super::error::SelectionError;
use super::id::CandidateId;
use super::province::Stratum;

/// Tiers run 1..=9.
const TIERS: usize = 9;
/// Province codes run 0..=99.
const PROVINCES: usize = 100;

/// One stratum's place in the output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StratumLayout {
    /// The stratum's key.
    pub stratum: Stratum,
    /// Number of candidates in the stratum.
    pub len: usize,
    /// Each non-empty tier's rows, relative to the stratum's first row,
    /// in ascending tier order.
    pub tiers: Vec<Range<usize>>,
}

/// The strata of a draw in ascending key order, and how many candidates
/// each (stratum, tier) bucket holds.
#[derive(Clone, Debug)]
pub struct Layout {
    national: bool,
    /// Whether the candidates were in ascending id order.
    pub sorted: bool,
    counts: Vec<usize>,
    /// The non-empty strata in ascending key order.
    pub strata: Vec<StratumLayout>,
}

impl Layout {
    /// Checks every candidate (tier; for v1 16-digit NIK and KK) and
    /// counts the buckets, noting whether the ids ascend. Duplicate ids are
    /// caught when adjacent, so all of them once the candidates are sorted:
    /// an unsorted list must be sorted and built again.
    pub fn build<C: DrawCandidate>(
        candidates: &[C],
        national: bool,
    ) -> Result<Self, SelectionError> {
        let mut counts = vec![0usize; if national { TIERS } else { TIERS * PROVINCES }];
        let mut sorted = true;
        let mut previous = None;
        for c in candidates {
            let (id, family) = (c.id(), c.family());
            let bad_tier = c.tier().wrapping_sub(1) >= TIERS as u8;
            let out_of_range = !id.in_range() | !family.in_range();
            let descends = Some(id) <= previous;
            if bad_tier | out_of_range | descends {
                if bad_tier | out_of_range | (Some(id) == previous) {
                    return Err(first_problem(c));
                }
                sorted = false;
            }
            previous = Some(id);
            counts[bucket(c, national)] += 1;
        }
        let strata = counts
            .chunks(TIERS)
            .enumerate()
            .filter(|(_, tiers)| tiers.iter().any(|n| *n > 0))
            .map(|(code, tiers)| StratumLayout {
                stratum: stratum_of(code, national),
                len: tiers.iter().sum(),
                tiers: tier_ranges(tiers),
            })
            .collect();
        Ok(Self {
            national,
            sorted,
            counts,
            strata,
        })
    }

    /// Writes `[id, family]` of each candidate into `slots` (same length),
    /// grouped by stratum then tier in output order. The scatter is stable,
    /// so each group keeps the id order of `sorted`.
    pub fn scatter<C: DrawCandidate>(&self, sorted: &[C], slots: &mut [[C::Id; 2]]) {
        let mut next = Vec::with_capacity(self.counts.len());
        let mut start = 0;
        for count in &self.counts {
            next.push(start);
            start += count;
        }
        for c in sorted {
            let slot = &mut next[bucket(c, self.national)];
            slots[*slot] = [c.id(), c.family()];
            *slot += 1;
        }
    }
}

#[inline]
fn bucket<C: DrawCandidate>(c: &C, national: bool) -> usize {
    let tier = usize::from(c.tier().saturating_sub(1));
    if national {
        tier
    } else {
        usize::from(c.province().code()) * TIERS + tier
    }
}

fn stratum_of(code: usize, national: bool) -> Stratum {
    match u8::try_from(code)
        .ok()
        .and_then(super::province::Province::new)
    {
        Some(province) if !national => Stratum::from(province),
        _ => Stratum::NATIONAL,
    }
}

fn tier_ranges(tiers: &[usize]) -> Vec<Range<usize>> {
    let mut start = 0;
    let mut ranges = Vec::new();
    for &n in tiers {
        if n > 0 {
            ranges.push(start..start + n);
            start += n;
        }
    }
    ranges
}

/// What is wrong with a candidate the check refused: its tier, its range,
/// or else its id repeats the previous one.
#[cold]
fn first_problem<C: DrawCandidate>(c: &C) -> SelectionError {
    if !(1..=TIERS as u8).contains(&c.tier()) {
        c.id().bad_tier(c.tier())
    } else {
        C::Id::range_problem(c.id(), c.family()).unwrap_or_else(|| c.id().duplicate())
    }
}
