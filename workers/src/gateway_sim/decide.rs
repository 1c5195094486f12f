//! The simulator's decisions: a pure function of the seed and the
//! idempotency key, stored once per key; copies of an instruction are never
//! paid again.

use chrono::{Duration as ChronoDuration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};
use shared::amqp::Queue;
use shared::messages::{PaymentInstruction, PaymentResult, PaymentStatus, jakarta_now};
use sqlx::{PgConnection, PgPool};

use super::Behaviour;
use crate::consume::Handler;

const FAILURES: [&str; 3] = ["ACCOUNT_NOT_FOUND", "ACCOUNT_BLOCKED", "LIMIT_EXCEEDED"];

/// What the simulated gateway does with one new instruction.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// `None`: never answered.
    pub status: Option<PaymentStatus>,
    pub reason: Option<&'static str>,
    pub duplicate: bool,
    pub reverse: bool,
    /// Delays of the answer, its copy and the reversal.
    pub delays_ms: [u64; 3],
}

/// Decides for a key (deterministic for a seed).
pub fn decide(behaviour: &Behaviour, key: &str) -> Decision {
    let digest = Sha256::new()
        .chain_update(behaviour.seed.to_le_bytes())
        .chain_update(key.as_bytes())
        .finalize();
    let mut seed = [0u8; 32];
    seed.copy_from_slice(&digest);
    let mut rng = ChaCha8Rng::from_seed(seed);
    let mut unit = || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    let roll = unit();
    let (status, reason) = if roll < behaviour.silence_rate {
        (None, None)
    } else if roll < behaviour.silence_rate + behaviour.failure_rate {
        let which = (unit() * FAILURES.len() as f64) as usize;
        (
            Some(PaymentStatus::Failed),
            Some(FAILURES[which.min(FAILURES.len() - 1)]),
        )
    } else {
        (Some(PaymentStatus::Success), None)
    };
    let duplicate = unit() < behaviour.duplicate_rate;
    let reverse = status == Some(PaymentStatus::Success) && unit() < behaviour.reversal_rate;
    let max = behaviour.max_delay_ms as f64;
    let delays_ms = [
        (unit() * max) as u64,
        (unit() * max) as u64,
        (unit() * max * 2.0) as u64,
    ];
    Decision {
        status,
        reason,
        duplicate,
        reverse,
        delays_ms,
    }
}

/// Consumes `payments.instructions`, deciding each new key once.
#[derive(Debug, Clone)]
pub struct DecisionsHandler {
    pub pool: PgPool,
    pub behaviour: Behaviour,
}

impl Handler for DecisionsHandler {
    type Item = PaymentInstruction;
    type Outcome = u64;

    fn queue(&self) -> Queue {
        Queue::PaymentsInstructions
    }

    fn decode(&self, body: &[u8]) -> Result<PaymentInstruction, String> {
        serde_json::from_slice(body).map_err(|e| format!("not a PaymentInstruction: {e}"))
    }

    async fn store(&self, instructions: &[PaymentInstruction]) -> Result<u64, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        for instruction in instructions {
            handle(&mut tx, &self.behaviour, instruction).await?;
        }
        tx.commit().await?;
        Ok(instructions.len() as u64)
    }

    fn describe(&self, instruction: &PaymentInstruction) -> String {
        format!("instruction {}", instruction.instruction_id)
    }
}

async fn handle(
    tx: &mut PgConnection,
    behaviour: &Behaviour,
    instruction: &PaymentInstruction,
) -> Result<(), sqlx::Error> {
    let key = &instruction.idempotency_key;
    let decision = decide(behaviour, key);
    let outcome = decision.status.map_or("SILENT", PaymentStatus::as_str);
    let fresh: bool = sqlx::query_scalar(
        "INSERT INTO gateway_sim.payments (idempotency_key, instruction_id, outcome) VALUES ($1, $2, $3) \
         ON CONFLICT (idempotency_key) DO UPDATE SET received = gateway_sim.payments.received + 1 \
         RETURNING xmax = 0",
    )
    .bind(key)
    .bind(instruction.instruction_id)
    .bind(outcome)
    .fetch_one(&mut *tx)
    .await?;
    if !fresh {
        // A copy: nothing is paid again; the latest answer is repeated (a
        // silenced key stays silent).
        sqlx::query(
            "INSERT INTO gateway_sim.outbox (idempotency_key, body, due_at) \
             SELECT idempotency_key, body, now() FROM gateway_sim.outbox \
              WHERE idempotency_key = $1 ORDER BY due_at DESC, id DESC LIMIT 1",
        )
        .bind(key)
        .execute(&mut *tx)
        .await?;
        return Ok(());
    }
    let Some(status) = decision.status else {
        return Ok(());
    };
    let result = |status: PaymentStatus, reason: Option<&str>| PaymentResult {
        instruction_id: instruction.instruction_id,
        idempotency_key: key.clone(),
        status,
        provider_reference: (status != PaymentStatus::Failed).then(|| format!("SIM-{}", &key)),
        reason: reason.map(str::to_owned),
        processed_at: jakarta_now(),
    };
    let mut answers = vec![(result(status, decision.reason), decision.delays_ms[0])];
    if decision.duplicate {
        answers.push((result(status, decision.reason), decision.delays_ms[1]));
    }
    if decision.reverse {
        answers.push((
            result(PaymentStatus::Reversed, Some("REVERSED_BY_PROVIDER")),
            decision.delays_ms[2],
        ));
    }
    for (answer, delay) in answers {
        sqlx::query(
            "INSERT INTO gateway_sim.outbox (idempotency_key, body, due_at) VALUES ($1, $2, $3)",
        )
        .bind(key)
        .bind(sqlx::types::Json(&answer))
        .bind(Utc::now() + ChronoDuration::milliseconds(delay as i64))
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_are_deterministic_and_follow_the_rates() {
        let behaviour = Behaviour {
            failure_rate: 0.2,
            silence_rate: 0.1,
            reversal_rate: 0.1,
            duplicate_rate: 0.3,
            max_delay_ms: 100,
            seed: 7,
        };
        assert_eq!(decide(&behaviour, "E1-A1"), decide(&behaviour, "E1-A1"));
        let n = 20_000;
        let decisions: Vec<_> = (0..n)
            .map(|i| decide(&behaviour, &format!("E{i}-A1")))
            .collect();
        let share = |f: &dyn Fn(&Decision) -> bool| {
            decisions.iter().filter(|d| f(d)).count() as f64 / n as f64
        };
        assert!((share(&|d| d.status.is_none()) - 0.1).abs() < 0.02);
        assert!((share(&|d| d.status == Some(PaymentStatus::Failed)) - 0.2).abs() < 0.02);
        assert!((share(&|d| d.duplicate) - 0.3).abs() < 0.02);
        assert!(
            decisions
                .iter()
                .all(|d| !d.reverse || d.status == Some(PaymentStatus::Success))
        );
        assert!(decisions.iter().all(|d| d.delays_ms[0] <= 100));
    }

    #[test]
    fn a_perfect_gateway_pays_everything_once() {
        let decision = decide(&Behaviour::perfect(), "E9-A1");
        assert_eq!(decision.status, Some(PaymentStatus::Success));
        assert!(!decision.duplicate && !decision.reverse);
    }
}
