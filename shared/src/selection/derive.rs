//! Where v2's ids come from (selection-v2/SPEC.md): `pid` from the
//! registration id, which the applicant holds, and `fid` from the KK under
//! the programme's secret family key. Both cost one or two SHA-256 blocks,
//! cheap enough to derive while loading 10 million candidates.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use thiserror::Error;
use uuid::Uuid;

use super::candidate::MAX_ID;
use super::candidate_v2::{Fid, Pid};
use super::digits::sixteen;

/// The label hashed in front of the registration id (15 ASCII bytes).
pub const PID_LABEL: &[u8; 15] = b"PRAKERJA-PID-V2";

/// The label hashed in front of the family key for its fingerprint.
pub const FINGERPRINT_LABEL: &[u8] = b"PRAKERJA-FAMILY-KEY-FINGERPRINT-V2";

/// The first 16 bytes of a digest, big-endian: numeric order is the byte
/// order of their hex.
fn first_16(digest: &[u8]) -> u128 {
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    u128::from_be_bytes(bytes)
}

/// `pid` = first 16 bytes of SHA-256(`PRAKERJA-PID-V2` || the registration
/// id's canonical text: 36 lower-case hyphenated characters).
pub fn derive_pid(registration_id: &Uuid) -> Pid {
    let mut text = [0u8; 36];
    registration_id.hyphenated().encode_lower(&mut text);
    let digest = Sha256::new()
        .chain_update(PID_LABEL)
        .chain_update(text)
        .finalize();
    first_16(&digest)
}

/// A family key that is not 64 hex digits. The text is never echoed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("the family key is not 64 hex digits (32 bytes)")]
pub struct FamilyKeyError;

/// The programme's 32-byte family key, kept secret: it derives every
/// `fid`. Debug output shows no key material. Holds the HMAC state with
/// the key's pads already hashed, so each `fid` costs two SHA-256 blocks.
#[derive(Clone)]
pub struct FamilyKey {
    bytes: [u8; 32],
    mac: Hmac<Sha256>,
}

impl FamilyKey {
    /// The key of these 32 bytes.
    pub fn new(bytes: [u8; 32]) -> Self {
        // HMAC takes keys of any length; 32 bytes cannot be refused.
        let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&bytes)
            .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
        Self { bytes, mac }
    }

    /// Parses 64 hex digits (either case).
    pub fn from_hex(text: &str) -> Result<Self, FamilyKeyError> {
        let bytes = hex::decode(text.trim()).map_err(|_| FamilyKeyError)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| FamilyKeyError)?;
        Ok(Self::new(bytes))
    }

    /// The key as lower-case hex: for the vectors' `params.json` and for
    /// entitled auditors, never for logs.
    pub fn expose_hex(&self) -> String {
        hex::encode(self.bytes)
    }

    /// What a wave stores to recognise its key without holding it:
    /// SHA-256(`PRAKERJA-FAMILY-KEY-FINGERPRINT-V2` || the 32 key bytes).
    /// Domain-separated, so it equals no HMAC or digest the draw publishes.
    pub fn fingerprint(&self) -> [u8; 32] {
        Sha256::new()
            .chain_update(FINGERPRINT_LABEL)
            .chain_update(self.bytes)
            .finalize()
            .into()
    }

    /// `fid` = first 16 bytes of HMAC-SHA256(family key, the KK's 16 ASCII
    /// digits). `None` if `kk` has more than 16 digits.
    pub fn fid(&self, kk: u64) -> Option<Fid> {
        (kk <= MAX_ID).then(|| self.fid_of_digits(&sixteen(kk)))
    }

    /// The `fid` of a KK given as its 16 ASCII digits.
    pub fn fid_of_digits(&self, kk: &[u8; 16]) -> Fid {
        let mut mac = self.mac.clone();
        mac.update(kk);
        first_16(&mac.finalize().into_bytes())
    }
}

impl PartialEq for FamilyKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for FamilyKey {}

impl fmt::Debug for FamilyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FamilyKey(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivations_match_the_spec_formulas() {
        let id: Uuid = "d64888a3-bd4d-45b5-92b2-443f982a3af2"
            .parse()
            .expect("uuid");
        let plain = Sha256::digest(b"PRAKERJA-PID-V2d64888a3-bd4d-45b5-92b2-443f982a3af2");
        assert_eq!(
            format!("{:032x}", derive_pid(&id)),
            hex::encode(&plain[..16])
        );
        // The first registration of vector 01 and its candidate line.
        assert_eq!(
            format!("{:032x}", derive_pid(&id)),
            "c52d09ebd9415c067bd8ea380ac43ab6"
        );
        let key =
            FamilyKey::from_hex("5e0e2594fb125224e025d47699194ea4b8f2fd4c0479f6d86d91797389cf0dc0")
                .expect("key");
        let fid = key.fid(7_638_202_803_102_488).expect("16 digits");
        assert_eq!(format!("{fid:032x}"), "d7f523d6a672ebb33296e8c65b8bf0fd");
        assert_eq!(key.fid_of_digits(b"7638202803102488"), fid);
        assert_eq!(key.fid(MAX_ID + 1), None);
        // Leading zeros are part of the 16 digits.
        assert_eq!(key.fid(42), Some(key.fid_of_digits(b"0000000000000042")));
        assert_eq!(format!("{key:?}"), "FamilyKey(…)");
        assert_eq!(FamilyKey::from_hex("00ff"), Err(FamilyKeyError));
        let mut labelled = FINGERPRINT_LABEL.to_vec();
        labelled.extend_from_slice(&hex::decode(key.expose_hex()).expect("hex"));
        assert_eq!(
            key.fingerprint().as_slice(),
            Sha256::digest(&labelled).as_slice()
        );
        assert_ne!(key.fingerprint(), FamilyKey::new([7; 32]).fingerprint());
        assert_eq!(FamilyKey::from_hex(&key.expose_hex()), Ok(key));
    }
}
