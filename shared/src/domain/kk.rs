//! The family card number (Kartu Keluarga): `PP KK CC` of the issuing area,
//! then a date and a serial.

use std::fmt;

use super::regions::Regions;

/// Why a string is not a possible family card number (`KK_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KkError {
    /// Not exactly 16 characters.
    #[error("a KK number has 16 digits, not {0} characters")]
    Length(usize),
    /// A character that is not an ASCII digit.
    #[error("a KK number contains only digits")]
    NonDigit,
    /// The province part is no current or former province.
    #[error("the KK's province code is not a province")]
    Province,
    /// Regency part `00`.
    #[error("the KK's regency code is 00")]
    ZeroRegency,
    /// District part `00`.
    #[error("the KK's district code is 00")]
    ZeroDistrict,
}

/// A possible family card number. `Debug` is masked.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Kk([u8; 16]);

impl Kk {
    /// 16 ASCII digits whose province is current or former and whose regency
    /// and district parts are not `00`. The date and serial are not checked
    /// (DOMAIN.md says nothing about them). An unknown regency or district
    /// inside a known province is a warning, decided by the caller.
    pub fn parse(text: &str, regions: &Regions) -> Result<Kk, KkError> {
        let bytes: [u8; 16] = text
            .as_bytes()
            .try_into()
            .map_err(|_| KkError::Length(text.chars().count()))?;
        if !bytes.iter().all(u8::is_ascii_digit) {
            return Err(KkError::NonDigit);
        }
        let kk = Kk(bytes);
        if !regions.known_province_value(kk.value(2)) {
            return Err(KkError::Province);
        }
        if &bytes[2..4] == b"00" {
            return Err(KkError::ZeroRegency);
        }
        if &bytes[4..6] == b"00" {
            return Err(KkError::ZeroDistrict);
        }
        Ok(kk)
    }

    /// The full 16 digits.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("a KK number is ASCII digits")
    }

    /// Issuing regency code (`"3171"`).
    pub fn regency(&self) -> &str {
        &self.as_str()[..4]
    }

    /// Issuing district code (`"317101"`).
    pub fn district(&self) -> &str {
        &self.as_str()[..6]
    }

    /// The digits with the middle hidden, for logs.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.as_str()[..4], &self.as_str()[12..])
    }

    pub(crate) fn regency_value(&self) -> u32 {
        self.value(4)
    }

    pub(crate) fn district_value(&self) -> u32 {
        self.value(6)
    }

    fn value(&self, digits: usize) -> u32 {
        self.0[..digits]
            .iter()
            .fold(0, |acc, b| acc * 10 + u32::from(b - b'0'))
    }
}

impl fmt::Debug for Kk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kk({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_length_digits_and_region_part() {
        let regions = Regions::embedded();
        let kk = Kk::parse("3171010101090001", regions).unwrap();
        assert_eq!((kk.regency(), kk.district()), ("3171", "317101"));
        assert!(
            Kk::parse("5401010101090001", regions).is_ok(),
            "former province"
        );
        let cases = [
            ("317101010109000", KkError::Length(15)),
            ("31710101010900a1", KkError::NonDigit),
            ("9971010101090001", KkError::Province),
            ("3100010101090001", KkError::ZeroRegency),
            ("3171000101090001", KkError::ZeroDistrict),
        ];
        for (text, error) in cases {
            assert_eq!(Kk::parse(text, regions), Err(error), "{text}");
        }
    }
}
