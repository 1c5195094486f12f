//! Round arithmetic: round `r` of a chain is published at
//! `genesis + (r - 1) * period`; a wave's round is the first whose time is
//! at least `frozen_at + delay`. Computed in whole microseconds (the
//! precision of PostgreSQL's `timestamptz`), so the database trigger that
//! checks a stored round (migration 20261130030001) gets the same answer.

use chrono::{DateTime, Utc};

use super::Chain;

const MICROS: i128 = 1_000_000;

impl Chain {
    /// When round `round` (>= 1) is published.
    pub fn round_time(&self, round: u64) -> DateTime<Utc> {
        let seconds = i128::from(self.genesis)
            + (i128::from(round.max(1)) - 1) * i128::from(self.period_secs);
        let seconds = i64::try_from(seconds).unwrap_or(i64::MAX);
        DateTime::from_timestamp(seconds, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// The round of a draw whose inputs were frozen at `frozen_at`: the first
    /// round whose time is at least `frozen_at + delay`.
    pub fn round_for(&self, frozen_at: DateTime<Utc>) -> u64 {
        let target =
            i128::from(frozen_at.timestamp_micros()) + i128::from(self.delay_secs) * MICROS;
        let since_genesis = target - i128::from(self.genesis) * MICROS;
        if since_genesis <= 0 {
            return 1;
        }
        let period = i128::from(self.period_secs.max(1)) * MICROS;
        let round = (since_genesis + period - 1) / period + 1;
        u64::try_from(round).unwrap_or(u64::MAX)
    }

    /// `frozen_at + delay`: the earliest time the round may have.
    pub fn earliest_time(&self, frozen_at: DateTime<Utc>) -> DateTime<Utc> {
        frozen_at + chrono::Duration::seconds(i64::from(self.delay_secs))
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::super::chain::tests::quicknet;
    use super::*;

    fn at(seconds: i64, micros: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).expect("time") + Duration::microseconds(micros)
    }

    #[test]
    fn a_round_time_is_genesis_plus_whole_periods() {
        let chain = quicknet();
        assert_eq!(chain.round_time(1).timestamp(), 1_692_803_367);
        assert_eq!(chain.round_time(2).timestamp(), 1_692_803_370);
        assert_eq!(
            chain.round_time(657_413).timestamp(),
            1_692_803_367 + 657_412 * 3
        );
    }

    #[test]
    fn the_round_is_the_first_at_or_after_frozen_at_plus_delay() {
        let mut chain = quicknet();
        chain.delay_secs = 0;
        let genesis = chain.genesis;
        // Before or at genesis: round 1.
        assert_eq!(chain.round_for(at(0, 0)), 1);
        assert_eq!(chain.round_for(at(genesis - 1, 999_999)), 1);
        assert_eq!(chain.round_for(at(genesis, 0)), 1);
        // One microsecond after a round's time: the next round.
        assert_eq!(chain.round_for(at(genesis, 1)), 2);
        // Exactly at round 100's time: round 100 itself ("at least").
        let t100 = chain.round_time(100).timestamp();
        assert_eq!(chain.round_for(at(t100, 0)), 100);
        assert_eq!(chain.round_for(at(t100, -1)), 100);
        assert_eq!(chain.round_for(at(t100, 1)), 101);
        assert_eq!(chain.round_for(at(t100 + 2, 999_999)), 101);
        assert_eq!(chain.round_for(at(t100 + 3, 0)), 101);
        assert_eq!(chain.round_for(at(t100 + 3, 1)), 102);
    }

    #[test]
    fn the_delay_moves_the_boundary() {
        let mut chain = quicknet();
        chain.delay_secs = 30;
        let t = chain.round_time(657_413).timestamp();
        // Frozen exactly 30 s before round 657413's time: that round.
        assert_eq!(chain.round_for(at(t - 30, 0)), 657_413);
        assert_eq!(chain.round_for(at(t - 30, 1)), 657_414);
        assert_eq!(chain.round_for(at(t - 33, 0)), 657_412);
        // The round's time is never before frozen_at + delay.
        for micros in [0, 1, 499_999, 1_000_000, 2_999_999] {
            let frozen = at(t - 40, micros);
            let round = chain.round_for(frozen);
            assert!(chain.round_time(round) >= chain.earliest_time(frozen));
            assert!(chain.round_time(round - 1) < chain.earliest_time(frozen));
        }
    }

    #[test]
    fn far_dates_do_not_overflow() {
        let mut chain = quicknet();
        chain.period_secs = 1;
        assert!(chain.round_for(DateTime::<Utc>::MAX_UTC) > 1);
        assert_eq!(chain.round_time(u64::MAX), DateTime::<Utc>::MAX_UTC);
    }
}
