//! Opening a wave: its scheme (frozen), allocation, KK cap, beacon source
//! (a drand chain's parameters frozen, or none) and the seed commitment
//! published before anyone registers. A secret the system draws is kept in
//! `wave_secrets` (the operator's role only), not in the wave's row.

use chrono::{DateTime, Utc};
use rand::TryRng;
use sha2::{Digest, Sha256};
use shared::beacon::Chain;
use shared::domain::Scheme;
use shared::selection::{Algorithm, Allocation, FamilyKey};
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
    /// The selection algorithm, and for v2 the programme's family key
    /// (its fingerprint is stored, never the key).
    pub selection: Selection,
}

/// A wave's selection algorithm as it opens.
#[derive(Debug, Clone)]
pub enum Selection {
    /// `prakerja-selection-v1`.
    V1,
    /// `prakerja-selection-v2`, its `fid`s under this key.
    V2(FamilyKey),
}

impl Selection {
    pub fn algorithm(&self) -> Algorithm {
        match self {
            Self::V1 => Algorithm::V1,
            Self::V2(_) => Algorithm::V2,
        }
    }

    fn fingerprint(&self) -> Option<[u8; 32]> {
        match self {
            Self::V1 => None,
            Self::V2(key) => Some(key.fingerprint()),
        }
    }
}

/// Refuses a family key other than the one earlier v2 waves were opened
/// with: `prior.csv` carries families over by `fid`, so the key never
/// changes. Call inside the transaction that opens the wave, with the
/// table locked against a concurrent open.
async fn check_same_key(
    tx: &mut sqlx::PgConnection,
    fingerprint: Option<[u8; 32]>,
) -> anyhow::Result<()> {
    let Some(fingerprint) = fingerprint else {
        return Ok(());
    };
    let other: Option<i32> = sqlx::query_scalar(
        "SELECT wave_id FROM waves WHERE selection_algorithm = 'v2' \
            AND family_key_fingerprint <> $1 ORDER BY wave_id LIMIT 1",
    )
    .bind(fingerprint.as_slice())
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(wave_id) = other {
        anyhow::bail!(
            "selection.family_key is not the key v2 wave {wave_id} was opened with: the \
             programme's family key never changes (families carry over between waves by fid)"
        );
    }
    Ok(())
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
    let fingerprint = request.selection.fingerprint();
    let mut tx = pool.begin().await?;
    if fingerprint.is_some() {
        // One v2 open at a time, so two keys cannot both be first.
        sqlx::query("LOCK TABLE waves IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
    }
    check_same_key(&mut tx, fingerprint).await?;
    let wave_id: i32 = sqlx::query_scalar(
        "INSERT INTO waves (name, scheme_name, scheme, allocation, kk_cap, commitment, \
             secret_source, beacon_source, beacon_chain, closes_at, selection_algorithm, \
             family_key_fingerprint) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING wave_id",
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
    .bind(request.selection.algorithm().short())
    .bind(fingerprint.as_ref().map(|f| f.as_slice()))
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
