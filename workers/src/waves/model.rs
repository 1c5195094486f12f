//! A wave row, and what the draw needs from it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use shared::beacon::Chain;
use shared::domain::Scheme;
use shared::selection::{Algorithm, Allocation, DrawParams, FamilyKey, Province};
use sqlx::types::Json;
use sqlx::{PgExecutor, PgPool};

use super::WaveState;

/// One row of `waves`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Wave {
    pub wave_id: i32,
    pub name: String,
    pub scheme_name: String,
    pub scheme: Json<Scheme>,
    pub allocation: String,
    pub kk_cap: i32,
    pub commitment: Vec<u8>,
    /// The revealed secret (set by the close); a system-generated secret is
    /// kept in `wave_secrets` until then.
    pub secret: Option<Vec<u8>>,
    pub secret_source: String,
    /// `none`, `drand:CHAIN` or (waves closed before drand beacons) `operator`.
    pub beacon_source: String,
    /// The drand chain's parameters, frozen at open.
    pub beacon_chain: Option<Json<Chain>>,
    /// The beacon the seed takes: empty for `none`; a drand round's randomness.
    pub beacon: Option<Vec<u8>>,
    pub beacon_round: Option<i64>,
    pub beacon_signature: Option<Vec<u8>>,
    pub opened_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// When the draw's inputs were frozen (the move to `drawing`).
    pub frozen_at: Option<DateTime<Utc>>,
    /// Decoded strictly: an unknown value fails the read.
    pub state: WaveState,
    /// `v1` or `v2`, fixed at open.
    pub selection_algorithm: String,
    /// A v2 wave's family key fingerprint ([`FamilyKey::fingerprint`]).
    pub family_key_fingerprint: Option<Vec<u8>>,
}

const COLUMNS: &str = "wave_id, name, scheme_name, scheme, allocation, kk_cap, commitment, secret, \
    secret_source, beacon_source, beacon_chain, beacon, beacon_round, beacon_signature, opened_at, \
    closes_at, closed_at, frozen_at, state, selection_algorithm, family_key_fingerprint";

impl Wave {
    /// The wave, if it exists.
    pub async fn find(
        executor: impl PgExecutor<'_>,
        wave_id: i64,
    ) -> Result<Option<Wave>, sqlx::Error> {
        if wave_id < 1 || wave_id > i64::from(i32::MAX) {
            return Ok(None);
        }
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM waves WHERE wave_id = $1"))
            .bind(wave_id as i32)
            .fetch_optional(executor)
            .await
    }

    /// The wave, locked (`FOR UPDATE`) for the rest of the transaction:
    /// lock first, then decide on what was read.
    pub async fn find_for_update(
        executor: impl PgExecutor<'_>,
        wave_id: i64,
    ) -> Result<Option<Wave>, sqlx::Error> {
        if wave_id < 1 || wave_id > i64::from(i32::MAX) {
            return Ok(None);
        }
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM waves WHERE wave_id = $1 FOR UPDATE"
        ))
        .bind(wave_id as i32)
        .fetch_optional(executor)
        .await
    }

    /// Every wave, newest first.
    pub async fn all(pool: &PgPool) -> Result<Vec<Wave>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM waves ORDER BY wave_id DESC"
        ))
        .fetch_all(pool)
        .await
    }

    pub fn state(&self) -> WaveState {
        self.state
    }

    /// The wave's selection algorithm.
    pub fn algorithm(&self) -> anyhow::Result<Algorithm> {
        self.selection_algorithm.parse().map_err(|e| {
            anyhow::anyhow!(
                "wave {} has an unknown selection algorithm: {e}",
                self.wave_id
            )
        })
    }

    /// For a v2 wave, the configured family key, refused unless it is the
    /// key the wave was opened with (its fingerprint); `None` for v1.
    pub fn family_key(&self, configured: Option<&FamilyKey>) -> anyhow::Result<Option<FamilyKey>> {
        if self.algorithm()? == Algorithm::V1 {
            return Ok(None);
        }
        let Some(key) = configured else {
            return Err(WaveKeyError::Missing(self.wave_id).into());
        };
        let stored = self.family_key_fingerprint.as_deref().unwrap_or_default();
        if stored != key.fingerprint().as_slice() {
            return Err(WaveKeyError::Different {
                wave_id: self.wave_id,
                stored: hex::encode(stored),
                configured: hex::encode(key.fingerprint()),
            }
            .into());
        }
        Ok(Some(key.clone()))
    }

    /// The commitment as lower-case hex.
    pub fn commitment_hex(&self) -> String {
        hex::encode(&self.commitment)
    }

    /// The allocation, with explicit quotas read from `wave_quotas`.
    pub async fn allocation(&self, executor: impl PgExecutor<'_>) -> anyhow::Result<Allocation> {
        if self.allocation != "explicit" {
            return Ok(self.allocation.parse()?);
        }
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT province, quota FROM wave_quotas WHERE wave_id = $1 ORDER BY province",
        )
        .bind(self.wave_id)
        .fetch_all(executor)
        .await?;
        let mut quotas = BTreeMap::new();
        for (province, quota) in rows {
            let province: Province = province.parse()?;
            quotas.insert(province, quota as u64);
        }
        Ok(Allocation::Explicit(quotas))
    }

    /// The draw's parameters (without prior counts); needs the revealed secret.
    pub async fn draw_params(&self, executor: impl PgExecutor<'_>) -> anyhow::Result<DrawParams> {
        let secret: [u8; 32] = self
            .secret
            .as_deref()
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| anyhow::anyhow!("wave {} has no revealed secret", self.wave_id))?;
        Ok(DrawParams {
            wave_id: self.wave_id as u32,
            secret,
            beacon: self
                .beacon
                .clone()
                .ok_or_else(|| anyhow::anyhow!("wave {} has no beacon yet", self.wave_id))?,
            allocation: self.allocation(executor).await?,
            kk_cap: self.kk_cap as u32,
            prior: Default::default(),
        })
    }

    /// When registrations stopped being accepted: the earlier of the
    /// scheduled close and the operator's close.
    pub fn effective_close(&self) -> DateTime<Utc> {
        self.closed_at
            .map_or(self.closes_at, |closed| closed.min(self.closes_at))
    }
}

/// Why a v2 wave's draw cannot be derived with the configured family key.
#[derive(Debug, thiserror::Error)]
pub enum WaveKeyError {
    #[error(
        "wave {0} is prakerja-selection-v2: its fids need the setting selection.family_key \
         (PRAKERJA__SELECTION__FAMILY_KEY), which is not set"
    )]
    Missing(i32),
    #[error(
        "selection.family_key is not the key wave {wave_id} was opened with (fingerprint \
         {stored} stored, {configured} configured): the programme's family key never changes"
    )]
    Different {
        wave_id: i32,
        stored: String,
        configured: String,
    },
}
