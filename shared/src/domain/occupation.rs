//! The registrant's occupation (CONTRACTS.md list) and which ones the
//! programme excludes.

use super::code::code_enum;

code_enum! {
    /// Occupation as declared in the registration.
    pub enum Occupation as "occupation" {
        /// Without work.
        Unemployed = "unemployed",
        /// Lost their job (PHK): priority tier by default.
        LaidOff = "laid_off",
        /// Furloughed (dirumahkan): priority tier by default.
        Furloughed = "furloughed",
        /// Informal-sector worker.
        InformalWorker = "informal_worker",
        /// Owner of a micro or small business.
        MicroEntrepreneur = "micro_entrepreneur",
        /// Formal-sector employee.
        Employee = "employee",
        /// Civil servant (ASN): excluded.
        CivilServant = "civil_servant",
        /// Armed forces (TNI): excluded.
        Military = "military",
        /// Police (Polri): excluded.
        Police = "police",
        /// State official: excluded.
        StateOfficial = "state_official",
        /// Member of DPR or DPRD: excluded.
        Legislator = "legislator",
        /// Village head or village official: excluded.
        VillageOfficial = "village_official",
        /// Director or commissioner of a BUMN/BUMD: excluded.
        SoeExecutive = "soe_executive",
    }
}

impl Occupation {
    /// Whether this occupation rejects the registration
    /// (`EXCLUDED_OCCUPATION`).
    pub const fn is_excluded(self) -> bool {
        matches!(
            self,
            Occupation::CivilServant
                | Occupation::Military
                | Occupation::Police
                | Occupation::StateOfficial
                | Occupation::Legislator
                | Occupation::VillageOfficial
                | Occupation::SoeExecutive
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seven_occupations_are_excluded() {
        let excluded: Vec<_> = Occupation::ALL.iter().filter(|o| o.is_excluded()).collect();
        assert_eq!(excluded.len(), 7);
        assert!(!Occupation::LaidOff.is_excluded());
        assert_eq!(
            Occupation::parse("soe_executive"),
            Ok(Occupation::SoeExecutive)
        );
        assert!(Occupation::parse("astronaut").is_err());
    }
}
