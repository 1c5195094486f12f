//! Indonesia's administrative regions (provinces, regencies and cities,
//! districts), from the shipped `data/regions.csv` (MIT, see
//! `data/regions.LICENSE`), with the lookups the rules and the generator use.

use std::sync::LazyLock;

use super::region::{Level, Region, RegionsError, code_value};

/// Province codes that no longer exist but that NIKs and KKs issued at the
/// time still carry (a NIK never changes). They are accepted for
/// `NIK_REGION` and `KK_FORMAT`, never for a domicile.
pub const FORMER_PROVINCES: &[(&str, &str)] = &[("54", "Timor Timur (1976-1999)")];

static EMBEDDED: LazyLock<Regions> = LazyLock::new(|| {
    Regions::parse(include_str!("../../data/regions.csv"))
        .expect("the shipped regions.csv is valid")
});

/// The current regions of Indonesia, sorted by code; lookups accept dotted
/// (`"31.71"`) or undotted (`"3171"`) codes and allocate nothing.
#[derive(Debug, Clone)]
pub struct Regions {
    provinces: Vec<Region>,
    regencies: Vec<Region>,
    districts: Vec<Region>,
    province_bits: u128,
    regency_bits: Vec<u64>,
}

impl Regions {
    /// The regions shipped with the project, parsed once.
    pub fn embedded() -> &'static Regions {
        &EMBEDDED
    }

    /// Parses `code,name,level` lines (with a header line), checking that
    /// each code fits its level and that its parent region is listed.
    pub fn parse(csv: &str) -> Result<Regions, RegionsError> {
        let mut regions = Regions {
            provinces: Vec::new(),
            regencies: Vec::new(),
            districts: Vec::new(),
            province_bits: 0,
            regency_bits: vec![0; 10_000 / 64 + 1],
        };
        for (index, line) in csv.lines().enumerate().skip(1) {
            let fail = |problem| RegionsError {
                line: index + 1,
                problem,
            };
            let line = line.trim_end_matches('\r');
            if line.is_empty() {
                continue;
            }
            let mut fields = line.split(',');
            let (Some(code), Some(name), Some(level), None) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                return Err(fail("expected three fields: code,name,level"));
            };
            let (level, digits) = match level {
                "province" => (Level::Province, 2),
                "regency" => (Level::Regency, 4),
                "district" => (Level::District, 6),
                _ => return Err(fail("level is not province, regency or district")),
            };
            let value = code_value(code, digits).ok_or(fail("code does not fit its level"))?;
            let region = Region {
                code: code.replace('.', ""),
                value,
                name: name.to_owned(),
            };
            let parent_known = match level {
                Level::Province => true,
                Level::Regency => regions.province_bits & (1 << (value / 100)) != 0,
                Level::District => regions.regency_value(value / 100),
            };
            if !parent_known {
                return Err(fail("parent region is not listed before it"));
            }
            match level {
                Level::Province => {
                    regions.province_bits |= 1 << value;
                    regions.provinces.push(region);
                }
                Level::Regency => {
                    regions.regency_bits[value as usize / 64] |= 1 << (value % 64);
                    regions.regencies.push(region);
                }
                Level::District => regions.districts.push(region),
            }
        }
        for list in [
            &mut regions.provinces,
            &mut regions.regencies,
            &mut regions.districts,
        ] {
            list.sort_by_key(|r| r.value);
            list.dedup_by_key(|r| r.value);
        }
        Ok(regions)
    }

    /// Whether `code` is a current province (`"31"`).
    pub fn is_province(&self, code: &str) -> bool {
        code_value(code, 2).is_some_and(|v| self.province_value(v))
    }

    /// Whether `code` is a current province or one of [`FORMER_PROVINCES`].
    pub fn is_known_province(&self, code: &str) -> bool {
        code_value(code, 2).is_some_and(|v| self.known_province_value(v))
    }

    /// Whether `code` is a current regency or city (`"3171"` or `"31.71"`).
    pub fn is_regency(&self, code: &str) -> bool {
        code_value(code, 4).is_some_and(|v| self.regency_value(v))
    }

    /// Whether `code` is a current district (`"317101"` or `"31.71.01"`).
    pub fn is_district(&self, code: &str) -> bool {
        code_value(code, 6).is_some_and(|v| self.district_value(v))
    }

    /// The province of a current regency.
    pub fn province_of_regency(&self, code: &str) -> Option<&Region> {
        let value = code_value(code, 4).filter(|v| self.regency_value(*v))?;
        self.find(&self.provinces, value / 100)
    }

    /// The current provinces, by code.
    pub fn provinces(&self) -> &[Region] {
        &self.provinces
    }

    /// The current regencies and cities, by code.
    pub fn regencies(&self) -> &[Region] {
        &self.regencies
    }

    /// The current districts, by code.
    pub fn districts(&self) -> &[Region] {
        &self.districts
    }

    /// The regencies and cities of a province (empty if it is unknown).
    pub fn regencies_in(&self, province: &str) -> &[Region] {
        code_value(province, 2).map_or(&[], |v| children(&self.regencies, v, 100))
    }

    /// The districts of a regency (empty if it is unknown).
    pub fn districts_in(&self, regency: &str) -> &[Region] {
        code_value(regency, 4).map_or(&[], |v| children(&self.districts, v, 100))
    }

    pub(crate) fn province_value(&self, value: u32) -> bool {
        value < 100 && self.province_bits & (1 << value) != 0
    }

    pub(crate) fn known_province_value(&self, value: u32) -> bool {
        self.province_value(value)
            || FORMER_PROVINCES
                .iter()
                .any(|(code, _)| code_value(code, 2) == Some(value))
    }

    pub(crate) fn regency_value(&self, value: u32) -> bool {
        value < 10_000 && self.regency_bits[value as usize / 64] & (1 << (value % 64)) != 0
    }

    pub(crate) fn district_value(&self, value: u32) -> bool {
        self.districts
            .binary_search_by_key(&value, |r| r.value)
            .is_ok()
    }

    fn find<'a>(&self, list: &'a [Region], value: u32) -> Option<&'a Region> {
        list.binary_search_by_key(&value, |r| r.value)
            .ok()
            .map(|i| &list[i])
    }
}

