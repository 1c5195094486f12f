//! Sex as registered (`F` or `M`); a NIK encodes it in its day digits.

use super::code::code_enum;

code_enum! {
    /// The registrant's sex, as written in the registration.
    pub enum Sex as "sex" {
        /// Female: the NIK's day is the birth day plus 40.
        F = "F",
        /// Male: the NIK's day is the birth day.
        M = "M",
    }
}

impl Sex {
    /// What a NIK's day digits add to the birth day (40 for women).
    pub const fn nik_day_offset(self) -> u8 {
        match self {
            Sex::F => 40,
            Sex::M => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_the_contract_letters() {
        assert_eq!(Sex::parse("F"), Ok(Sex::F));
        assert_eq!(Sex::parse("M"), Ok(Sex::M));
        for bad in ["f", "X", "L", "P", ""] {
            assert!(Sex::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Sex::F.nik_day_offset(), 40);
    }
}
