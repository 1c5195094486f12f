//! Why a registration is rejected ([`ReasonCode`], collected in a
//! [`ReasonSet`]) and what is noted about it without rejecting it
//! ([`Warning`]).

use std::fmt;

use serde::de::{SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::code::code_enum;

code_enum! {
    /// A reason a registration is rejected (CONTRACTS.md, DOMAIN.md), in the
    /// canonical order used whenever reasons are listed.
    ///
    /// `FIELD_INVALID` is this project's documented extension: a field that
    /// is present but has the wrong JSON type or is not one of the allowed
    /// values (sex `"X"`, occupation `"astronaut"`, birth date `"1990-13-45"`).
    pub enum ReasonCode as "reason code" {
        /// NIK is not 16 digits or its structure is impossible.
        NikFormat = "NIK_FORMAT",
        /// NIK's province code is not a current or former province.
        NikRegion = "NIK_REGION",
        /// The date in the NIK does not match `birth_date`.
        NikBirthDate = "NIK_BIRTH_DATE",
        /// The NIK's day encoding (women: day + 40) does not match `sex`.
        NikSex = "NIK_SEX",
        /// Family card number is not 16 digits or its region part is impossible.
        KkFormat = "KK_FORMAT",
        /// Domicile province/regency is not a current code, or not nested.
        DomicileRegion = "DOMICILE_REGION",
        /// Younger than the scheme's minimum age.
        Underage = "UNDERAGE",
        /// Older than the scheme's maximum age.
        Overage = "OVERAGE",
        /// Currently at school or university.
        EnrolledInEducation = "ENROLLED_IN_EDUCATION",
        /// An occupation the programme excludes (officials, ASN, TNI, Polri...).
        ExcludedOccupation = "EXCLUDED_OCCUPATION",
        /// Receives other social assistance where the scheme excludes it.
        SocialAssistance = "SOCIAL_ASSISTANCE",
        /// Selected in an earlier wave, or revoked.
        AlreadyBeneficiary = "ALREADY_BENEFICIARY",
        /// Another registration of this wave has the same NIK.
        DuplicateNik = "DUPLICATE_NIK",
        /// No such wave.
        WaveUnknown = "WAVE_UNKNOWN",
        /// Submitted after the wave closed (or after its draw started).
        WaveClosed = "WAVE_CLOSED",
        /// E-mail or phone is malformed.
        Contact = "CONTACT",
        /// The payout account is malformed for its method and provider.
        PayoutAccount = "PAYOUT_ACCOUNT",
        /// A required field is absent, `null` or empty.
        FieldMissing = "FIELD_MISSING",
        /// A field has the wrong type or a value outside its allowed set.
        FieldInvalid = "FIELD_INVALID",
    }
}

code_enum! {
    /// Something stored with a registration that does not reject it.
    pub enum Warning as "warning" {
        /// The NIK's regency (PPKK) is not a current regency of its known
        /// province (regions split and are renumbered; a NIK never changes).
        NikRegencyUnknown = "NIK_REGENCY_UNKNOWN",
        /// The NIK's regency is current but its district (PPKKCC) is not.
        NikDistrictUnknown = "NIK_DISTRICT_UNKNOWN",
        /// The KK's regency is not a current regency of its known province.
        KkRegencyUnknown = "KK_REGENCY_UNKNOWN",
        /// The KK's regency is current but its district is not.
        KkDistrictUnknown = "KK_DISTRICT_UNKNOWN",
    }
}

/// A set of reason codes: no duplicates, always iterated in canonical order.
/// Copyable and allocation-free (a bit set).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ReasonSet(u32);

impl ReasonSet {
    /// The empty set.
    pub const EMPTY: ReasonSet = ReasonSet(0);

    /// Adds a reason (adding one already present changes nothing).
    pub fn insert(&mut self, reason: ReasonCode) {
        self.0 |= 1 << reason as u32;
    }

    /// Whether the set holds `reason`.
    pub fn contains(&self, reason: ReasonCode) -> bool {
        self.0 & (1 << reason as u32) != 0
    }

    /// Whether the set is empty (an eligible registration).
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    /// How many reasons the set holds.
    pub fn len(&self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether every reason of `other` is also in `self`.
    pub fn is_superset(&self, other: &ReasonSet) -> bool {
        self.0 & other.0 == other.0
    }

    /// The reasons of both sets.
    pub fn union(self, other: ReasonSet) -> ReasonSet {
        ReasonSet(self.0 | other.0)
    }

    /// The reasons in canonical order.
    pub fn iter(&self) -> impl Iterator<Item = ReasonCode> + '_ {
        ReasonCode::ALL
            .iter()
            .copied()
            .filter(|r| self.contains(*r))
    }

    /// The reasons as their codes, in canonical order.
    pub fn codes(&self) -> Vec<&'static str> {
        self.iter().map(ReasonCode::as_str).collect()
    }
}

