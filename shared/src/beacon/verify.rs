//! Verifying a round's signature against the chain's pinned key
//! (`drand-verify`); the beacon is the round's randomness, the SHA-256 of
//! its signature.

use drand_verify::Pubkey;
use sha2::{Digest, Sha256};

use super::{Chain, ChainError};

/// Why a round is not believed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BeaconError {
    #[error(transparent)]
    Chain(#[from] ChainError),
    #[error("the signature of round {round} is not a G1 point of 48 bytes: {reason}")]
    NotAPoint { round: u64, reason: String },
    #[error(
        "the signature does not verify for round {round} of drand chain {chain:?} (public key {key}…)"
    )]
    DoesNotVerify {
        round: u64,
        chain: String,
        key: String,
    },
}

/// A round's randomness: SHA-256 of its signature.
pub fn randomness(signature: &[u8]) -> [u8; 32] {
    Sha256::digest(signature).into()
}

/// Verifies `signature` for `round` against the chain's key; returns the
/// round's randomness.
pub fn verify_round(chain: &Chain, round: u64, signature: &[u8]) -> Result<[u8; 32], BeaconError> {
    let key = chain.verifier()?;
    match key.verify(round, b"", signature) {
        Ok(true) => Ok(randomness(signature)),
        Ok(false) => Err(BeaconError::DoesNotVerify {
            round,
            chain: chain.name.clone(),
            key: hex::encode(&chain.public_key[..8]),
        }),
        Err(e) => Err(BeaconError::NotAPoint {
            round,
            reason: e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::super::chain::tests::quicknet;
    use super::*;

    /// quicknet round 657413 (CONTRACTS.md).
    const ROUND: u64 = 657_413;
    const SIGNATURE: &str = "b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be41076862b98fad56e91a6b85b89cd97b";
    const RANDOMNESS: &str = "fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587";

    #[test]
    fn the_real_quicknet_round_verifies_and_gives_its_randomness() {
        let signature = hex::decode(SIGNATURE).expect("hex");
        let beacon = verify_round(&quicknet(), ROUND, &signature).expect("verifies");
        assert_eq!(hex::encode(beacon), RANDOMNESS);
    }

    #[test]
    fn a_flipped_bit_or_another_round_does_not_verify() {
        let signature = hex::decode(SIGNATURE).expect("hex");
        for bit in [0usize, 7, 100, 383] {
            let mut flipped = signature.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            assert!(
                verify_round(&quicknet(), ROUND, &flipped).is_err(),
                "bit {bit} flipped"
            );
        }
        assert!(matches!(
            verify_round(&quicknet(), ROUND + 1, &signature),
            Err(BeaconError::DoesNotVerify { round, .. }) if round == ROUND + 1
        ));
        assert!(matches!(
            verify_round(&quicknet(), ROUND, &signature[..47]),
            Err(BeaconError::NotAPoint { .. })
        ));
        let mut other_key = quicknet();
        other_key.public_key = quicknet_other_point();
        assert!(verify_round(&other_key, ROUND, &signature).is_err());
    }

    /// A valid G2 point that is not quicknet's key: the G2 generator.
    fn quicknet_other_point() -> [u8; 96] {
        let mut g2 = [0u8; 96];
        hex::decode_to_slice(
            "93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8",
            &mut g2,
        )
        .expect("hex");
        g2
    }
}