/// The regions of `list` whose code divided by `scale` is `parent`.
fn children(list: &[Region], parent: u32, scale: u32) -> &[Region] {
    let start = list.partition_point(|r| r.value / scale < parent);
    let end = list.partition_point(|r| r.value / scale <= parent);
    &list[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_counts_and_lookups() {
        let regions = Regions::embedded();
        assert_eq!(regions.provinces().len(), 38);
        assert_eq!(regions.regencies().len(), 514);
        assert_eq!(regions.districts().len(), 7285);
        assert!(regions.is_province("31") && !regions.is_province("54"));
        assert!(regions.is_known_province("54") && !regions.is_known_province("99"));
        assert!(regions.is_regency("3171") && regions.is_regency("31.71"));
        assert!(!regions.is_regency("3199") && !regions.is_regency("31.7.1"));
        assert!(regions.is_district("317101") && regions.is_district("31.71.01"));
        assert_eq!(
            regions.province_of_regency("93.01").map(Region::code),
            Some("93")
        );
        assert!(
            regions
                .regencies_in("31")
                .iter()
                .all(|r| r.code().starts_with("31"))
        );
        assert_eq!(regions.districts_in("1101").len(), 18);
    }

    #[test]
    fn rejects_bad_lines() {
        assert!(Regions::parse("code,name,level\n31,Jakarta,city\n").is_err());
        assert!(Regions::parse("code,name,level\n31.71,Jaksel,regency\n").is_err());
        assert!(Regions::parse("code,name,level\n3,X,province\n").is_err());
    }
}
