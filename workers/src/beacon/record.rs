//! Recording a drand wave's beacon: only while the wave is drawing, only the
//! round derived from its freeze, only with a signature that verifies
//! against the chain frozen into the wave, and only once. The selector calls
//! it with a fetched round; `prakerja wave beacon` with an operator's.
//! (Trigger `waves_guard_beacon_and_secret` enforces the same in the
//! database.)

use chrono::{DateTime, Utc};
use shared::beacon::{BeaconError, format_instant, verify_round};
use sqlx::PgPool;

use crate::waves::{Wave, WaveBeacon, WaveState};

/// A recorded beacon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub round: u64,
    pub randomness: [u8; 32],
    /// False when the same round was already recorded (idempotent).
    pub new: bool,
}

/// Why a round is refused.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("wave {0} does not exist")]
    UnknownWave(i64),
    #[error(
        "wave {wave} takes no drand beacon (its beacon source, fixed at open, is {source_name})"
    )]
    NotDrand { wave: i32, source_name: String },
    #[error(
        "wave {wave} is {state}: its round follows from the moment its draw's inputs are frozen, which has not come yet"
    )]
    NotFrozen { wave: i32, state: &'static str },
    #[error("wave {wave} already has its beacon: round {round}")]
    AlreadyRecorded { wave: i32, round: i64 },
    #[error(
        "wave {wave} waits for round {expected} of drand chain {chain} (the first at or after frozen_at {frozen_at} + {delay} s, due {due}), not round {given}"
    )]
    WrongRound {
        wave: i32,
        chain: String,
        given: u64,
        expected: u64,
        frozen_at: String,
        delay: u32,
        due: DateTime<Utc>,
    },
    #[error("wave {wave}: {source}")]
    Signature {
        wave: i32,
        #[source]
        source: BeaconError,
    },
}

/// Records `round` with `signature` as the wave's beacon.
pub async fn record_beacon(
    pool: &PgPool,
    wave_id: i64,
    round: u64,
    signature: &[u8],
) -> anyhow::Result<Recorded> {
    let mut tx = pool.begin().await?;
    let wave = Wave::find_for_update(&mut *tx, wave_id)
        .await?
        .ok_or(RecordError::UnknownWave(wave_id))?;
    let WaveBeacon::Drand(chain) = wave.beacon_plan()? else {
        return Err(RecordError::NotDrand {
            wave: wave.wave_id,
            source_name: wave.beacon_source.clone(),
        }
        .into());
    };
    let (Some(frozen_at), WaveState::Drawing | WaveState::Drawn) = (wave.frozen_at, wave.state())
    else {
        return Err(RecordError::NotFrozen {
            wave: wave.wave_id,
            state: wave.state().as_str(),
        }
        .into());
    };
    if let (Some(stored), Some(stored_signature), Some(randomness)) =
        (wave.beacon_round, &wave.beacon_signature, &wave.beacon)
    {
        if u64::try_from(stored) == Ok(round) && stored_signature == signature {
            return Ok(Recorded {
                round,
                randomness: randomness.as_slice().try_into()?,
                new: false,
            });
        }
        return Err(RecordError::AlreadyRecorded {
            wave: wave.wave_id,
            round: stored,
        }
        .into());
    }
    let expected = chain.round_for(frozen_at);
    if round != expected {
        return Err(RecordError::WrongRound {
            wave: wave.wave_id,
            chain: chain.name.clone(),
            given: round,
            expected,
            frozen_at: format_instant(frozen_at),
            delay: chain.delay_secs,
            due: chain.round_time(expected),
        }
        .into());
    }
    let randomness =
        verify_round(&chain, round, signature).map_err(|source| RecordError::Signature {
            wave: wave.wave_id,
            source,
        })?;
    sqlx::query(
        "UPDATE waves SET beacon_round = $2, beacon_signature = $3, beacon = $4 WHERE wave_id = $1",
    )
    .bind(wave.wave_id)
    .bind(i64::try_from(round)?)
    .bind(signature)
    .bind(randomness.as_slice())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Recorded {
        round,
        randomness,
        new: true,
    })
}
