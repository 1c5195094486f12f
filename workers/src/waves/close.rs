//! Closing a wave: the secret is revealed (and checked against the
//! commitment published at open), the beacon recorded, and registrations
//! stop being accepted. The draw itself is the selector's job.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use super::{Wave, WaveState};

/// What the operator gives at close.
#[derive(Debug, Clone, Default)]
pub struct CloseRequest {
    pub secret: Option<[u8; 32]>,
    pub beacon: Option<Vec<u8>>,
}

/// What closing did.
#[derive(Debug, Clone)]
pub enum CloseOutcome {
    /// Closed now.
    Closed { closed_at: DateTime<Utc> },
    /// Closed earlier (the close is idempotent; the draw is re-triggered).
    AlreadyClosed { state: WaveState },
}

/// Why a close is refused: the operator's input is at fault.
#[derive(Debug, thiserror::Error)]
pub enum CloseError {
    #[error("wave {0} does not exist")]
    UnknownWave(i64),
    #[error("wave {0} was opened with an operator commitment: --secret is required")]
    SecretRequired(i32),
    #[error(
        "the secret does not match wave {wave}'s commitment {commitment} (SHA-256 of the secret given: {given})"
    )]
    SecretMismatch {
        wave: i32,
        commitment: String,
        given: String,
    },
    #[error("wave {wave} named a beacon source at open ({source_name}): --beacon is required")]
    BeaconRequired { wave: i32, source_name: String },
    #[error("--beacon is at most 64 bytes, got {0}")]
    BeaconTooLong(usize),
    #[error("wave {0} is already closed with another secret or beacon")]
    Conflicting(i32),
}

/// Closes the wave (idempotent). Refuses a secret that does not match.
pub async fn close_wave(
    pool: &PgPool,
    wave_id: i64,
    request: &CloseRequest,
) -> anyhow::Result<CloseOutcome> {
    let mut tx = pool.begin().await?;
    let wave = Wave::find(&mut *tx, wave_id)
        .await?
        .ok_or(CloseError::UnknownWave(wave_id))?;
    sqlx::query("SELECT 1 FROM waves WHERE wave_id = $1 FOR UPDATE")
        .bind(wave.wave_id)
        .execute(&mut *tx)
        .await?;
    let secret = check_secret(&wave, request.secret)?;
    if let Some(beacon) = &request.beacon
        && beacon.len() > 64
    {
        return Err(CloseError::BeaconTooLong(beacon.len()).into());
    }
    if wave.state() != WaveState::Open {
        let same_beacon = request.beacon.is_none() || request.beacon == wave.beacon;
        if !same_beacon {
            return Err(CloseError::Conflicting(wave.wave_id).into());
        }
        return Ok(CloseOutcome::AlreadyClosed {
            state: wave.state(),
        });
    }
    if let Some(source) = &wave.beacon_source
        && request.beacon.is_none()
    {
        return Err(CloseError::BeaconRequired {
            wave: wave.wave_id,
            source_name: source.clone(),
        }
        .into());
    }
    let closed_at: DateTime<Utc> = sqlx::query_scalar(
        "UPDATE waves SET state = 'closed', closed_at = now(), secret = $2, beacon = $3 \
          WHERE wave_id = $1 RETURNING closed_at",
    )
    .bind(wave.wave_id)
    .bind(secret.as_slice())
    .bind(request.beacon.clone().unwrap_or_default())
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO selection_jobs (wave_id) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind(wave.wave_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(CloseOutcome::Closed { closed_at })
}

/// The secret to reveal: the operator's, checked against the commitment, or
/// the one the system kept.
fn check_secret(wave: &Wave, given: Option<[u8; 32]>) -> Result<[u8; 32], CloseError> {
    let kept: Option<[u8; 32]> = wave.secret.as_deref().and_then(|s| s.try_into().ok());
    let secret = match (given, kept) {
        (Some(given), _) => given,
        (None, Some(kept)) => kept,
        (None, None) => return Err(CloseError::SecretRequired(wave.wave_id)),
    };
    let digest: [u8; 32] = Sha256::digest(secret).into();
    if digest.as_slice() != wave.commitment.as_slice() {
        return Err(CloseError::SecretMismatch {
            wave: wave.wave_id,
            commitment: wave.commitment_hex(),
            given: hex::encode(digest),
        });
    }
    Ok(secret)
}
