//! The synthetic generator agrees with the rules.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use shared::domain::ReasonCode::*;
use shared::domain::{
    Occupation, ReasonCode, ReasonSet, Regions, RegistrationRecord, Scheme, WaveView, assess,
};
use shared::generate::{GenerateOptions, Generated, Generator};

const WAVE: u32 = 7;

fn options(count: u64, seed: u64) -> GenerateOptions {
    GenerateOptions {
        wave_id: WAVE,
        count,
        seed,
        window_start: "2026-11-01T00:00:00Z".parse().unwrap(),
        window_end: "2026-11-15T00:00:00Z".parse().unwrap(),
        now: None,
        invalid_share: 0.10,
    }
}

/// Reads and assesses every record; checks each against what it was built
/// for; returns the records and the union of reasons seen.
fn run(
    scheme: &Scheme,
    count: u64,
    seed: u64,
) -> (Vec<(RegistrationRecord, Generated)>, ReasonSet) {
    let opts = options(count, seed);
    let wave = WaveView {
        scheme: scheme.clone(),
        opened_at: opts.window_start,
        closes_at: opts.window_end,
        draw_started: false,
        // Received at the close: late records claim at most LATE_SPAN more.
        submitted_by: opts.window_end + shared::generate::LATE_SPAN,
    };
    let mut seen = ReasonSet::EMPTY;
    let mut records = Vec::new();
    for generated in Generator::new(opts).for_scheme(scheme).with_expectations() {
        let record = RegistrationRecord::from_json(generated.json.to_string().as_bytes())
            .unwrap_or_else(|e| panic!("{e}: {}", generated.json));
        let view = (record.wave_id == WAVE).then_some(&wave);
        let assessment = assess(&record, view, false, Regions::embedded());
        let mut built = generated.expected;
        if built.contains(DuplicateNik) {
            built = built.iter().filter(|r| *r != DuplicateNik).collect();
            seen.insert(DuplicateNik);
        }
        assert_eq!(
            assessment.reasons, built,
            "built for {:?}: {}",
            generated.expected, generated.json
        );
        seen = seen.union(assessment.reasons);
        records.push((record, generated));
    }
    (records, seen)
}

#[test]
fn twenty_thousand_records_agree_with_the_rules() {
    let (records, seen) = run(&Scheme::builtin_2020(), 20_000, 42);
    assert_eq!(records.len(), 20_000);
    let detectable = ReasonCode::ALL
        .iter()
        .copied()
        .filter(|r| !matches!(r, AlreadyBeneficiary | Overage));
    for reason in detectable {
        assert!(seen.contains(reason), "{reason} never generated");
    }
    let invalid = records
        .iter()
        .filter(|(_, g)| !g.expected.is_empty())
        .count();
    assert!(
        (1_600..=2_400).contains(&invalid),
        "{invalid} invalid of 20000"
    );

    let window_end: DateTime<Utc> = options(1, 1).window_end;
    let valid: Vec<&RegistrationRecord> = records
        .iter()
        .filter(|(_, g)| g.expected.is_empty())
        .map(|(r, _)| r)
        .collect();
    assert!(valid.iter().all(|r| r.submitted_at.unwrap() < window_end));

    let mut niks = HashSet::new();
    for record in &valid {
        assert!(
            niks.insert(record.nik.clone().unwrap()),
            "a valid NIK repeats"
        );
    }
    for (record, generated) in &records {
        if generated.expected.contains(DuplicateNik) {
            assert!(
                niks.contains(record.nik.as_ref().unwrap()),
                "duplicate of no earlier NIK"
            );
        }
    }

    let mut per_kk: HashMap<&str, u32> = HashMap::new();
    for record in &valid {
        *per_kk.entry(record.kk.as_deref().unwrap()).or_default() += 1;
    }
    let mean = valid.len() as f64 / per_kk.len() as f64;
    assert!((1.15..=1.5).contains(&mean), "{mean} registrants per KK");
    assert!(per_kk.values().filter(|n| **n >= 3).count() > 50);

    let priority = valid
        .iter()
        .filter(|r| {
            matches!(
                r.occupation,
                Some(Occupation::LaidOff | Occupation::Furloughed)
            )
        })
        .count() as f64;
    assert!((0.20..=0.30).contains(&(priority / valid.len() as f64)));
    let west_java = valid
        .iter()
        .filter(|r| r.domicile_province.as_deref() == Some("32"))
        .count();
    let share = west_java as f64 / valid.len() as f64;
    assert!((0.16..=0.20).contains(&share), "West Java {share}");
    let women = valid
        .iter()
        .filter(|r| r.sex == Some(shared::domain::Sex::F))
        .count() as f64;
    assert!((0.45..=0.55).contains(&(women / valid.len() as f64)));
}

#[test]
fn scheme_2023_gets_overage_and_no_social_assistance() {
    let (records, seen) = run(&Scheme::builtin_2023(), 5_000, 9);
    assert!(seen.contains(Overage));
    assert!(!seen.contains(SocialAssistance));
    let assisted = records
        .iter()
        .filter(|(r, g)| g.expected.is_empty() && r.receives_social_assistance == Some(true));
    assert!(assisted.count() > 100);
}

#[test]
fn same_seed_same_records() {
    let first: Vec<_> = Generator::new(options(200, 5)).collect();
    let again: Vec<_> = Generator::new(options(200, 5)).collect();
    let other: Vec<_> = Generator::new(options(200, 6)).collect();
    assert_eq!(first, again);
    assert_ne!(first, other);
    assert_eq!(Generator::new(options(0, 5)).count(), 0);
}
