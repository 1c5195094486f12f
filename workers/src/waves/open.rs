//! Opening a wave: its scheme (frozen), allocation, KK cap, beacon source
//! (a drand chain's parameters frozen, or none) and the seed commitment
//! published before anyone registers. A secret the system draws is kept in
//! `wave_secrets` (the operator's role only), not in the wave's row.

use chrono::{DateTime, Utc};
use rand::TryRng;
use sha2::{Digest, Sha256};
use shared::beacon::Chain;
use shared::domain::Scheme;
use shared::selection::Allocation;
use sqlx::PgPool;
use sqlx::types::Json;

use super::Wave;

/// What the operator asks for.
#[derive(Debug, Clone)]
pub struct OpenRequest {
    pub name: String,
    pub closes_at: DateTime<Utc>,
    pub allocation: Allocation,
    pub scheme_name: String,
    pub scheme: Scheme,
    /// The operator's commitment (SHA-256 of a secret they keep); `None`:
    /// the system draws a secret from the operating system and keeps it.
    pub commitment: Option<[u8; 32]>,
    /// The drand chain whose derived round the draw takes (its parameters are
    /// frozen into the wave); `None`: no beacon (development and tests).
    pub beacon: Option<Chain>,
    /// Beneficiaries per family card; `None`: the scheme's.
    pub kk_cap: Option<u32>,
}

/// Stores the wave; returns it with its id and commitment.
pub async fn open_wave(pool: &PgPool, request: OpenRequest) -> anyhow::Result<Wave> {
    if let Some(chain) = &request.beacon {
        chain.check()?;
    }
    let (secret, commitment, source) = match request.commitment {
        Some(commitment) => (None, commitment, "operator"),
        None => {
            let mut secret = [0u8; 32];
            rand::rngs::SysRng
                .try_fill_bytes(&mut secret)
                .map_err(|e| {
                    anyhow::anyhow!("the operating system's random generator failed: {e}")
                })?;
            let commitment: [u8; 32] = Sha256::digest(secret).into();
            (Some(secret), commitment, "system")
        }
    };
    let kk_cap = request.kk_cap.unwrap_or(request.scheme.kk_cap);
    let beacon_source = match &request.beacon {
        Some(chain) => format!("drand:{}", chain.name),
        None => "none".to_owned(),
    };
    let mut tx = pool.begin().await?;
    let wave_id: i32 = sqlx::query_scalar(
        "INSERT INTO waves (name, scheme_name, scheme, allocation, kk_cap, commitment, \
             secret_source, beacon_source, beacon_chain, closes_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING wave_id",
    )
    .bind(&request.name)
    .bind(&request.scheme_name)
    .bind(Json(&request.scheme))
    .bind(request.allocation.to_string())
    .bind(kk_cap as i32)
    .bind(commitment.as_slice())
    .bind(source)
    .bind(&beacon_source)
    .bind(request.beacon.as_ref().map(Json))
    .bind(request.closes_at)
    .fetch_one(&mut *tx)
    .await
    .map_err(
        |e| match e.as_database_error().and_then(|d| d.constraint()) {
            Some("waves_name_key") => {
                anyhow::anyhow!("a wave named {:?} already exists", request.name)
            }
            _ => e.into(),
        },
    )?;
    if let Some(secret) = secret {
        sqlx::query("INSERT INTO wave_secrets (wave_id, commitment, secret) VALUES ($1, $2, $3)")
            .bind(wave_id)
            .bind(commitment.as_slice())
            .bind(secret.as_slice())
            .execute(&mut *tx)
            .await?;
    }
    if let Allocation::Explicit(quotas) = &request.allocation {
        for (province, quota) in quotas {
            sqlx::query("INSERT INTO wave_quotas (wave_id, province, quota) VALUES ($1, $2, $3)")
                .bind(wave_id)
                .bind(province.to_string())
                .bind(*quota as i64)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Wave::find(pool, i64::from(wave_id))
        .await?
        .ok_or_else(|| anyhow::anyhow!("wave {wave_id} vanished after it was opened"))
}
