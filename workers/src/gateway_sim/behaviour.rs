//! How the simulated gateway misbehaves.

use clap::Args;

/// Rates are probabilities per instruction, in 0..=1.
#[derive(Debug, Clone, Args)]
pub struct Behaviour {
    /// Share of instructions that fail (ACCOUNT_NOT_FOUND, ACCOUNT_BLOCKED, LIMIT_EXCEEDED).
    #[arg(long, default_value_t = 0.05)]
    pub failure_rate: f64,
    /// Share of instructions never answered at all.
    #[arg(long, default_value_t = 0.01)]
    pub silence_rate: f64,
    /// Share of successes reversed later.
    #[arg(long, default_value_t = 0.01)]
    pub reversal_rate: f64,
    /// Share of answers sent twice.
    #[arg(long, default_value_t = 0.05)]
    pub duplicate_rate: f64,
    /// Answers are delayed by up to this many milliseconds (so they also
    /// arrive out of order).
    #[arg(long, default_value_t = 200)]
    pub max_delay_ms: u64,
    /// Seed of the simulator's decisions (the same seed and key decide the same).
    #[arg(long, default_value_t = 2020)]
    pub seed: u64,
}

impl Behaviour {
    /// A gateway that pays everything at once, exactly once.
    pub fn perfect() -> Self {
        Self {
            failure_rate: 0.0,
            silence_rate: 0.0,
            reversal_rate: 0.0,
            duplicate_rate: 0.0,
            max_delay_ms: 0,
            seed: 1,
        }
    }

    /// Checks every rate is a probability, naming the one that is not.
    pub fn check(&self) -> anyhow::Result<()> {
        for (name, rate) in [
            ("--failure-rate", self.failure_rate),
            ("--silence-rate", self.silence_rate),
            ("--reversal-rate", self.reversal_rate),
            ("--duplicate-rate", self.duplicate_rate),
        ] {
            anyhow::ensure!(
                (0.0..=1.0).contains(&rate),
                "{name} must be between 0 and 1, got {rate}"
            );
        }
        anyhow::ensure!(
            self.failure_rate + self.silence_rate <= 1.0,
            "--failure-rate plus --silence-rate must not exceed 1"
        );
        Ok(())
    }
}
