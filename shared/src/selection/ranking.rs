//! Ranking the strata (SPEC.md steps 4 to 7) and both digests, with the
//! digests on their own threads for large draws.

use std::panic::resume_unwind;
use std::sync::mpsc;
use std::thread::{self, ScopedJoinHandle};

use super::digest::{InputDigest, OutputDigest};
use super::entrant::DrawCandidate;
use super::id::CandidateId;
use super::kk_counts::KkCounts;
use super::province::Stratum;
use super::rank::shuffle_prefix;
use super::seed::stratum_rng;
use super::statuses::{StatusWalk, Tally};
use super::strata::Layout;

/// Rows per piece handed to the output digest.
const PIECE: usize = 1 << 14;

/// Everything the ranking needs once the candidates are sorted and valid;
/// `I` is the id type (`u64` for v1, `u128` for v2).
pub struct Ranking<'a, I> {
    /// The wave seed `S`.
    pub seed: [u8; 32],
    /// Strata and tiers of the sorted candidates.
    pub layout: &'a Layout,
    /// Quota per stratum, parallel to `layout.strata`.
    pub quotas: &'a [u64],
    /// Family counts, `None` without a cap.
    pub kk: Option<KkCounts<I>>,
}

/// One finished piece of a stratum's ranking, for the output digest.
type Piece<'s, I> = (Stratum, u32, &'s [[I; 2]]);

impl<I: CandidateId> Ranking<'_, I> {
    /// Ranks the id-sorted candidates into `[id, status]` slots in output
    /// order, and computes both digests. In parallel mode the input digest
    /// runs beside the ranking and the output digest follows it piece by
    /// piece.
    pub fn run<C: DrawCandidate<Id = I>>(
        self,
        sorted: &[C],
        parallel: bool,
    ) -> (Vec<[I; 2]>, Tally, [u8; 32], [u8; 32]) {
        let mut slots = vec![[I::default(); 2]; sorted.len()];
        if !parallel {
            let input = input_digest_of(sorted);
            let mut output = OutputDigest::default();
            self.layout.scatter(sorted, &mut slots);
            let tally = self.rank(&mut slots, |(s, r, piece)| output.update_slots(s, r, piece));
            return (slots, tally, input, output.finish());
        }
        let (tally, input, output) = thread::scope(|scope| {
            // If a thread cannot be started, its digest is computed here.
            let input = spawn(scope, "selection-input-digest", move || {
                input_digest_of(sorted)
            });
            self.layout.scatter(sorted, &mut slots);
            let (send, receive) = mpsc::channel::<Piece<'_, I>>();
            let output = spawn(scope, "selection-output-digest", move || {
                let mut digest = OutputDigest::default();
                for (stratum, first_rank, piece) in receive {
                    digest.update_slots(stratum, first_rank, piece);
                }
                digest.finish()
            });
            let mut inline = (output.is_none()).then(OutputDigest::default);
            let tally = self.rank(&mut slots, |piece| match inline.as_mut() {
                Some(digest) => digest.update_slots(piece.0, piece.1, piece.2),
                // The receiver lives until the sender is dropped.
                None => drop(send.send(piece)),
            });
            drop(send);
            let output = match (output, inline) {
                (Some(thread), _) => join(thread),
                (None, digest) => digest.unwrap_or_default().finish(),
            };
            let input = input.map_or_else(|| input_digest_of(sorted), join);
            (tally, input, output)
        });
        (slots, tally, input, output)
    }

    /// Shuffles each stratum's tiers and assigns statuses, handing each
    /// finished piece to `emit` in output order. A tier is shuffled one
    /// piece at a time ([`shuffle_prefix`]), so pieces flow to the output
    /// digest while the rest of the tier is still being shuffled.
    fn rank<'r>(
        mut self,
        mut slots: &'r mut [[I; 2]],
        mut emit: impl FnMut(Piece<'r, I>),
    ) -> Tally {
        let mut tally = Tally::default();
        for (stratum, quota) in self.layout.strata.iter().zip(self.quotas) {
            let mut rng = stratum_rng(&self.seed, stratum.stratum);
            let mut walk = StatusWalk::new(*quota);
            let mut first_rank = 1u32;
            for tier in &stratum.tiers {
                let (mut todo, rest) = std::mem::take(&mut slots).split_at_mut(tier.len());
                slots = rest;
                while !todo.is_empty() {
                    let len = PIECE.min(todo.len());
                    shuffle_prefix(&mut rng, todo, len);
                    let (piece, rest) = std::mem::take(&mut todo).split_at_mut(len);
                    todo = rest;
                    walk.assign(piece, self.kk.as_mut(), &mut tally);
                    emit((stratum.stratum, first_rank, piece));
                    // At most u32::MAX candidates, checked on entry.
                    first_rank = first_rank.wrapping_add(len as u32);
                }
            }
        }
        tally
    }
}

fn input_digest_of<C: DrawCandidate>(sorted: &[C]) -> [u8; 32] {
    let mut digest = InputDigest::default();
    digest.update(sorted);
    digest.finish()
}

/// Starts a named scoped thread; `None` if the system refuses.
fn spawn<'scope, T: Send + 'scope>(
    scope: &'scope thread::Scope<'scope, '_>,
    name: &str,
    work: impl FnOnce() -> T + Send + 'scope,
) -> Option<ScopedJoinHandle<'scope, T>> {
    thread::Builder::new()
        .name(name.to_owned())
        .spawn_scoped(scope, work)
        .ok()
}

/// Waits for a thread, passing its panic on.
fn join<T>(handle: ScopedJoinHandle<'_, T>) -> T {
    handle.join().unwrap_or_else(|panic| resume_unwind(panic))
}
