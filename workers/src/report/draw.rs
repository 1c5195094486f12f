//! The draw: per province (pool, quota, selected, waiting list, held back
//! by the KK cap), the skew check by submission day and hour, and who the
//! participants became (drawn, promoted, revoked).

use std::fmt::Write;

use chrono::{DateTime, Utc};
use shared::domain::Regions;
use sqlx::PgConnection;
use sqlx::types::Json;

use super::html::{Cell, escape, int, percent, table, verdict};
use super::svg::{BarChart, BarRow, Series};
use shared::skew::draw_check::SkewCheck;

/// A stored draw.
#[derive(Debug, Clone)]
pub struct DrawFacts {
    /// The manifest exactly as published.
    pub manifest_text: String,
    pub manifest: serde_json::Value,
    pub skew: SkewCheck,
    pub candidates: i64,
    pub drawn_at: DateTime<Utc>,
    pub duration_ms: i64,
    /// (origin, state, participants).
    pub participants: Vec<(String, String, i64)>,
    /// Whether the draw took prior counts (the bundle then has `prior.csv`).
    pub has_prior: bool,
}

impl DrawFacts {
    /// The wave's draw, if it is stored.
    pub async fn load(tx: &mut PgConnection, wave_id: i32) -> Result<Option<Self>, sqlx::Error> {
        type Row = (String, Json<SkewCheck>, i64, DateTime<Utc>, i64);
        let row: Option<Row> = sqlx::query_as(
            "SELECT manifest_text, skew, candidates, drawn_at, duration_ms FROM selections WHERE wave_id = $1",
        )
        .bind(wave_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((manifest_text, skew, candidates, drawn_at, duration_ms)) = row else {
            return Ok(None);
        };
        let participants = sqlx::query_as(
            "SELECT origin, state, count(*) FROM participants WHERE wave_id = $1 GROUP BY 1, 2 ORDER BY 1, 2",
        )
        .bind(wave_id)
        .fetch_all(&mut *tx)
        .await?;
        let has_prior: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT FROM selection_prior WHERE wave_id = $1)")
                .bind(wave_id)
                .fetch_one(&mut *tx)
                .await?;
        Ok(Some(DrawFacts {
            has_prior,
            manifest: serde_json::from_str(&manifest_text).unwrap_or_default(),
            manifest_text,
            skew: skew.0,
            candidates,
            drawn_at,
            duration_ms,
            participants,
        }))
    }

    pub fn html(&self) -> String {
        let m = &self.manifest;
        let mut out = format!(
            "<p class=\"lead\"><b>{}</b> candidates (eligible, not already a beneficiary) drawn {} in {:.1} s: \
             <b>{}</b> selected, <b>{}</b> on the waiting list, <b>{}</b> held back by the KK cap.</p>",
            int(self.candidates),
            escape(&self.drawn_at.format("%Y-%m-%d %H:%M:%S UTC").to_string()),
            self.duration_ms as f64 / 1000.0,
            int(m["selected"].as_i64().unwrap_or(0)),
            int(m["waitlist"].as_i64().unwrap_or(0)),
            int(m["kk_cap"].as_i64().unwrap_or(0)),
        );
        out.push_str(&self.provinces());
        out.push_str(&self.skew_html());
        if !self.participants.is_empty() {
            let rows: Vec<Vec<Cell>> = self
                .participants
                .iter()
                .map(|(origin, state, n)| {
                    vec![
                        Cell::Text(origin.clone()),
                        Cell::Text(state.clone()),
                        Cell::Num(int(*n)),
                    ]
                })
                .collect();
            let _ = write!(
                out,
                "<h3>Participants</h3><p>Drawn in this draw, or promoted from the waiting list when a participant \
                 was revoked (no purchase before the deadline).</p>{}",
                table(&["origin", "state", "participants"], &rows)
            );
        }
        out
    }

