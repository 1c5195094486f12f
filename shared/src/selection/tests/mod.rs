//! Behaviour of `draw` beyond the vectors: shared helpers.

use super::*;

mod outputs;
mod rules;
mod v2;

pub(super) fn province(code: u8) -> Province {
    Province::new(code).expect("valid code")
}

pub(super) fn candidate(nik: u64, kk: u64, code: u8, tier: u8) -> Candidate {
    Candidate {
        nik,
        kk,
        province: province(code),
        tier,
    }
}

pub(super) fn params(allocation: Allocation, kk_cap: u32, prior: &[(u64, u32)]) -> DrawParams {
    DrawParams {
        wave_id: 11,
        secret: [3; 32],
        beacon: b"round 4242".to_vec(),
        allocation,
        kk_cap,
        prior: prior.iter().copied().collect(),
    }
}

/// `n` candidates over provinces 11, 12 and 31, tiers 1-3, families of 1-3.
pub(super) fn synthetic(n: u64) -> Vec<Candidate> {
    (0..n)
        .map(|i| {
            let code = [11, 12, 31][(i * 7 % 3) as usize];
            candidate(
                3_100_000_000_000_000 + i * 9_973,
                5_000_000_000_000_000 + i / 3,
                code,
                (i % 3) as u8 + 1,
            )
        })
        .collect()
}

pub(super) fn status_of(draw: &Draw, nik: u64) -> Status {
    draw.rows
        .iter()
        .find(|r| r.nik == nik)
        .map(|r| r.status)
        .expect("row for nik")
}
