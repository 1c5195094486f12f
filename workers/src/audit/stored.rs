//! A stored draw read back: its inputs (candidates, prior counts, the
//! wave's parameters) and its published result (rows in output order, the
//! manifest exactly as published), streamed out with `COPY`.

use anyhow::Context;
use shared::selection::{Candidate, DrawParams, Manifest, ResultRow, parse_id};
use sqlx::PgPool;

use crate::pgcopy::{copy_out_lines, fields, text};
use crate::waves::{Wave, WaveState};

/// Everything stored about one draw.
#[derive(Debug)]
pub struct StoredDraw {
    pub wave: Wave,
    pub params: DrawParams,
    /// In output order (stratum, rank).
    pub rows: Vec<ResultRow>,
    /// The same candidates, in output order.
    pub candidates: Vec<Candidate>,
    pub manifest: Manifest,
    pub manifest_text: String,
}

/// Why a wave has no stored draw to read.
#[derive(Debug, thiserror::Error)]
pub enum NotDrawn {
    #[error("wave {0} does not exist")]
    UnknownWave(i64),
    #[error("wave {0} has no stored draw yet (it is {1})")]
    NotYet(i64, &'static str),
}

impl StoredDraw {
    pub async fn load(pool: &PgPool, wave_id: i64) -> anyhow::Result<StoredDraw> {
        let wave = Wave::find(pool, wave_id)
            .await?
            .ok_or(NotDrawn::UnknownWave(wave_id))?;
        if wave.state() != WaveState::Drawn {
            return Err(NotDrawn::NotYet(wave_id, wave.state().as_str()).into());
        }
        let mut params = wave.draw_params(pool).await?;
        params.prior = crate::selector::prior_counts(pool, wave.wave_id).await?;
        let manifest_text: String =
            sqlx::query_scalar("SELECT manifest_text FROM selections WHERE wave_id = $1")
                .bind(wave.wave_id)
                .fetch_one(pool)
                .await?;
        let manifest =
            Manifest::from_json(&manifest_text).context("the stored manifest is not valid")?;
        let mut rows = Vec::new();
        let mut candidates = Vec::new();
        let statement = format!(
            "COPY ({}) TO STDOUT",
            super::queries::stored_rows(wave.wave_id)
        );
        let mut connection = pool.acquire().await?;
        copy_out_lines(&mut connection, &statement, |line| {
            let mut f = fields(line);
            let mut next = |name: &str| {
                f.next()
                    .with_context(|| format!("stored row lacks {name}"))
                    .and_then(text)
            };
            let stratum = next("stratum")?;
            let rank = next("rank")?;
            let nik = next("nik")?;
            let status = next("status")?;
            let kk = next("kk")?;
            let province = next("province")?;
            let tier = next("tier")?;
            let nik = parse_id(nik).with_context(|| {
                format!("stored NIK {:?} is not 16 digits", shared::mask::nik(nik))
            })?;
            rows.push(ResultRow {
                stratum: stratum
                    .parse()
                    .with_context(|| format!("stored stratum {stratum:?}"))?,
                rank: rank.parse()?,
                nik,
                status: status
                    .parse()
                    .with_context(|| format!("stored status {status:?}"))?,
            });
            candidates.push(Candidate {
                nik,
                kk: parse_id(kk).with_context(|| format!("stored KK {kk:?} is not 16 digits"))?,
                province: province
                    .parse()
                    .with_context(|| format!("stored province {province:?}"))?,
                tier: tier.parse()?,
            });
            Ok(())
        })
        .await?;
        Ok(StoredDraw {
            wave,
            params,
            rows,
            candidates,
            manifest,
            manifest_text,
        })
    }
}