    fn provinces(&self) -> String {
        let regions = Regions::embedded();
        let name = |code: &str| {
            if code == "00" {
                "national".to_owned()
            } else {
                regions
                    .provinces()
                    .iter()
                    .find(|r| r.code() == code)
                    .map(|r| r.name().to_owned())
                    .unwrap_or_default()
            }
        };
        let chart = BarChart {
            title: "The draw per province: the pool and what became of it; the line is the quota"
                .into(),
            series: vec![
                Series::nth(0, "selected"),
                Series::nth(1, "waiting list"),
                Series::nth(2, "held back by the KK cap"),
            ],
            marker: Some("quota".into()),
            rows: self
                .skew
                .strata
                .iter()
                .map(|s| BarRow {
                    label: format!("{} {}", s.stratum, name(&s.stratum)),
                    values: vec![s.selected as f64, s.waitlist as f64, s.kk_cap as f64],
                    marker: Some(s.quota as f64),
                    note: format!("{} / {}", int(s.selected as i64), int(s.quota as i64)),
                })
                .collect(),
        };
        let rows: Vec<Vec<Cell>> = self
            .skew
            .strata
            .iter()
            .map(|s| {
                vec![
                    Cell::Text(s.stratum.clone()),
                    Cell::Text(name(&s.stratum)),
                    Cell::Num(int(s.candidates as i64)),
                    Cell::Num(int(s.quota as i64)),
                    Cell::Num(int(s.selected as i64)),
                    Cell::Num(int(s.waitlist as i64)),
                    Cell::Num(int(s.kk_cap as i64)),
                    Cell::Num(percent(s.selected as f64, s.candidates as f64)),
                    Cell::Html(verdict(
                        s.quota_met,
                        if s.quota_met { "met" } else { "NOT MET" },
                    )),
                ]
            })
            .collect();
        format!(
            "<h3>Per province</h3>{}<details open><summary>Per province, as a table</summary>{}</details>",
            chart.svg(),
            table(
                &[
                    "code",
                    "province",
                    "pool",
                    "quota",
                    "selected",
                    "waiting list",
                    "KK cap",
                    "selected of pool",
                    "quota"
                ],
                &rows
            )
        )
    }

    fn skew_html(&self) -> String {
        let skew = &self.skew;
        let mut out = format!(
            "<h3>Skew check</h3><p>{} Selection is tested against each grouping within the cells \
             (province and tier) where the draw is uniform: a draw favouring early or late registrations \
             would show here. Significance level {}.</p>",
            verdict(
                !skew.flagged,
                if skew.flagged {
                    "SKEW FLAGGED"
                } else {
                    "no significant skew"
                }
            ),
            skew.alpha
        );
        let rows: Vec<Vec<Cell>> = skew
            .tests
            .iter()
            .map(|t| {
                vec![
                    Cell::Text(t.dimension.clone()),
                    Cell::Num(t.groups.len().to_string()),
                    Cell::Num(format!("{:.3}", t.statistic)),
                    Cell::Num(t.dof.to_string()),
                    Cell::Num(format!("{:.3e}", t.p_value)),
                    Cell::Html(verdict(
                        !t.significant,
                        if t.significant { "SKEWED" } else { "fair" },
                    )),
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                "grouping",
                "groups",
                "chi-square",
                "degrees of freedom",
                "p-value",
                "verdict",
            ],
            &rows,
        ));
        for test in &skew.tests {
            let title = match test.dimension.as_str() {
                "submission_day" => {
                    "Selected by submission day (Asia/Jakarta); the line is the number expected"
                        .to_owned()
                }
                "submission_hour" => {
                    "Selected by hour of submission (Asia/Jakarta); the line is the number expected"
                        .to_owned()
                }
                other => format!("Selected by {other}; the line is the number expected"),
            };
            let chart = BarChart {
                title,
                series: vec![Series::nth(0, "selected")],
                marker: Some("expected".into()),
                rows: test
                    .groups
                    .iter()
                    .map(|g| BarRow {
                        label: g.label.clone(),
                        values: vec![g.selected as f64],
                        marker: Some(g.expected_selected),
                        note: format!("{} of {}", int(g.selected as i64), int(g.candidates as i64)),
                    })
                    .collect(),
            };
            out.push_str(&chart.svg());
        }
        out
    }
}