impl FromIterator<ReasonCode> for ReasonSet {
    fn from_iter<I: IntoIterator<Item = ReasonCode>>(iter: I) -> Self {
        let mut set = ReasonSet::EMPTY;
        set.extend(iter);
        set
    }
}

impl Extend<ReasonCode> for ReasonSet {
    fn extend<I: IntoIterator<Item = ReasonCode>>(&mut self, iter: I) {
        iter.into_iter().for_each(|r| self.insert(r));
    }
}

impl fmt::Debug for ReasonSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// The codes joined by `|`, as in `rejected.csv` (empty when eligible).
impl fmt::Display for ReasonSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, reason) in self.iter().enumerate() {
            if i > 0 {
                f.write_str("|")?;
            }
            f.write_str(reason.as_str())?;
        }
        Ok(())
    }
}

/// Serialized as a JSON array of codes in canonical order.
impl Serialize for ReasonSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for reason in self.iter() {
            seq.serialize_element(&reason)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for ReasonSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SetVisitor;
        impl<'de> Visitor<'de> for SetVisitor {
            type Value = ReasonSet;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of reason codes")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ReasonSet, A::Error> {
                let mut set = ReasonSet::EMPTY;
                while let Some(reason) = seq.next_element::<ReasonCode>()? {
                    set.insert(reason);
                }
                Ok(set)
            }
        }
        deserializer.deserialize_seq(SetVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_in_canonical_order() {
        assert_eq!(ReasonCode::ALL.len(), 19);
        assert_eq!(ReasonCode::ALL[0].as_str(), "NIK_FORMAT");
        assert_eq!(ReasonCode::ALL[18].as_str(), "FIELD_INVALID");
        for pair in ReasonCode::ALL.windows(2) {
            assert!(pair[0] < pair[1]);
        }
        for reason in ReasonCode::ALL {
            assert_eq!(reason.as_str().parse::<ReasonCode>(), Ok(*reason));
            let json = serde_json::to_string(reason).unwrap();
            assert_eq!(json, format!("\"{}\"", reason.as_str()));
        }
        assert!("nik_format".parse::<ReasonCode>().is_err());
        assert_eq!(Warning::NikRegencyUnknown.as_str(), "NIK_REGENCY_UNKNOWN");
    }

    #[test]
    fn set_is_sorted_and_deduplicated() {
        let set: ReasonSet = [
            ReasonCode::FieldMissing,
            ReasonCode::NikFormat,
            ReasonCode::FieldMissing,
        ]
        .into_iter()
        .collect();
        assert_eq!(set.len(), 2);
        assert_eq!(set.to_string(), "NIK_FORMAT|FIELD_MISSING");
        let json = serde_json::to_string(&set).unwrap();
        assert_eq!(json, r#"["NIK_FORMAT","FIELD_MISSING"]"#);
        assert_eq!(serde_json::from_str::<ReasonSet>(&json).unwrap(), set);
    }
}
