//! How to reach a registrant: an e-mail address and an Indonesian mobile
//! phone number (`CONTACT`).

use std::fmt;

/// Why a contact detail is malformed (`CONTACT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    /// Not a plausible `local@domain.tld` address.
    #[error("the e-mail address is malformed")]
    Email,
    /// Not an Indonesian mobile number (`+62 8…` or `08…`).
    #[error("the phone is not an Indonesian mobile number (+62 8… or 08…)")]
    Phone,
}

/// A plausible e-mail address: one `@`; a local part of 1-64 characters
/// (letters, digits, ``!#$%&'*+/=?^_`{|}~-`` and non-leading, non-trailing,
/// non-doubled dots); a domain of at least two dot-separated labels of
/// letters, digits and inner hyphens, the last of 2+ letters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Parses an address as written (no trimming, no case change).
    pub fn parse(text: &str) -> Result<Email, ContactError> {
        let (local, domain) = text.split_once('@').ok_or(ContactError::Email)?;
        let local_ok = (1..=64).contains(&local.len())
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~-.".contains(&b));
        let mut labels = 0;
        let domain_ok = domain.len() <= 253
            && domain.split('.').all(|label| {
                labels += 1;
                (1..=63).contains(&label.len())
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
            && domain
                .rsplit('.')
                .next()
                .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()));
        if local_ok && domain_ok && labels >= 2 {
            Ok(Email(text.to_owned()))
        } else {
            Err(ContactError::Email)
        }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An Indonesian mobile number in one canonical form, `+628…` (E.164).
/// Accepted input: `+62` or `0`, then `8`, then 8-11 more digits (9-12
/// digits after the country code), with optional spaces or hyphens between
/// digits. Landlines (`021…`), other countries and `62…` without `+` are
/// rejected. `Debug` is masked.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Phone {
    text: [u8; 15],
    len: u8,
}

impl Phone {
    /// Parses and normalises a phone number.
    pub fn parse(text: &str) -> Result<Phone, ContactError> {
        let rest = if let Some(rest) = text.strip_prefix("+62") {
            rest
        } else if let Some(rest) = text.strip_prefix('0') {
            rest
        } else {
            return Err(ContactError::Phone);
        };
        let mut phone = Phone {
            text: *b"+62000000000000",
            len: 3,
        };
        let mut after_separator = false;
        for byte in rest.bytes() {
            match byte {
                b'0'..=b'9' if phone.len < 15 => {
                    phone.text[usize::from(phone.len)] = byte;
                    phone.len += 1;
                    after_separator = false;
                }
                b' ' | b'-' if !after_separator => after_separator = true,
                _ => return Err(ContactError::Phone),
            }
        }
        let national = phone.len - 3;
        if !after_separator && (9..=12).contains(&national) && phone.text[3] == b'8' {
            Ok(phone)
        } else {
            Err(ContactError::Phone)
        }
    }

    /// The canonical form, `+628…`.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.text[..usize::from(self.len)]).expect("ASCII digits")
    }

    /// The number with all but the last four digits hidden, for logs.
    pub fn masked(&self) -> String {
        let text = self.as_str();
        format!("+62*****{}", &text[text.len() - 4..])
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_normalise_to_one_form() {
        let canonical = Phone::parse("+6281234567890").unwrap();
        assert_eq!(canonical.as_str(), "+6281234567890");
        for same in ["081234567890", "+62 812-3456-7890", "0812 3456 7890"] {
            assert_eq!(Phone::parse(same), Ok(canonical), "{same}");
        }
        assert_eq!(Phone::parse("0812345678").unwrap().as_str(), "+62812345678");
        for bad in [
            "0215551234",
            "+62215551234",
            "6281234567890",
            "+6581234567",
            "08123456",
            "0812345678901234",
            "0812-3456-789O",
            "+62 08123456789",
            "0812--3456789",
            "081234567890 ",
            "",
        ] {
            assert_eq!(Phone::parse(bad), Err(ContactError::Phone), "{bad:?}");
        }
    }

    #[test]
    fn emails() {
        for good in ["siti.aminah@example.id", "a+b@mail.co.id", "x_1@gmail.com"] {
            assert!(Email::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "siti.aminah",
            "siti@@example.id",
            "siti@example",
            "siti@example.",
            ".siti@example.id",
            "si..ti@example.id",
            "siti aminah@example.id",
            "siti@exa_mple.id",
            "siti@-example.id",
            "siti@example.c0m",
            "@example.id",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }
}
