//! The draw's skew check, run with every draw and by `audit`: selections by
//! province against quotas, and chi-square tests (see [`super::skew_check`])
//! of selection against province (national draws), submission day and hour
//! of day, each within the cells (stratum, tier) where the draw is uniform. A
//! draw whose winners cluster by submission time is flagged. Pure: the
//! selector and `audit` feed it what they loaded.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Timelike};
use serde::{Deserialize, Serialize};

use super::{Observation, SkewReport, skew_check};
use crate::selection::{Draw, Province, Status, Stratum};

/// What the check needs to know of a candidate beyond its draw row.
pub trait Submitted {
    fn province(&self) -> Province;
    /// 1 for priority occupations, 2 otherwise.
    fn tier(&self) -> u8;
    /// Submission time, seconds since the epoch.
    fn submitted_at(&self) -> i64;
}

/// Selections in one stratum against its quota.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StratumLine {
    pub stratum: String,
    pub candidates: u64,
    pub quota: u64,
    pub selected: u64,
    pub waitlist: u64,
    pub kk_cap: u64,
    /// Selected per candidate.
    pub rate: f64,
    /// Whether the quota was filled, or every candidate not held back by the
    /// KK cap was selected.
    pub quota_met: bool,
}

/// The whole check.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SkewCheck {
    pub alpha: f64,
    pub flagged: bool,
    pub strata: Vec<StratumLine>,
    pub tests: Vec<SkewReport>,
}

impl SkewCheck {
    /// One line: the verdict and the tests' p-values.
    pub fn summary(&self) -> String {
        let tests: Vec<String> = self
            .tests
            .iter()
            .map(|t| {
                format!(
                    "{} p={:.3e}{}",
                    t.dimension,
                    t.p_value,
                    if t.significant { " SKEWED" } else { "" }
                )
            })
            .collect();
        let quotas = if self.strata.iter().all(|s| s.quota_met) {
            "quotas met"
        } else {
            "QUOTA NOT MET"
        };
        format!(
            "{}: {quotas}; {} (alpha {})",
            if self.flagged {
                "SKEW FLAGGED"
            } else {
                "no significant skew"
            },
            tests.join(", "),
            self.alpha
        )
    }

    /// The strata against their quotas, one line each, as `prakerja audit`
    /// and the draw's summary print them.
    pub fn strata_table(&self) -> String {
        let mut text = String::from(
            "  stratum  candidates      quota   selected   waitlist   kk_cap    rate  quota\n",
        );
        for s in &self.strata {
            text.push_str(&format!(
                "  {:>7}  {:>10}  {:>9}  {:>9}  {:>9}  {:>7}  {:>6.2}%  {}\n",
                s.stratum,
                s.candidates,
                s.quota,
                s.selected,
                s.waitlist,
                s.kk_cap,
                s.rate * 100.0,
                if s.quota_met { "met" } else { "NOT MET" }
            ));
        }
        text
    }
}

/// An hour of the day in Asia/Jakarta, printed as two digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Hour(u8);

impl std::fmt::Display for Hour {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

/// One candidate as the tests see it.
struct Seen {
    cell: (Stratum, u8),
    province: Province,
    day: NaiveDate,
    hour: u8,
    selected: bool,
}

/// Checks a draw; `candidates` carries submission times, and `aligned[i]` is
/// the index in `candidates` of the candidate of `draw.rows[i]`.
pub fn check<C: Submitted>(
    draw: &Draw,
    candidates: &[C],
    aligned: &[u32],
    alpha: f64,
) -> SkewCheck {
    let national = draw.manifest.quotas.len() == 1 && draw.manifest.quotas.contains_key("00");
    let mut strata: BTreeMap<Stratum, StratumLine> = BTreeMap::new();
    let mut seen = Vec::with_capacity(draw.rows.len());
    let jakarta = chrono_tz::Asia::Jakarta;
    for (row, &index) in draw.rows.iter().zip(aligned) {
        let line = strata.entry(row.stratum).or_insert_with(|| {
            let key = row.stratum.to_string();
            StratumLine {
                quota: draw.manifest.quotas.get(&key).copied().unwrap_or(0),
                stratum: key,
                candidates: 0,
                selected: 0,
                waitlist: 0,
                kk_cap: 0,
                rate: 0.0,
                quota_met: true,
            }
        });
        line.candidates += 1;
        match row.status {
            Status::Selected => line.selected += 1,
            Status::Waitlist => line.waitlist += 1,
            Status::KkCap => line.kk_cap += 1,
        }
        let info = &candidates[index as usize];
        let at = DateTime::from_timestamp(info.submitted_at(), 0)
            .unwrap_or_default()
            .with_timezone(&jakarta);
        seen.push(Seen {
            cell: (row.stratum, info.tier()),
            province: info.province(),
            day: at.date_naive(),
            hour: at.hour() as u8,
            selected: row.status == Status::Selected,
        });
    }
    let strata: Vec<StratumLine> = strata
        .into_values()
        .map(|mut line| {
            line.rate = if line.candidates == 0 {
                0.0
            } else {
                line.selected as f64 / line.candidates as f64
            };
            line.quota_met =
                line.selected <= line.quota && (line.waitlist == 0 || line.selected == line.quota);
            line
        })
        .collect();
    let mut tests = Vec::new();
    if national {
        tests.push(skew_check(
            "province",
            seen.iter().map(|s| Observation {
                cell: s.cell,
                group: s.province,
                selected: s.selected,
            }),
            alpha,
        ));
    }
    tests.push(skew_check(
        "submission_day",
        seen.iter().map(|s| Observation {
            cell: s.cell,
            group: s.day,
            selected: s.selected,
        }),
        alpha,
    ));
    tests.push(skew_check(
        "submission_hour",
        seen.iter().map(|s| Observation {
            cell: s.cell,
            group: Hour(s.hour),
            selected: s.selected,
        }),
        alpha,
    ));
    let flagged = tests.iter().any(|t| t.significant) || strata.iter().any(|s| !s.quota_met);
    SkewCheck {
        alpha,
        flagged,
        strata,
        tests,
    }
}
