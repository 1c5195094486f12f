//! Closing a wave: the secret is revealed (the operator's, checked against
//! the commitment published at open, or the one the system kept in
//! `wave_secrets`), and registrations stop being accepted. The beacon is not
//! the operator's to give: a drand wave's round follows from the moment its
//! inputs freeze (the selector's job), a wave without beacon gets the empty
//! one here. The draw itself is the selector's job.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};

use super::{Wave, WaveBeacon, WaveState};

/// What the operator gives at close.
#[derive(Debug, Clone, Default)]
pub struct CloseRequest {
    pub secret: Option<[u8; 32]>,
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
}

/// Closes the wave (idempotent). Refuses a secret that does not match.
/// The wave is locked before it is read, so of two concurrent closes one
/// closes and the other sees the wave closed.
pub async fn close_wave(
    pool: &PgPool,
    wave_id: i64,
    request: &CloseRequest,
) -> anyhow::Result<CloseOutcome> {
    let mut tx = pool.begin().await?;
    let wave = Wave::find_for_update(&mut *tx, wave_id)
        .await?
        .ok_or(CloseError::UnknownWave(wave_id))?;
    if wave.state() != WaveState::Open {
        if let Some(given) = request.secret {
            check(&wave, given)?;
        }
        return Ok(CloseOutcome::AlreadyClosed {
            state: wave.state(),
        });
    }
    let secret = reveal(&mut tx, &wave, request.secret).await?;
    // A wave without beacon gets the empty one now; a drand wave's is
    // recorded while it draws.
    let beacon: Option<Vec<u8>> = match wave.beacon_plan()? {
        WaveBeacon::Drand(_) => None,
        WaveBeacon::None | WaveBeacon::Operator => Some(Vec::new()),
    };
    let closed_at: DateTime<Utc> = sqlx::query_scalar(
        "UPDATE waves SET state = $4, closed_at = now(), secret = $2, beacon = $3 \
          WHERE wave_id = $1 RETURNING closed_at",
    )
    .bind(wave.wave_id)
    .bind(secret.as_slice())
    .bind(beacon)
    .bind(WaveState::Closed)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO selection_jobs (wave_id) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind(wave.wave_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(CloseOutcome::Closed { closed_at })
}

/// The secret to reveal: the operator's, or the one the system kept.
async fn reveal(
    tx: &mut PgConnection,
    wave: &Wave,
    given: Option<[u8; 32]>,
) -> anyhow::Result<[u8; 32]> {
    let secret = match given {
        Some(given) => given,
        None => kept_secret(tx, wave.wave_id)
            .await?
            .ok_or(CloseError::SecretRequired(wave.wave_id))?,
    };
    check(wave, secret)?;
    Ok(secret)
}

/// The secret the system drew at open and kept (read by the operator's
/// tool only: `wave_secrets` is the operator's role's).
pub async fn kept_secret(
    connection: &mut PgConnection,
    wave_id: i32,
) -> Result<Option<[u8; 32]>, sqlx::Error> {
    let kept: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT secret FROM wave_secrets WHERE wave_id = $1")
            .bind(wave_id)
            .fetch_optional(connection)
            .await?;
    Ok(kept.and_then(|s| s.try_into().ok()))
}

fn check(wave: &Wave, secret: [u8; 32]) -> Result<(), CloseError> {
    let digest: [u8; 32] = Sha256::digest(secret).into();
    if digest.as_slice() != wave.commitment.as_slice() {
        return Err(CloseError::SecretMismatch {
            wave: wave.wave_id,
            commitment: wave.commitment_hex(),
            given: hex::encode(digest),
        });
    }
    Ok(())
}
