//! v2 through the shared machinery: refusals, the threaded digests and
//! `compare` with 128-bit ids.

use super::*;
use crate::selection::lines::LineBuffer;

fn v2(pid: u128, fid: u128, code: u8, tier: u8) -> CandidateV2 {
    CandidateV2 {
        pid,
        fid,
        province: province(code),
        tier,
    }
}

/// `n` v2 candidates with hash-like ids, families of 1-3.
fn synthetic_v2(n: u64) -> Vec<CandidateV2> {
    let key = FamilyKey::new([5; 32]);
    (0..n)
        .map(|i| {
            let id = uuid::Uuid::from_u128(u128::from(i) << 64 | 0x4000_8000_0000_0000);
            let fid = key.fid(5_000_000_000_000_000 + i / 3).expect("16 digits");
            v2(
                derive_pid(&id),
                fid,
                [11, 12, 31][(i * 7 % 3) as usize],
                (i % 3) as u8 + 1,
            )
        })
        .collect()
}

fn params_v2(allocation: Allocation, kk_cap: u32, prior: &[(u128, u32)]) -> DrawParams<u128> {
    DrawParams {
        wave_id: 11,
        secret: [3; 32],
        beacon: b"round 4242".to_vec(),
        allocation,
        kk_cap,
        prior: prior.iter().copied().collect(),
    }
}

#[test]
fn invalid_v2_inputs_are_refused() {
    let p = params_v2(Allocation::National(1), 0, &[]);
    let ok = v2(u128::MAX, 1, 11, 1);
    assert_eq!(
        draw(&p, vec![ok, ok]),
        Err(SelectionError::DuplicatePid(u128::MAX))
    );
    assert_eq!(
        draw(&p, vec![CandidateV2 { tier: 0, ..ok }]),
        Err(SelectionError::PidTierOutOfRange {
            pid: u128::MAX,
            tier: 0
        })
    );
    let mut list = synthetic_v2(500);
    list.push(list[3]);
    list.reverse();
    assert_eq!(
        draw(&p, list.clone()),
        Err(SelectionError::DuplicatePid(list[0].pid))
    );
    assert_eq!(
        SelectionError::DuplicatePid(0xab).to_string(),
        "duplicate pid 000000000000000000000000000000ab"
    );
}

#[test]
fn threaded_v2_draw_matches_independent_digests() {
    let candidates = synthetic_v2(70_001);
    let p = params_v2(
        Allocation::Proportional(20_000),
        2,
        &[(candidates[9].fid, 2)],
    );
    let result = draw(&p, candidates.clone()).expect("draw");
    assert_eq!(result.manifest.algorithm, "prakerja-selection-v2");
    assert_eq!(
        result.manifest.input_digest,
        hex::encode(input_digest(&candidates))
    );
    assert_eq!(
        result.manifest.output_digest,
        hex::encode(output_digest(&result.rows))
    );
    assert_eq!(result.manifest.selected, 20_000);
    assert!(result.manifest.kk_cap > 0);
    // The same ids drawn as v1 would use another seed label: a v2 draw is
    // never a v1 draw in disguise.
    let seed_v1 = wave_seed(p.wave_id, &p.secret, &p.beacon).expect("seed");
    assert_ne!(result.manifest.seed, hex::encode(seed_v1));
    let seed_v2 = wave_seed_of(Algorithm::V2, p.wave_id, &p.secret, &p.beacon).expect("seed");
    assert_eq!(result.manifest.seed, hex::encode(seed_v2));
    let mut sorted = candidates.clone();
    sorted.sort_unstable_by_key(|c| c.pid);
    let mut text = String::new();
    for c in &sorted {
        text.push_str(&format!(
            "{:032x},{:032x},{},{}\n",
            c.pid, c.fid, c.province, c.tier
        ));
    }
    assert_eq!(
        result.manifest.input_digest,
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes()))
    );
}

#[test]
fn compare_names_pids() {
    let p = params_v2(Allocation::Proportional(10), 2, &[]);
    let result = draw(&p, synthetic_v2(40)).expect("draw");
    assert!(compare(&result.rows, &result.manifest, &result).is_empty());
    let mut rows = result.rows.clone();
    rows[0].pid ^= 1;
    let listed: Vec<String> = compare(&rows, &result.manifest, &result)
        .iter()
        .map(ToString::to_string)
        .collect();
    let r = &result.rows[0];
    assert_eq!(
        listed,
        [format!(
            "expected.csv line 2: pid differs: expected {s},{k},{e:032x},{st}, recomputed {s},{k},{n:032x},{st}",
            s = r.stratum,
            k = r.rank,
            e = r.pid ^ 1,
            n = r.pid,
            st = r.status
        )]
    );
}

#[test]
fn v2_lines_match_the_spec_format() {
    let mut lines = LineBuffer::default();
    let province = Province::new(92).expect("92");
    let pid = 0x0123_4567_89ab_cdef_0000_0000_0000_00ff_u128;
    lines.push_candidate(&CandidateV2 {
        pid,
        fid: u128::MAX,
        province,
        tier: 9,
    });
    for rank in [1, 4_294_967_295] {
        lines.push_row(&ResultRowV2 {
            stratum: Stratum::from(province),
            rank,
            pid,
            status: Status::KkCap,
        });
    }
    let expected = "0123456789abcdef00000000000000ff,ffffffffffffffffffffffffffffffff,92,9\n\
                    92,1,0123456789abcdef00000000000000ff,KK_CAP\n\
                    92,4294967295,0123456789abcdef00000000000000ff,KK_CAP\n";
    assert_eq!(String::from_utf8_lossy(lines.filled()), expected);
    let mut csv = Vec::new();
    write_rows_csv(&mut csv, &[ResultRowV2::default()]).expect("in memory");
    assert_eq!(
        csv,
        b"stratum,rank,pid,status\n00,0,00000000000000000000000000000000,WAITLIST\n"
    );
}
