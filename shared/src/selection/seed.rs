//! The commitment, the wave seed and the per-stratum generators (SPEC.md
//! steps 1 and 4).

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use sha2::{Digest, Sha256};

use super::algorithm::Algorithm;
use super::error::SelectionError;
use super::province::Stratum;

/// The domain-separation label hashed in front of v1's wave seed inputs.
pub const SEED_LABEL: &[u8; 21] = Algorithm::V1.seed_label();

/// Longest beacon accepted, in bytes.
pub const MAX_BEACON_LEN: usize = 64;

/// SHA-256 of the secret: published when the wave opens.
pub fn commitment(secret: &[u8; 32]) -> [u8; 32] {
    Sha256::digest(secret).into()
}

/// v1's `S = SHA-256(label || u32_be(wave_id) || secret || beacon)`.
pub fn wave_seed(
    wave_id: u32,
    secret: &[u8; 32],
    beacon: &[u8],
) -> Result<[u8; 32], SelectionError> {
    wave_seed_of(Algorithm::V1, wave_id, secret, beacon)
}

/// `S` of `algorithm`: its label, then as [`wave_seed`].
pub fn wave_seed_of(
    algorithm: Algorithm,
    wave_id: u32,
    secret: &[u8; 32],
    beacon: &[u8],
) -> Result<[u8; 32], SelectionError> {
    if beacon.len() > MAX_BEACON_LEN {
        return Err(SelectionError::BeaconTooLong(beacon.len()));
    }
    let mut hasher = Sha256::new();
    hasher.update(algorithm.seed_label());
    hasher.update(wave_id.to_be_bytes());
    hasher.update(secret);
    hasher.update(beacon);
    Ok(hasher.finalize().into())
}

/// `R_p = ChaCha20Rng::from_seed(SHA-256(S || key))`.
pub fn stratum_rng(seed: &[u8; 32], stratum: Stratum) -> ChaCha20Rng {
    let mut hasher = Sha256::new();
    hasher.update(seed);
    hasher.update(stratum.key());
    ChaCha20Rng::from_seed(hasher.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commitment_of_vector_secret() {
        let secret: [u8; 32] = std::array::from_fn(|i| i as u8);
        assert_eq!(
            hex::encode(commitment(&secret)),
            "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd"
        );
        let seed = wave_seed(1, &secret, &[]).expect("short beacon");
        assert_eq!(
            hex::encode(seed),
            "36b6b1c78bee0a21ab01f9cf09eac064ac521f2b758e2ac691204bf7bdca2179"
        );
    }

    #[test]
    fn beacon_longer_than_64_bytes_is_refused() {
        assert!(wave_seed(1, &[0; 32], &[7; 64]).is_ok());
        assert_eq!(
            wave_seed(1, &[0; 32], &[7; 65]),
            Err(SelectionError::BeaconTooLong(65))
        );
    }
}
