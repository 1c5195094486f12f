//! A stored draw read back: its inputs (candidates, prior counts, the
//! wave's parameters) and its published result (rows in output order, the
//! manifest exactly as published), streamed out with `COPY`. For a v2 wave
//! also the v2 view: rows by their stored `pid`, candidates with `pid` and
//! `fid` derived again from the registration id and the KK (under the
//! configured family key, refused unless it is the wave's).

use anyhow::Context;
use shared::selection::{
    Candidate, CandidateV2, DrawParams, FamilyKey, Manifest, ResultRow, ResultRowV2, derive_pid,
    parse_hex32, parse_id,
};
use sqlx::PgPool;
use uuid::Uuid;

use crate::pgcopy::{copy_out_lines, fields, text};
use crate::waves::{Wave, WaveState};

/// Everything stored about one draw.
#[derive(Debug)]
pub struct StoredDraw {
    pub wave: Wave,
    pub params: DrawParams,
    /// In output order (stratum, rank), by NIK.
    pub rows: Vec<ResultRow>,
    /// The same candidates, in output order.
    pub candidates: Vec<Candidate>,
    /// The same candidates' registration ids, in output order.
    pub registration_ids: Vec<Uuid>,
    pub manifest: Manifest,
    pub manifest_text: String,
    /// A v2 wave's draw as the algorithm sees it.
    pub v2: Option<StoredV2>,
}

/// A v2 wave's stored draw in `pid`s and `fid`s.
#[derive(Debug, Clone)]
pub struct StoredV2 {
    pub params: DrawParams<u128>,
    /// In output order, with the `pid` stored with each row.
    pub rows: Vec<ResultRowV2>,
    /// In output order, `pid` and `fid` derived again.
    pub candidates: Vec<CandidateV2>,
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
    /// A v1 wave's draw (a v2 wave needs [`load_keyed`](Self::load_keyed)).
    pub async fn load(pool: &PgPool, wave_id: i64) -> anyhow::Result<StoredDraw> {
        Self::load_keyed(pool, wave_id, None).await
    }

    /// Any wave's draw; `key` is the configured family key.
    pub async fn load_keyed(
        pool: &PgPool,
        wave_id: i64,
        key: Option<&FamilyKey>,
    ) -> anyhow::Result<StoredDraw> {
        let wave = Wave::find(pool, wave_id)
            .await?
            .ok_or(NotDrawn::UnknownWave(wave_id))?;
        if wave.state() != WaveState::Drawn {
            return Err(NotDrawn::NotYet(wave_id, wave.state().as_str()).into());
        }
        let key = wave.family_key(key)?;
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
        let mut registration_ids = Vec::new();
        let mut v2_rows = Vec::new();
        let mut v2_candidates = Vec::new();
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
            let registration_id: Uuid = next("registration_id")?.parse()?;
            let pid = next("pid")?;
            let nik = parse_id(nik).with_context(|| {
                format!("stored NIK {:?} is not 16 digits", shared::mask::nik(nik))
            })?;
            let row = ResultRow {
                stratum: stratum
                    .parse()
                    .with_context(|| format!("stored stratum {stratum:?}"))?,
                rank: rank.parse()?,
                nik,
                status: status
                    .parse()
                    .with_context(|| format!("stored status {status:?}"))?,
            };
            let candidate = Candidate {
                nik,
                kk: parse_id(kk).with_context(|| {
                    format!("stored KK {:?} is not 16 digits", shared::mask::kk(kk))
                })?,
                province: province
                    .parse()
                    .with_context(|| format!("stored province {province:?}"))?,
                tier: tier.parse()?,
            };
            if let Some(key) = &key {
                let stored_pid = parse_hex32(pid).with_context(|| {
                    format!("the v2 row of registration {registration_id} has no stored pid")
                })?;
                v2_rows.push(ResultRowV2 {
                    stratum: row.stratum,
                    rank: row.rank,
                    pid: stored_pid,
                    status: row.status,
                });
                v2_candidates.push(CandidateV2 {
                    pid: derive_pid(&registration_id),
                    fid: key
                        .fid(candidate.kk)
                        .context("a stored KK has more than 16 digits")?,
                    province: candidate.province,
                    tier: candidate.tier,
                });
            }
            rows.push(row);
            candidates.push(candidate);
            registration_ids.push(registration_id);
            Ok(())
        })
        .await?;
        let v2 = match &key {
            Some(key) => Some(StoredV2 {
                params: crate::selector::draw_v2::params_v2(params.clone(), key)?,
                rows: v2_rows,
                candidates: v2_candidates,
            }),
            None => None,
        };
        Ok(StoredDraw {
            wave,
            params,
            rows,
            candidates,
            registration_ids,
            manifest,
            manifest_text,
            v2,
        })
    }
}
