//! Synthetic registrants: where they live, their families (shared KK),
//! identity numbers built from real region codes, names, ages and accounts.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use rand::RngExt;
use rand::seq::IndexedRandom;

use super::accounts::{digits, mobile_digits, payout, written_phone};
use super::census::PROVINCE_POPULATION_2020;
use super::names::{email, family_name, full_name};
use super::person::Person;
use super::renumbering::former_code;
use super::weighted::pick;
use crate::domain::{Education, Occupation, Region, Regions, Sex, jakarta_date};

/// Occupations of eligible registrants; about a quarter lost their job or
/// were furloughed.
const OCCUPATIONS: &[(Occupation, u32)] = &[
    (Occupation::Unemployed, 28),
    (Occupation::LaidOff, 16),
    (Occupation::Furloughed, 9),
    (Occupation::InformalWorker, 18),
    (Occupation::MicroEntrepreneur, 12),
    (Occupation::Employee, 17),
];

/// Relative weight of each age: registrants were mostly young adults.
fn age_weight(age: u32) -> u32 {
    match age {
        0..=17 => 20,
        18..=24 => 60,
        25..=29 => 50,
        30..=34 => 36,
        35..=39 => 24,
        40..=44 => 16,
        45..=49 => 11,
        50..=54 => 7,
        55..=59 => 4,
        _ => 2,
    }
}

/// A household sharing one family card.
#[derive(Debug, Clone)]
struct Family {
    kk: String,
    province: &'static str,
    regency: &'static str,
    family_name: Option<&'static str>,
    members: u8,
}

/// The synthetic population registrants are drawn from.
pub struct Population {
    regions: &'static Regions,
    provinces: Vec<(&'static str, u32)>,
    families: Vec<Family>,
    issued: Vec<u64>,
}

impl Population {
    /// A population for about `count` registrations.
    pub fn new(count: u64) -> Population {
        let bits = (count.max(4_096) * 16).next_power_of_two().min(1 << 30);
        Population {
            regions: Regions::embedded(),
            provinces: PROVINCE_POPULATION_2020.to_vec(),
            families: Vec::with_capacity(64),
            issued: vec![0; (bits / 64) as usize],
        }
    }

    /// A random age in `[low, high]`, weighted young.
    pub fn age<R: RngExt + ?Sized>(rng: &mut R, low: u32, high: u32) -> u32 {
        let total: u32 = (low..=high).map(age_weight).sum();
        let mut ticket = rng.random_range(0..total.max(1));
        for age in low..=high {
            if ticket < age_weight(age) {
                return age;
            }
            ticket -= age_weight(age);
        }
        high
    }

    /// A birth date that makes someone exactly `age` at `at` (Jakarta date).
    pub fn birth_date<R: RngExt + ?Sized>(rng: &mut R, at: DateTime<Utc>, age: u32) -> NaiveDate {
        let today = jakarta_date(&at);
        let anniversary = today
            .checked_sub_months(Months::new(12 * age))
            .unwrap_or(today);
        anniversary - Days::new(rng.random_range(0..364))
    }

    /// A new eligible registrant aged `age` at `at`; joins an existing family
    /// about a quarter of the time.
    pub fn person<R: RngExt + ?Sized>(
        &mut self,
        rng: &mut R,
        at: DateTime<Utc>,
        age: u32,
    ) -> Person {
        let family = self.family(rng);
        let sex = if rng.random_bool(0.5) { Sex::F } else { Sex::M };
        let birth_date = Self::birth_date(rng, at, age);
        let nik_regency = if rng.random_bool(0.85) {
            family.regency
        } else {
            self.any_regency(rng)
        };
        let nik = self.nik(rng, nik_regency, birth_date, sex);
        let full_name = full_name(rng, sex, family.province, family.family_name);
        let national = mobile_digits(rng);
        let (payout_method, provider, account) = payout(rng, &national);
        Person {
            nik,
            kk: family.kk,
            email: email(rng, &full_name, birth_date.year()),
            full_name,
            birth_date,
            sex,
            phone: written_phone(rng, &national),
            domicile_province: family.province.to_owned(),
            domicile_regency: family.regency.to_owned(),
            education: Education::NotEnrolled,
            occupation: pick(rng, OCCUPATIONS),
            receives_social_assistance: false,
            payout_method,
            provider,
            account,
        }
    }

