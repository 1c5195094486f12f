//! Exponential backoff with jitter for reconnecting and retrying.

use std::time::Duration;

use rand::RngExt;

/// Delays of 100 ms doubling up to `max`, each jittered by up to a quarter.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
    max: Duration,
}

impl Backoff {
    pub fn new(max: Duration) -> Self {
        Self {
            next: Self::FIRST,
            max,
        }
    }

    const FIRST: Duration = Duration::from_millis(100);

    /// The next delay to wait.
    pub fn next_delay(&mut self) -> Duration {
        let base = self.next;
        self.next = (self.next * 2).min(self.max);
        let jitter = rand::rng().random_range(0..=base.as_millis() as u64 / 4);
        base + Duration::from_millis(jitter)
    }

    /// Back to the shortest delay, after a success.
    pub fn reset(&mut self) {
        self.next = Self::FIRST;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_to_the_cap_and_resets() {
        let mut backoff = Backoff::new(Duration::from_secs(1));
        let delays: Vec<_> = (0..8).map(|_| backoff.next_delay()).collect();
        assert!(delays[0] >= Duration::from_millis(100));
        assert!(delays[0] <= Duration::from_millis(125));
        assert!(delays[7] >= Duration::from_secs(1));
        assert!(delays[7] <= Duration::from_millis(1250));
        backoff.reset();
        assert!(backoff.next_delay() <= Duration::from_millis(125));
    }
}
