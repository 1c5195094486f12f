//! Consistency checks around a stored draw: its inputs are the wave's
//! eligible registrations, its manifest's two stored copies agree, and the
//! participants it made are exactly its selected candidates.

use anyhow::Context;
use serde::Serialize;
use shared::selection::{Draw, DrawCandidate, Manifest};
use sqlx::PgPool;

use super::{StoredDraw, queries};
use crate::pgcopy::{copy_out_lines, fields, text};
use crate::selector::CandidateInfo;
use shared::skew::draw_check::{self, SkewCheck};

/// One named check.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

pub async fn run(pool: &PgPool, stored: &StoredDraw) -> anyhow::Result<Vec<Check>> {
    let wave_id = stored.wave.wave_id;
    let mut checks = digests(stored);
    let jsonb_matches: bool = sqlx::query_scalar(
        "SELECT manifest = manifest_text::jsonb FROM selections WHERE wave_id = $1",
    )
    .bind(wave_id)
    .fetch_one(pool)
    .await?;
    checks.push(Check {
        name: "manifest copies agree",
        ok: jsonb_matches,
        detail: "the stored manifest and its published text differ".into(),
    });
    for check in queries::COUNT_CHECKS {
        let count: i64 = sqlx::query_scalar(check.sql)
            .bind(i64::from(wave_id))
            .fetch_one(pool)
            .await?;
        checks.push(Check {
            name: check.name,
            ok: count == 0,
            detail: format!("{count} {}", check.counts),
        });
    }
    Ok(checks)
}

/// The stored rows and candidates against the digests the manifest
/// published (a v2 wave's by `pid` and `fid`).
pub fn digests(stored: &StoredDraw) -> Vec<Check> {
    match &stored.v2 {
        None => digests_of(&stored.rows, &stored.candidates, &stored.manifest),
        Some(v2) => digests_of(&v2.rows, &v2.candidates, &stored.manifest),
    }
}

fn digests_of<C: DrawCandidate>(
    rows: &[C::Row],
    candidates: &[C],
    manifest: &Manifest,
) -> Vec<Check> {
    let output = hex::encode(shared::selection::output_digest(rows));
    let input = hex::encode(shared::selection::input_digest(candidates));
    vec![
        Check {
            name: "stored rows hash to the published output digest",
            ok: output == manifest.output_digest,
            detail: format!(
                "the stored rows hash to {output}, the manifest says {}",
                manifest.output_digest
            ),
        },
        Check {
            name: "stored candidates hash to the published input digest",
            ok: input == manifest.input_digest,
            detail: format!(
                "the stored candidates hash to {input}, the manifest says {}",
                manifest.input_digest
            ),
        },
    ]
}

/// The skew check over a draw's rows, with submission times from the
/// registrations.
pub async fn recompute_skew(
    pool: &PgPool,
    stored: &StoredDraw,
    draw: &Draw,
    alpha: f64,
) -> anyhow::Result<SkewCheck> {
    let statement = format!(
        "COPY ({}) TO STDOUT",
        queries::skew_rows(stored.wave.wave_id)
    );
    let mut infos = Vec::with_capacity(stored.rows.len());
    let mut connection = pool.acquire().await?;
    copy_out_lines(&mut connection, &statement, |line| {
        let mut f = fields(line);
        let mut next = |name: &str| {
            f.next()
                .with_context(|| format!("row lacks {name}"))
                .and_then(text)
        };
        infos.push(CandidateInfo {
            nik: shared::selection::parse_id(next("nik")?).context("nik")?,
            kk: shared::selection::parse_id(next("kk")?).context("kk")?,
            province: next("province")?.parse()?,
            tier: next("tier")?.parse()?,
            registration_id: next("registration_id")?.parse()?,
            submitted_at: next("submitted_at")?.parse()?,
            pid: 0,
            fid: 0,
        });
        Ok(())
    })
    .await?;
    infos.sort_unstable_by_key(|c| c.nik);
    let aligned = crate::selector::inputs::align(&draw.rows, &infos)?;
    Ok(draw_check::check(draw, &infos, &aligned, alpha))
}
