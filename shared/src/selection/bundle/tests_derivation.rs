//! v2 bundles: derivation mismatches are listed; the writer's bundles
//! (derivation included) read back identically.

use std::fs;

use uuid::Uuid;

use super::tests_v2::bundle_dir;
use super::{AnyBundle, BundleV2, Derivation, Registration};
use crate::selection::{Allocation, CandidateV2, DrawParams, FamilyKey, Province, derive_pid};

#[test]
fn derivation_mismatches_are_listed() {
    let dir = bundle_dir("tampered", &[]);
    let mut bundle = BundleV2::read(&dir).expect("valid bundle");
    fs::remove_dir_all(&dir).expect("clean up");
    let derivation = bundle.derivation.clone().expect("derivation");
    bundle.candidates[0].tier = 3;
    bundle.candidates[1].pid ^= 1;
    let foreign = vec![(7u128, 1u32)];
    let found = derivation.check(
        &bundle.candidates,
        "candidates.csv",
        Some((&foreign, "prior.csv")),
    );
    assert_eq!(found.len(), 4, "{found:#?}");
    assert!(
        found[0].starts_with("candidates.csv line 2: pid "),
        "{}",
        found[0]
    );
    assert!(found[0].contains(",75,3, but registrations.csv line 2 derives "));
    assert!(found[1].starts_with("registrations.csv line 3: pid "));
    assert!(found[1].ends_with("is not in candidates.csv"));
    assert!(found[2].ends_with("is not derived from any registration in registrations.csv"));
    assert_eq!(
        found[3],
        "prior.csv line 2: fid 00000000000000000000000000000007 is not the fid of any kk in registrations.csv"
    );
}

#[test]
fn written_v2_bundles_read_back_identically() {
    let key = FamilyKey::new([7; 32]);
    let registrations: Vec<Registration> = (0..300u64)
        .map(|i| Registration {
            registration_id: Uuid::from_u128(
                u128::from(i).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c),
            ),
            kk: 3_100_000_000_000_000 + i / 3,
            province: Province::new(11 + (i % 4) as u8).expect("code"),
            tier: 1 + (i % 2) as u8,
        })
        .collect();
    let candidates: Vec<CandidateV2> = registrations
        .iter()
        .map(|r| CandidateV2 {
            pid: derive_pid(&r.registration_id),
            fid: key.fid(r.kk).expect("16 digits"),
            province: r.province,
            tier: r.tier,
        })
        .collect();
    let params = DrawParams {
        wave_id: 4,
        secret: [1; 32],
        beacon: vec![2; 32],
        allocation: Allocation::Explicit([(Province::new(12).expect("12"), 30)].into()),
        kk_cap: 2,
        prior: [(candidates[5].fid, 1)].into(),
    };
    let mut bundle = BundleV2::from_inputs(&params, candidates.clone());
    bundle.set_result(&crate::selection::draw(&params, candidates).expect("draw"));
    bundle.derivation = Some(Derivation {
        family_key: key,
        registrations_file: "registrations.csv".to_owned(),
        registrations,
    });
    let dir = bundle_dir("written", &[]).join("out");
    bundle.write(&dir).expect("write");
    let again = AnyBundle::read(&dir);
    fs::remove_dir_all(dir.parent().expect("parent")).expect("clean up");
    assert_eq!(again.expect("reads back"), AnyBundle::V2(bundle));
}
