//! Statuses in rank order (SPEC.md step 7).

use super::id::CandidateId;
use super::kk_counts::KkCounts;
use super::status::Status;

/// How many rows got each status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// `SELECTED` rows.
    pub selected: u64,
    /// `WAITLIST` rows.
    pub waitlist: u64,
    /// `KK_CAP` rows.
    pub kk_cap: u64,
}

/// The walk down one stratum's ranking; fed the ranking in pieces.
#[derive(Debug)]
pub struct StatusWalk {
    remaining: u64,
}

impl StatusWalk {
    /// A walk over a stratum with `quota` seats.
    pub fn new(quota: u64) -> Self {
        Self { remaining: quota }
    }

    /// Assigns statuses to the next slots of the ranking. On entry a slot
    /// is `[id, family]`; on return `[id, status]`. `kk` is `None` when
    /// there is no cap.
    pub fn assign<I: CandidateId>(
        &mut self,
        slots: &mut [[I; 2]],
        mut kk: Option<&mut KkCounts<I>>,
        tally: &mut Tally,
    ) {
        let mut index = 0;
        while self.remaining > 0 && index < slots.len() {
            let slot = &mut slots[index];
            let capped = kk
                .as_deref_mut()
                .is_some_and(|counts| !counts.try_take(slot[1]));
            let status = if capped {
                tally.kk_cap += 1;
                Status::KkCap
            } else {
                self.remaining -= 1;
                tally.selected += 1;
                Status::Selected
            };
            slot[1] = I::from_status(status);
            index += 1;
        }
        let waiting = &mut slots[index..];
        tally.waitlist += waiting.len() as u64;
        for slot in waiting {
            slot[1] = I::from_status(Status::Waitlist);
        }
    }
}
