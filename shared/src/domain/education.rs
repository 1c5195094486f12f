//! Whether the registrant is currently in formal education.

use super::code::code_enum;

code_enum! {
    /// Current enrolment at school or university.
    pub enum Education as "education" {
        /// Not at school or university: may register.
        NotEnrolled = "not_enrolled",
        /// At school or university: `ENROLLED_IN_EDUCATION`.
        Enrolled = "enrolled",
    }
}

impl Education {
    /// Whether this rejects the registration (`ENROLLED_IN_EDUCATION`).
    pub const fn is_enrolled(self) -> bool {
        matches!(self, Education::Enrolled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_contract_values() {
        assert_eq!(Education::parse("enrolled"), Ok(Education::Enrolled));
        assert_eq!(Education::parse("not_enrolled"), Ok(Education::NotEnrolled));
        assert!(Education::parse("graduated").is_err());
        assert!(Education::Enrolled.is_enrolled());
        assert!(!Education::NotEnrolled.is_enrolled());
    }
}
