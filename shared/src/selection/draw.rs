//! The draw itself: validation, strata, ranking, statuses, digests and
//! manifest. Pure: no I/O, no clock, no global state.

use std::collections::BTreeMap;

use super::entrant::{DrawCandidate, DrawRow};
use super::error::SelectionError;
use super::id::CandidateId;
use super::kk_counts::KkCounts;
use super::manifest::Manifest;
use super::params::{Allocation, DrawParams};
use super::province::Stratum;
use super::quotas::quotas;
use super::ranking::Ranking;
use super::seed::{commitment, wave_seed_of};
use super::status::ResultRow;
use super::strata::Layout;

/// From this many candidates on, the two digests are computed on their
/// own threads, overlapping the ranking.
const PARALLEL_FROM: usize = 1 << 16;

/// The result of a draw: rows ordered by (stratum key, rank), and the
/// manifest (with no extra fields). `R` is [`ResultRow`] for v1 and
/// [`ResultRowV2`](super::ResultRowV2) for v2.
#[derive(Clone, Debug, PartialEq)]
pub struct Draw<R = ResultRow> {
    /// One row per candidate.
    pub rows: Vec<R>,
    /// The manifest to publish.
    pub manifest: Manifest,
}

/// Runs the selection over `candidates`, in any order: with
/// [`Candidate`](super::Candidate)s `prakerja-selection-v1`, with
/// [`CandidateV2`](super::CandidateV2)s `prakerja-selection-v2` (the two
/// SPEC.md files).
///
/// Errors on a beacon over 64 bytes, a tier outside 1..=9, a NIK or KK
/// (candidate or prior) over 16 digits, a duplicate id, or more than
/// `u32::MAX` candidates. Large draws use two helper threads for the
/// digests; call from a blocking context (`spawn_blocking` under tokio).
pub fn draw<C: DrawCandidate>(
    params: &DrawParams<C::Id>,
    mut candidates: Vec<C>,
) -> Result<Draw<C::Row>, SelectionError> {
    let seed = wave_seed_of(C::ALGORITHM, params.wave_id, &params.secret, &params.beacon)?;
    if let Some(problem) = params.prior.keys().find_map(|f| C::Id::prior_problem(*f)) {
        return Err(problem);
    }
    if u32::try_from(candidates.len()).is_err() {
        return Err(SelectionError::TooManyCandidates(candidates.len()));
    }
    let national = params.allocation.is_national();
    let mut layout = Layout::build(&candidates, national)?;
    if !layout.sorted {
        candidates.sort_unstable_by_key(DrawCandidate::id);
        layout = Layout::build(&candidates, national)?;
    }
    let sizes: Vec<(Stratum, u64)> = layout
        .strata
        .iter()
        .map(|s| (s.stratum, s.len as u64))
        .collect();
    let quotas = quotas(&params.allocation, &sizes);
    let kk = (params.kk_cap > 0).then(|| {
        let seats = quotas.iter().fold(0u64, |a, q| a.saturating_add(*q));
        let expected = usize::try_from(seats)
            .unwrap_or(usize::MAX)
            .min(candidates.len());
        let key = u64::from_le_bytes([
            seed[0], seed[1], seed[2], seed[3], seed[4], seed[5], seed[6], seed[7],
        ]);
        KkCounts::new(&params.prior, params.kk_cap, key, expected)
    });
    let ranking = Ranking {
        seed,
        layout: &layout,
        quotas: &quotas,
        kk,
    };
    let parallel = candidates.len() >= PARALLEL_FROM;
    let (slots, tally, input, output) = ranking.run(&candidates, parallel);
    drop(candidates);
    let rows = into_rows(slots, &layout);

    let manifest = Manifest {
        algorithm: C::ALGORITHM.name().to_owned(),
        wave_id: params.wave_id,
        commitment: hex::encode(commitment(&params.secret)),
        seed: hex::encode(seed),
        input_digest: hex::encode(input),
        output_digest: hex::encode(output),
        quotas: quota_map(&params.allocation, &sizes, &quotas),
        selected: tally.selected,
        waitlist: tally.waitlist,
        kk_cap: tally.kk_cap,
        extra: serde_json::Map::new(),
    };
    Ok(Draw { rows, manifest })
}

/// The manifest's quotas: one per stratum, or `{"00": K}` for a national
/// draw without candidates.
fn quota_map(
    allocation: &Allocation,
    sizes: &[(Stratum, u64)],
    quotas: &[u64],
) -> BTreeMap<String, u64> {
    let mut map: BTreeMap<String, u64> = sizes
        .iter()
        .zip(quotas)
        .map(|((stratum, _), q)| (stratum.to_string(), *q))
        .collect();
    if let (Allocation::National(k), true) = (allocation, sizes.is_empty()) {
        map.insert(Stratum::NATIONAL.to_string(), *k);
    }
    map
}

/// Turns the slots into result rows, reusing their memory (same size and
/// alignment for both algorithms' rows, so `collect` works in place).
fn into_rows<R: DrawRow>(slots: Vec<[R::Id; 2]>, layout: &Layout) -> Vec<R> {
    let mut strata = layout.strata.iter();
    let (mut stratum, mut left, mut rank) = (Stratum::NATIONAL, 0usize, 0u32);
    slots
        .into_iter()
        .map(|[id, status]| {
            if left == 0
                && let Some(next) = strata.next()
            {
                (stratum, left, rank) = (next.stratum, next.len, 0);
            }
            left = left.saturating_sub(1);
            rank += 1;
            R::from_parts(stratum, rank, id, status.status())
        })
        .collect()
}
