//! The simulator's BLS12-381 key, signing rounds exactly as drand's quicknet
//! does (scheme `bls-unchained-g1-rfc9380`): the message is SHA-256 of the
//! round as a big-endian u64, hashed to G1 (RFC 9380, DST
//! `BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_`) and multiplied by the
//! secret scalar; the public key is the G2 generator times the scalar. So
//! `drand-verify` checks its rounds by the same path as quicknet's.

use bls12_381::hash_to_curve::{ExpandMsgXmd, HashToCurve};
use bls12_381::{G1Affine, G1Projective, G2Affine, Scalar};
use rand::TryRng;
use sha2::{Digest, Sha256, Sha512};

/// The hash-to-curve domain of quicknet's scheme.
pub const DST_G1: &[u8] = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_";

/// A SIMULATED chain's signing key. Never a real chain's.
#[derive(Clone)]
pub struct SimKey {
    secret: Scalar,
    public_key: [u8; 96],
}

impl std::fmt::Debug for SimKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimKey")
            .field("public_key", &hex::encode(self.public_key))
            .finish_non_exhaustive()
    }
}

impl SimKey {
    /// A key derived from `seed` (the same seed, the same key).
    pub fn from_seed(seed: &[u8]) -> Self {
        let mut hasher = Sha512::new();
        hasher.update(b"PRAKERJA-BEACON-SIMULATOR-KEY");
        hasher.update(seed);
        let wide: [u8; 64] = hasher.finalize().into();
        Self::from_wide(&wide)
    }

    /// A fresh key from the operating system's randomness.
    pub fn generate() -> anyhow::Result<Self> {
        let mut wide = [0u8; 64];
        rand::rngs::SysRng
            .try_fill_bytes(&mut wide)
            .map_err(|e| anyhow::anyhow!("the operating system's random generator failed: {e}"))?;
        Ok(Self::from_wide(&wide))
    }

    fn from_wide(wide: &[u8; 64]) -> Self {
        let secret = Scalar::from_bytes_wide(wide);
        let public_key = G2Affine::from(G2Affine::generator() * secret).to_compressed();
        Self { secret, public_key }
    }

    /// The public key (compressed G2 point).
    pub fn public_key(&self) -> [u8; 96] {
        self.public_key
    }

    /// The signature of `round` (compressed G1 point).
    pub fn sign(&self, round: u64) -> [u8; 48] {
        let message: [u8; 32] = Sha256::digest(round.to_be_bytes()).into();
        let point = <G1Projective as HashToCurve<ExpandMsgXmd<sha2_v09::Sha256>>>::hash_to_curve(
            message, DST_G1,
        );
        G1Affine::from(point * self.secret).to_compressed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn its_rounds_verify_by_drand_verify_like_quicknet() {
        let key = SimKey::from_seed(b"test");
        let mut chain: shared::beacon::Chain = serde_json::from_value(serde_json::json!({
            "hash": hex::encode([7u8; 32]),
            "public_key": hex::encode(key.public_key()),
            "scheme": "bls-unchained-g1-rfc9380",
            "genesis": 1_700_000_000,
            "period_secs": 1,
            "delay_secs": 0,
        }))
        .expect("chain");
        chain.name = "sim".into();
        let signature = key.sign(42);
        let randomness = shared::beacon::verify_round(&chain, 42, &signature).expect("verifies");
        assert_eq!(randomness, shared::beacon::randomness(&signature));
        assert!(shared::beacon::verify_round(&chain, 43, &signature).is_err());
        assert_eq!(SimKey::from_seed(b"test").public_key(), key.public_key());
        assert_ne!(
            SimKey::generate().expect("key").public_key(),
            key.public_key()
        );
    }
}
