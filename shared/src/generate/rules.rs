//! The parts of a scheme the generator must respect so that its valid
//! records are eligible and its invalid ones fail as built.

use std::ops::RangeInclusive;

use crate::domain::Scheme;

/// Age limits and the social-assistance rule of the target scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Minimum age.
    pub min_age: u32,
    /// Maximum age, if any.
    pub max_age: Option<u32>,
    /// Whether receiving social assistance rejects.
    pub excludes_social_assistance: bool,
}

impl Rules {
    /// The rules of a scheme.
    pub fn of(scheme: &Scheme) -> Rules {
        Rules {
            min_age: scheme.min_age,
            max_age: scheme.max_age,
            excludes_social_assistance: scheme.excludes_social_assistance,
        }
    }

    /// Ages of eligible registrants: the scheme's range, at most 64 when it
    /// has no maximum (working age).
    pub fn valid_ages(&self) -> RangeInclusive<u32> {
        let high = self.max_age.unwrap_or(64).max(self.min_age);
        self.min_age..=high
    }

    /// Ages below the minimum (up to three years below), if any.
    pub fn underages(&self) -> Option<RangeInclusive<u32>> {
        (self.min_age > 0).then(|| self.min_age.saturating_sub(3)..=self.min_age - 1)
    }

    /// Ages above the maximum (up to eight years above), if there is one.
    pub fn overages(&self) -> Option<RangeInclusive<u32>> {
        self.max_age.map(|max| max + 1..=max + 8)
    }
}

impl Default for Rules {
    /// The 2020 scheme's rules.
    fn default() -> Self {
        Rules::of(&Scheme::builtin_2020())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_per_scheme() {
        let rules_2020 = Rules::default();
        assert_eq!(rules_2020.valid_ages(), 18..=64);
        assert_eq!(rules_2020.underages(), Some(15..=17));
        assert_eq!(rules_2020.overages(), None);
        let rules_2023 = Rules::of(&Scheme::builtin_2023());
        assert_eq!(rules_2023.overages(), Some(65..=72));
    }
}