    /// A province weighted by population.
    pub fn any_province<R: RngExt + ?Sized>(&self, rng: &mut R) -> &'static str {
        pick(rng, &self.provinces)
    }

    /// A regency of a province weighted by population.
    pub fn any_regency<R: RngExt + ?Sized>(&self, rng: &mut R) -> &'static str {
        let province = self.any_province(rng);
        self.regency_in(rng, province)
    }

    fn regency_in<R: RngExt + ?Sized>(&self, rng: &mut R, province: &str) -> &'static str {
        let regions = self.regions;
        let regencies = regions.regencies_in(province);
        regencies.choose(rng).map_or("3171", Region::code)
    }

    /// A family to join (existing, about 23% of the time) or a new one.
    fn family<R: RngExt + ?Sized>(&mut self, rng: &mut R) -> Family {
        if !self.families.is_empty() && rng.random_bool(0.23) {
            let index = rng.random_range(0..self.families.len());
            if self.families[index].members < 6 {
                self.families[index].members += 1;
                return self.families[index].clone();
            }
        }
        let province = self.any_province(rng);
        let regency = self.regency_in(rng, province);
        let district = self.district_in(rng, regency, 0.3);
        let kk = self.unique(rng, |rng| {
            let issued = NaiveDate::from_ymd_opt(rng.random_range(2005..=2025), 1, 1)
                .and_then(|d| d.checked_add_days(Days::new(rng.random_range(0..365))))
                .unwrap_or_default();
            let date = format!(
                "{:02}{:02}{:02}",
                issued.day(),
                issued.month(),
                issued.year() % 100
            );
            format!("{district}{date}{}", digits(rng, 4))
        });
        let family = Family {
            kk,
            province,
            regency,
            family_name: family_name(rng, province),
            members: 1,
        };
        if self.families.len() < 64 {
            self.families.push(family.clone());
        } else {
            let slot = rng.random_range(0..self.families.len());
            self.families[slot] = family.clone();
        }
        family
    }

    /// A district code of `regency`; a renumbered Papua regency keeps its
    /// pre-2022 code with probability `legacy` (a NIK or KK never changes).
    fn district_in<R: RngExt + ?Sized>(&self, rng: &mut R, regency: &str, legacy: f64) -> String {
        let district = self
            .regions
            .districts_in(regency)
            .choose(rng)
            .map_or("317101", Region::code);
        match former_code(regency) {
            Some(former) if rng.random_bool(legacy) => format!("{former}{}", &district[4..]),
            _ => district.to_owned(),
        }
    }

    /// A NIK issued in `regency`, unique among those generated.
    fn nik<R: RngExt + ?Sized>(
        &mut self,
        rng: &mut R,
        regency: &str,
        birth: NaiveDate,
        sex: Sex,
    ) -> String {
        let district = self.district_in(rng, regency, 0.6);
        let day = birth.day() + u32::from(sex.nik_day_offset());
        let date = format!("{day:02}{:02}{:02}", birth.month(), birth.year() % 100);
        self.unique(rng, |rng| {
            let most = if rng.random_bool(0.9) { 999 } else { 9999 };
            format!("{district}{date}{:04}", rng.random_range(1..=most))
        })
    }

    /// A number from `make` not generated before (re-drawn a few times when
    /// a probabilistic filter says it may have been).
    fn unique<R: RngExt + ?Sized>(
        &mut self,
        rng: &mut R,
        mut make: impl FnMut(&mut R) -> String,
    ) -> String {
        let mut number = make(rng);
        for _ in 0..32 {
            let hash = splitmix(number.parse::<u64>().unwrap_or(0));
            let bit = hash % (self.issued.len() as u64 * 64);
            let (word, mask) = ((bit / 64) as usize, 1u64 << (bit % 64));
            if self.issued[word] & mask == 0 {
                self.issued[word] |= mask;
                break;
            }
            number = make(rng);
        }
        number
    }
}

/// A 64-bit mixing function (SplitMix64's finaliser).
fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}
