//! `Debug` for registrations as read: the NIK, KK, phone, e-mail and account
//! masked (`crate::mask`), the raw message left out (only its length), so
//! that a `{:?}` in a log line or a panic message leaks none of them.

use std::fmt;

use super::registration::{PayoutFields, RegistrationRecord};
use crate::mask::Masked;

impl fmt::Debug for PayoutFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PayoutFields")
            .field("method", &self.method)
            .field("provider", &self.provider)
            .field("account", &Masked(self.account.as_deref()))
            .finish()
    }
}

impl fmt::Debug for RegistrationRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistrationRecord")
            .field("registration_id", &self.registration_id)
            .field("wave_id", &self.wave_id)
            .field("submitted_at", &self.submitted_at)
            .field("nik", &Masked(self.nik.as_deref()))
            .field("kk", &Masked(self.kk.as_deref()))
            .field("birth_date", &self.birth_date)
            .field("sex", &self.sex)
            .field("email", &Masked(self.email.as_deref()))
            .field("phone", &Masked(self.phone.as_deref()))
            .field("domicile_province", &self.domicile_province)
            .field("domicile_regency", &self.domicile_regency)
            .field("education", &self.education)
            .field("occupation", &self.occupation)
            .field(
                "receives_social_assistance",
                &self.receives_social_assistance,
            )
            .field("payout", &self.payout)
            .field("missing", &self.missing)
            .field("invalid", &self.invalid)
            .field("raw_json_bytes", &self.raw_json.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_personal_number_in_full() {
        let json = r#"{"registration_id": "8c7e3a4e-2f4b-4b43-9a4f-0d3d1c9e2b11", "wave_id": 1,
            "nik": "3171014708900001", "kk": "3171010101010002", "phone": "+6281234567890",
            "email": "siti.rahayu@example.com", "full_name": "Siti Rahayu",
            "payout": {"method": "BANK", "provider": "BCA", "account": "1234567890"}}"#;
        let record = RegistrationRecord::from_json(json.as_bytes()).expect("decodes");
        let text = format!("{record:?}");
        for secret in [
            "3171014708900001",
            "3171010101010002",
            "6281234567890",
            "1234567890",
            "siti.rahayu@example.com",
            "Siti Rahayu",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("3171**********01"), "{text}");
    }
}
