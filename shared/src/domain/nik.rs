//! The NIK (Nomor Induk Kependudukan): `PP KK CC DDMMYY SSSS`.

use std::fmt;

use chrono::{Datelike, NaiveDate};

use super::sex::Sex;

/// Why a string is not a structurally possible NIK (`NIK_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NikError {
    /// Not exactly 16 characters.
    #[error("a NIK has 16 digits, not {0} characters")]
    Length(usize),
    /// A character that is not an ASCII digit.
    #[error("a NIK contains only digits")]
    NonDigit,
    /// Regency part `00`.
    #[error("the NIK's regency code is 00")]
    ZeroRegency,
    /// District part `00`.
    #[error("the NIK's district code is 00")]
    ZeroDistrict,
    /// Day neither 01-31 (men) nor 41-71 (women).
    #[error("the NIK's day {0:02} is neither 01-31 nor 41-71")]
    Day(u8),
    /// Month outside 01-12.
    #[error("the NIK's month {0:02} is outside 01-12")]
    Month(u8),
    /// Day and month form no date in the year the NIK can mean.
    #[error("the NIK's date does not exist")]
    NoSuchDate,
    /// Serial `0000`.
    #[error("the NIK's serial is 0000")]
    ZeroSerial,
}

/// A structurally possible NIK. Its `Debug` form is masked, so it can be
/// logged; [`Nik::as_str`] gives the full number.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nik([u8; 16]);

impl Nik {
    /// Checks everything that needs no other field: 16 ASCII digits, regency
    /// and district not `00`, day in 1-31 or 41-71, month 1-12, a date that
    /// exists in 19YY or 20YY, serial not `0000`. The province is checked
    /// against the regions separately (`NIK_REGION`), and the century by
    /// [`Nik::check_century`].
    pub fn parse(text: &str) -> Result<Nik, NikError> {
        let bytes: [u8; 16] = text
            .as_bytes()
            .try_into()
            .map_err(|_| NikError::Length(text.chars().count()))?;
        if !bytes.iter().all(u8::is_ascii_digit) {
            return Err(NikError::NonDigit);
        }
        let nik = Nik(bytes);
        if &bytes[2..4] == b"00" {
            return Err(NikError::ZeroRegency);
        }
        if &bytes[4..6] == b"00" {
            return Err(NikError::ZeroDistrict);
        }
        let day = nik.pair(6);
        if !(1..=31).contains(&day) && !(41..=71).contains(&day) {
            return Err(NikError::Day(day));
        }
        let month = nik.birth_month();
        if !(1..=12).contains(&month) {
            return Err(NikError::Month(month));
        }
        let yy = i32::from(nik.birth_yy());
        if !nik.exists_in(1900 + yy) && !nik.exists_in(2000 + yy) {
            return Err(NikError::NoSuchDate);
        }
        if &bytes[12..16] == b"0000" {
            return Err(NikError::ZeroSerial);
        }
        Ok(nik)
    }

    /// When `birth_date`'s two-digit year equals the NIK's, that fixes the
    /// century: the NIK's date must exist in `birth_date`'s year (29 February
    /// `00` is impossible for someone born in 1900).
    pub fn check_century(&self, birth_date: NaiveDate) -> Result<(), NikError> {
        let year = birth_date.year();
        if year.rem_euclid(100) == i32::from(self.birth_yy()) && !self.exists_in(year) {
            return Err(NikError::NoSuchDate);
        }
        Ok(())
    }

    /// Whether the NIK's day (minus 40 for women), month and two-digit year
    /// are those of `birth_date`.
    pub fn matches_birth_date(&self, birth_date: NaiveDate) -> bool {
        u32::from(self.birth_day()) == birth_date.day()
            && u32::from(self.birth_month()) == birth_date.month()
            && i32::from(self.birth_yy()) == birth_date.year().rem_euclid(100)
    }

    /// The full 16 digits.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("a NIK is ASCII digits")
    }

    /// Province code (`"31"`).
    pub fn province(&self) -> &str {
        &self.as_str()[..2]
    }

    /// Regency code (`"3171"`).
    pub fn regency(&self) -> &str {
        &self.as_str()[..4]
    }

    /// District code (`"317101"`).
    pub fn district(&self) -> &str {
        &self.as_str()[..6]
    }

    /// The sex the day digits encode (day above 40: woman).
    pub fn sex(&self) -> Sex {
        if self.pair(6) > 40 { Sex::F } else { Sex::M }
    }

    /// The birth day (the day digits, minus 40 for women).
    pub fn birth_day(&self) -> u8 {
        self.pair(6) % 40
    }

    /// The birth month.
    pub fn birth_month(&self) -> u8 {
        self.pair(8)
    }

    /// The two-digit birth year.
    pub fn birth_yy(&self) -> u8 {
        self.pair(10)
    }

    /// The digits with the middle hidden, for logs (`"3171********0001"`).
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.as_str()[..4], &self.as_str()[12..])
    }

    pub(crate) fn province_value(&self) -> u32 {
        u32::from(self.pair(0))
    }

    pub(crate) fn regency_value(&self) -> u32 {
        self.province_value() * 100 + u32::from(self.pair(2))
    }

    pub(crate) fn district_value(&self) -> u32 {
        self.regency_value() * 100 + u32::from(self.pair(4))
    }

    fn exists_in(&self, year: i32) -> bool {
        let (month, day) = (self.birth_month(), self.birth_day());
        NaiveDate::from_ymd_opt(year, u32::from(month), u32::from(day)).is_some()
    }

    fn pair(&self, at: usize) -> u8 {
        (self.0[at] - b'0') * 10 + (self.0[at + 1] - b'0')
    }
}

impl fmt::Debug for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nik({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn decodes_parts() {
        let nik = Nik::parse("3171014708900001").unwrap();
        assert_eq!(
            (nik.province(), nik.regency(), nik.district()),
            ("31", "3171", "317101")
        );
        assert_eq!(
            (nik.birth_day(), nik.birth_month(), nik.birth_yy()),
            (7, 8, 90)
        );
        assert_eq!(nik.sex(), Sex::F);
        assert!(nik.matches_birth_date(date(1990, 8, 7)));
        assert!(!nik.matches_birth_date(date(1990, 7, 8)));
        assert_eq!(format!("{nik:?}"), "Nik(3171********0001)");
    }

    #[test]
    fn rejects_impossible_structures() {
        use NikError::*;
        let cases = [
            ("317101070890001", Length(15)),
            ("31710107089000012", Length(17)),
            ("31710107089O0001", NonDigit),
            ("3100010708900001", ZeroRegency),
            ("3171000708900001", ZeroDistrict),
            ("3171010008900001", Day(0)),
            ("3171013208900001", Day(32)),
            ("3171014008900001", Day(40)),
            ("3171017208900001", Day(72)),
            ("3171010713900001", Month(13)),
            ("3171013104900001", NoSuchDate),
            ("3171012902910001", NoSuchDate),
            ("3171010708900000", ZeroSerial),
        ];
        for (text, error) in cases {
            assert_eq!(Nik::parse(text), Err(error), "{text}");
        }
    }

    #[test]
    fn leap_day_and_century() {
        let nik = Nik::parse("3171016902000001").unwrap();
        assert!(nik.check_century(date(2000, 2, 29)).is_ok());
        assert_eq!(
            nik.check_century(date(1900, 3, 1)),
            Err(NikError::NoSuchDate)
        );
        assert!(nik.check_century(date(1999, 1, 1)).is_ok());
        assert!(Nik::parse("3171012902880001").is_ok());
    }
}
