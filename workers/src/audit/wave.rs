//! Auditing a wave from the database: its draw recomputed from the stored
//! inputs (a v2 wave's ids derived again under the configured family key)
//! and compared with the stored result and manifest, with the consistency
//! checks, the beacon's and the skew check.

use shared::beacon::Chain;
use shared::selection::{DrawCandidate, DrawParams, FamilyKey, compare, draw};
use sqlx::PgPool;

use super::{AuditReport, StoredDraw, beacon, checks};

/// Recomputes a wave's draw from the database and compares (the beacon's
/// chain checked against no configuration; see [`audit_wave_pinned`]).
pub async fn audit_wave(pool: &PgPool, wave_id: i64, alpha: f64) -> anyhow::Result<AuditReport> {
    audit_wave_pinned(pool, wave_id, alpha, None).await
}

/// Recomputes a wave's draw from the database and compares; a drand
/// beacon's chain is also checked against the `pinned` chains. A v2 wave
/// needs [`audit_wave_keyed`].
pub async fn audit_wave_pinned(
    pool: &PgPool,
    wave_id: i64,
    alpha: f64,
    pinned: Option<&[Chain]>,
) -> anyhow::Result<AuditReport> {
    audit_wave_keyed(pool, wave_id, alpha, pinned, None).await
}

/// As [`audit_wave_pinned`], with the configured family key: a v2 wave is
/// recomputed by `pid` and `fid`, derived again from the stored
/// registration ids and KKs (refused unless the key is the wave's).
pub async fn audit_wave_keyed(
    pool: &PgPool,
    wave_id: i64,
    alpha: f64,
    pinned: Option<&[Chain]>,
    key: Option<&FamilyKey>,
) -> anyhow::Result<AuditReport> {
    let stored = StoredDraw::load_keyed(pool, wave_id, key).await?;
    match stored.v2.clone() {
        None => {
            let (params, candidates) = (stored.params.clone(), stored.candidates.clone());
            let rows = stored.rows.clone();
            audit_stored(pool, &stored, params, candidates, &rows, alpha, pinned).await
        }
        Some(v2) => {
            audit_stored(
                pool,
                &stored,
                v2.params,
                v2.candidates,
                &v2.rows,
                alpha,
                pinned,
            )
            .await
        }
    }
}

async fn audit_stored<C: DrawCandidate>(
    pool: &PgPool,
    stored: &StoredDraw,
    params: DrawParams<C::Id>,
    candidates: Vec<C>,
    rows: &[C::Row],
    alpha: f64,
    pinned: Option<&[Chain]>,
) -> anyhow::Result<AuditReport> {
    let recomputed = tokio::task::spawn_blocking(move || draw(&params, candidates)).await??;
    let differences = compare(rows, &stored.manifest, &recomputed);
    let mut checks = checks::run(pool, stored).await?;
    let (beacon_checks, beacon) = beacon::from_wave(
        &stored.wave,
        &stored.manifest,
        &stored.params.beacon,
        pinned,
    );
    checks.extend(beacon_checks);
    // The skew check looks at what was published (stored), so that a draw
    // that is reproducible but skewed (a faulty algorithm) is caught too.
    let published = shared::selection::Draw {
        rows: stored.rows.clone(),
        manifest: stored.manifest.clone(),
    };
    let skew = checks::recompute_skew(pool, stored, &published, alpha).await?;
    Ok(AuditReport::new(
        format!("wave {}", stored.wave.wave_id),
        &recomputed,
        differences,
        checks,
        beacon,
        Some(skew),
    ))
}
