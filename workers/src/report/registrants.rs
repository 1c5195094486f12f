//! Who registered: totals, rejections by reason, and registrations by
//! submission day (Asia/Jakarta), eligible and rejected.

use std::fmt::Write;

use sqlx::PgConnection;

use super::html::{Cell, escape, int, percent, table};
use super::svg::{BarChart, BarRow, Series};

/// Days shown one by one; earlier days are added up in one row.
const DAYS_SHOWN: usize = 62;

#[derive(Debug, Clone, Default)]
pub struct Registrants {
    pub total: i64,
    pub eligible: i64,
    pub rejected: i64,
    /// Rejected registrations by reason, most frequent first (a registration
    /// counts once per reason).
    pub reasons: Vec<(String, i64)>,
    /// (day, eligible, rejected), oldest first; "no date" when the
    /// submission time was unreadable.
    pub days: Vec<(String, i64, i64)>,
}

impl Registrants {
    pub async fn load(tx: &mut PgConnection, wave_id: i32) -> Result<Self, sqlx::Error> {
        let wave = i64::from(wave_id);
        let (total, eligible): (i64, i64) = sqlx::query_as(
            "SELECT count(*), count(*) FILTER (WHERE status = 'eligible') FROM registrations WHERE wave_id = $1",
        )
        .bind(wave)
        .fetch_one(&mut *tx)
        .await?;
        let reasons = sqlx::query_as(
            "SELECT r::text, count(*) FROM registrations, unnest(reasons) r WHERE wave_id = $1 \
             GROUP BY 1 ORDER BY 2 DESC, 1",
        )
        .bind(wave)
        .fetch_all(&mut *tx)
        .await?;
        let mut days: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT COALESCE(to_char(submitted_at AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM-DD'), 'no date'), \
                    count(*) FILTER (WHERE status = 'eligible'), count(*) FILTER (WHERE status = 'rejected') \
               FROM registrations WHERE wave_id = $1 GROUP BY 1 ORDER BY 1",
        )
        .bind(wave)
        .fetch_all(&mut *tx)
        .await?;
        if days.len() > DAYS_SHOWN {
            let cut = days.len() - DAYS_SHOWN;
            let (e, r) = days[..cut]
                .iter()
                .fold((0, 0), |(e, r), d| (e + d.1, r + d.2));
            let first = days[cut].0.clone();
            days.drain(..cut);
            days.insert(0, (format!("before {first}"), e, r));
        }
        Ok(Registrants {
            total,
            eligible,
            rejected: total - eligible,
            reasons,
            days,
        })
    }

    pub fn html(&self) -> String {
        let mut out = format!(
            "<p class=\"lead\"><b>{}</b> registrations: <b>{}</b> eligible ({}), <b>{}</b> rejected ({}). \
             Every rejection carries every reason that applies, so the reasons add up to more than the rejections.</p>",
            int(self.total),
            int(self.eligible),
            percent(self.eligible as f64, self.total as f64),
            int(self.rejected),
            percent(self.rejected as f64, self.total as f64),
        );
        let reasons = BarChart {
            title: "Rejections by reason".into(),
            series: vec![Series::nth(3, "registrations rejected for this reason")],
            marker: None,
            rows: self
                .reasons
                .iter()
                .map(|(code, n)| BarRow {
                    label: code.clone(),
                    values: vec![*n as f64],
                    marker: None,
                    note: int(*n),
                })
                .collect(),
        };
        out.push_str(&reasons.svg());
        let days = BarChart {
            title: "Registrations by submission day (Asia/Jakarta)".into(),
            series: vec![Series::nth(0, "eligible"), Series::nth(3, "rejected")],
            marker: None,
            rows: self
                .days
                .iter()
                .map(|(day, e, r)| BarRow {
                    label: day.clone(),
                    values: vec![*e as f64, *r as f64],
                    marker: None,
                    note: int(e + r),
                })
                .collect(),
        };
        out.push_str(&days.svg());
        let rows: Vec<Vec<Cell>> = self
            .reasons
            .iter()
            .map(|(code, n)| {
                vec![
                    Cell::Text(code.clone()),
                    Cell::Num(int(*n)),
                    Cell::Num(percent(*n as f64, self.total as f64)),
                ]
            })
            .collect();
        if rows.is_empty() {
            out.push_str("<p>No registration was rejected.</p>");
        } else {
            let _ = write!(
                out,
                "<details><summary>Rejections by reason, as a table</summary>{}</details>",
                table(&["reason", "registrations", "of all"], &rows)
            );
        }
        let _ = write!(
            out,
            "<p class=\"note\">Reason codes are defined in <code>{}</code>.</p>",
            escape("docs/domain.md")
        );
        out
    }
}
