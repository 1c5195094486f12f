//! A scheme: the rules and amounts of a set of waves (DOMAIN.md's table),
//! read from configuration.

use serde::{Deserialize, Serialize};

use super::occupation::Occupation;

/// The parameters a wave's scheme sets. Amounts are whole rupiah.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheme {
    /// Minimum age in whole years (`UNDERAGE` below it).
    pub min_age: u32,
    /// Maximum age in whole years, inclusive (`OVERAGE` above it); none if absent.
    #[serde(default)]
    pub max_age: Option<u32>,
    /// Whether receiving other social assistance rejects (`SOCIAL_ASSISTANCE`).
    pub excludes_social_assistance: bool,
    /// Beneficiaries per family card, all waves together (applied in the draw).
    pub kk_cap: u32,
    /// Non-cash training balance.
    pub training_balance: i64,
    /// Post-training incentive per installment.
    pub incentive_amount: i64,
    /// Number of post-training incentive installments.
    pub incentive_installments: u32,
    /// Days between incentive installments.
    pub incentive_interval_days: u32,
    /// Survey incentive per survey.
    pub survey_amount: i64,
    /// Number of paid surveys.
    pub survey_count: u32,
    /// Days after selection to buy the first course, or be revoked.
    pub purchase_deadline_days: u32,
    /// Occupations in the priority tier (tier 1).
    pub priority_occupations: Vec<Occupation>,
}

impl Scheme {
    /// The priority tier of an occupation: 1 if it is a priority occupation,
    /// otherwise 2.
    pub fn tier(&self, occupation: Occupation) -> u8 {
        if self.priority_occupations.contains(&occupation) {
            1
        } else {
            2
        }
    }

    /// The 2020 scheme (waves 1-47) as in DOMAIN.md, for tests; the running
    /// system reads schemes from configuration.
    pub fn builtin_2020() -> Scheme {
        Scheme {
            min_age: 18,
            max_age: None,
            excludes_social_assistance: true,
            kk_cap: 2,
            training_balance: 1_000_000,
            incentive_amount: 600_000,
            incentive_installments: 4,
            incentive_interval_days: 30,
            survey_amount: 50_000,
            survey_count: 3,
            purchase_deadline_days: 30,
            priority_occupations: vec![Occupation::LaidOff, Occupation::Furloughed],
        }
    }

    /// The 2023 scheme as in DOMAIN.md, for tests.
    pub fn builtin_2023() -> Scheme {
        Scheme {
            max_age: Some(64),
            excludes_social_assistance: false,
            training_balance: 3_500_000,
            incentive_installments: 1,
            survey_count: 2,
            purchase_deadline_days: 15,
            ..Scheme::builtin_2020()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_and_json_form() {
        let scheme = Scheme::builtin_2020();
        assert_eq!(scheme.tier(Occupation::LaidOff), 1);
        assert_eq!(scheme.tier(Occupation::Unemployed), 2);
        let json = serde_json::to_value(Scheme::builtin_2023()).unwrap();
        assert_eq!(json["priority_occupations"][1], "furloughed");
        let mut without_max = serde_json::to_value(&scheme).unwrap();
        without_max.as_object_mut().unwrap().remove("max_age");
        assert_eq!(
            serde_json::from_value::<Scheme>(without_max).unwrap(),
            scheme
        );
    }
}
