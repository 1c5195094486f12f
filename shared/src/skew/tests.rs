//! Skew check: fair draws pass, skewed ones are caught, cells condition.
use std::collections::BTreeMap;

use super::*;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// 100,000 candidates: 4 strata x 2 tiers, each registering on one of
/// 30 days. Each cell selects `rate(cell)` of its members, choosing
/// them with `weight(day)` (a fair draw ignores the day).
fn draw(weight: impl Fn(u32) -> f64) -> Vec<Observation<(u8, u8), String>> {
    let mut rng = ChaCha20Rng::from_seed([17; 32]);
    let mut by_cell: BTreeMap<(u8, u8), Vec<u32>> = BTreeMap::new();
    for _ in 0..100_000 {
        let cell = (rng.random_range(0..4u8), rng.random_range(1..=2u8));
        by_cell
            .entry(cell)
            .or_default()
            .push(rng.random_range(1..=30));
    }
    let mut observations = Vec::new();
    for ((stratum, tier), mut days) in by_cell {
        days.shuffle(&mut rng);
        let winners = days.len() * if tier == 1 { 3 } else { 1 } / (5 + usize::from(stratum));
        // Weighted sampling without replacement: sort by U^(1/w).
        let mut keyed: Vec<(f64, u32)> = days
            .iter()
            .map(|&d| (rng.random::<f64>().powf(1.0 / weight(d)), d))
            .collect();
        keyed.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (i, (_, day)) in keyed.into_iter().enumerate() {
            let group = format!("2026-11-{day:02}");
            observations.push(Observation {
                cell: (stratum, tier),
                group,
                selected: i < winners,
            });
        }
    }
    observations
}

#[test]
fn fair_draw_is_not_significant() {
    let report = skew_check("submission_day", draw(|_| 1.0), DEFAULT_ALPHA);
    assert_eq!(report.groups.len(), 30);
    assert_eq!(report.dof, 29);
    assert!(!report.significant, "{report:?}");
    assert!(report.p_value > 0.01, "p = {}", report.p_value);
    let total: u64 = report.groups.iter().map(|g| g.candidates).sum();
    assert_eq!(total, 100_000);
}

#[test]
fn first_days_favoured_is_significant() {
    // The DV-2012 bug: winners came mostly from the first two days.
    let report = skew_check(
        "submission_day",
        draw(|day| if day <= 2 { 20.0 } else { 1.0 }),
        DEFAULT_ALPHA,
    );
    assert!(report.significant, "{report:?}");
    assert!(report.p_value < 1e-12);
    let first = &report.groups[0];
    assert_eq!(first.label, "2026-11-01");
    assert!(first.selected as f64 > 2.0 * first.expected_selected);
}

#[test]
fn conditioning_on_cells_removes_tier_effects() {
    // Group "a" is all tier 1 (always selected), "b" all tier 2 (never):
    // raw rates differ completely, but within cells nothing varies.
    let observations = (0..100).map(|i| Observation {
        cell: i % 2,
        group: if i % 2 == 0 { "a" } else { "b" },
        selected: i % 2 == 0,
    });
    let report = skew_check("province", observations, DEFAULT_ALPHA);
    assert_eq!(
        (report.dof, report.statistic, report.p_value),
        (0, 0.0, 1.0)
    );
    assert!(!report.significant);
    assert_eq!(report.groups[0].rate, 1.0);
    assert_eq!(report.groups[0].expected_selected, 50.0);
    let json = serde_json::to_string(&report).expect("serialisable");
    assert!(json.contains("\"dimension\":\"province\""));
}

#[test]
fn mixed_cells_compare_within_cells() {
    // One cell, half selected; group "x" wins 30 of 50, "y" 20 of 50.
    let observations = (0..100).map(|i| Observation {
        cell: (),
        group: if i < 50 { "x" } else { "y" },
        selected: if i < 50 { i < 30 } else { i < 70 },
    });
    let report = skew_check("hour", observations, 0.05);
    // Each group deviates by 5 from 25 expected of 50: X^2 = 4 * 25/25 = 4.
    assert!(
        (report.statistic - 4.0).abs() < 1e-9,
        "{}",
        report.statistic
    );
    assert_eq!(report.dof, 1);
    assert!((report.p_value - 0.0455).abs() < 1e-3, "{}", report.p_value);
    assert!(report.significant);
}
