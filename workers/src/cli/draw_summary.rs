//! A stored draw as operators read it: the manifest's counts, the table of
//! strata against quotas, and the skew verdict.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use sqlx::types::Json;

use shared::skew::draw_check::SkewCheck;

#[derive(Debug, Clone, Serialize)]
pub struct DrawSummary {
    pub manifest: serde_json::Value,
    pub skew: SkewCheck,
    pub candidates: i64,
    pub drawn_at: DateTime<Utc>,
    pub duration_ms: i64,
}

impl DrawSummary {
    /// The stored draw of a wave, if any.
    pub async fn load(pool: &PgPool, wave_id: i32) -> Result<Option<Self>, sqlx::Error> {
        type Row = (
            Json<serde_json::Value>,
            Json<SkewCheck>,
            i64,
            DateTime<Utc>,
            i64,
        );
        let row: Option<Row> = sqlx::query_as(
            "SELECT manifest, skew, candidates, drawn_at, duration_ms FROM selections WHERE wave_id = $1",
        )
        .bind(wave_id)
        .fetch_optional(pool)
        .await?;
        Ok(
            row.map(|(manifest, skew, candidates, drawn_at, duration_ms)| Self {
                manifest: manifest.0,
                skew: skew.0,
                candidates,
                drawn_at,
                duration_ms,
            }),
        )
    }

    pub fn human(&self) -> String {
        let m = &self.manifest;
        let mut text = format!(
            "draw: {} over {} candidates at {} ({:.1}s)\n  seed {}\n  input digest {}\n  output digest {}\n  selected {}, waitlist {}, held back by the KK cap {}\n",
            m["algorithm"].as_str().unwrap_or("?"),
            self.candidates,
            self.drawn_at.to_rfc3339(),
            self.duration_ms as f64 / 1000.0,
            m["seed"].as_str().unwrap_or("?"),
            m["input_digest"].as_str().unwrap_or("?"),
            m["output_digest"].as_str().unwrap_or("?"),
            m["selected"],
            m["waitlist"],
            m["kk_cap"],
        );
        text.push_str(&self.skew.strata_table());
        text.push_str(&format!("skew check: {}\n", self.skew.summary()));
        text
    }
}
