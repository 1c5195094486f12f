//! Mistakes in identity and region fields (NIK, KK, birth date,
//! domicile), each built to trigger one reason and nothing else.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use rand::RngExt;
use rand::seq::IndexedRandom;

use super::person::Person;
use super::rules::Rules;
use crate::domain::{Nik, Regions, age_at};

/// A NIK of impossible structure (`NIK_FORMAT`).
pub fn broken_nik<R: RngExt + ?Sized>(rng: &mut R, nik: &str) -> String {
    let (region, rest) = nik.split_at(6);
    let (date, serial) = rest.split_at(6);
    let (day, month, yy) = (&date[..2], &date[2..4], &date[4..]);
    match rng.random_range(0..11) {
        0 => nik[..15].to_owned(),
        1 => format!("{nik}{}", rng.random_range(0..10)),
        2 => format!("{}O{}", &nik[..9], &nik[10..]),
        3 => format!("{region}{date}0000"),
        4 => format!("{region}00{month}{yy}{serial}"),
        5 => format!("{region}{}{month}{yy}{serial}", rng.random_range(32..=40)),
        6 => format!("{region}{}{month}{yy}{serial}", rng.random_range(72..=99)),
        7 => {
            let month = [0, 13, 14, 19, 20].choose(rng).copied().unwrap_or(13);
            format!("{region}{day}{month:02}{yy}{serial}")
        }
        8 => format!("{}00{}", &nik[..2], &nik[4..]),
        9 => format!("{}00{date}{serial}", &nik[..4]),
        _ => {
            let leap = yy.parse::<u32>().unwrap_or(0) % 4 == 0;
            let impossible = [(31, 4), (31, 6), (30, 2), (31, 11)];
            let (d, m) = if leap {
                impossible.choose(rng).copied().unwrap_or((31, 4))
            } else {
                (29, 2)
            };
            let d = if day.as_bytes()[0] >= b'4' { d + 40 } else { d };
            format!("{region}{d:02}{m:02}{yy}{serial}")
        }
    }
}

/// A two-digit code that is no province, current or former (`NIK_REGION`).
pub fn foreign_province<R: RngExt + ?Sized>(rng: &mut R, regions: &Regions) -> String {
    loop {
        let code = format!("{:02}", rng.random_range(10..100));
        if !regions.is_known_province(&code) {
            return code;
        }
    }
}

/// A birth date that disagrees with the NIK (day and month swapped, wrong
/// year, a few days off) but keeps the age eligible (`NIK_BIRTH_DATE`).
pub fn shift_birth_date<R: RngExt + ?Sized>(
    rng: &mut R,
    person: &mut Person,
    at: DateTime<Utc>,
    rules: &Rules,
) {
    let born = person.birth_date;
    let swapped = (born.day() <= 12 && born.day() != born.month())
        .then(|| NaiveDate::from_ymd_opt(born.year(), born.day(), born.month()))
        .flatten();
    let days = Days::new(rng.random_range(1..=20));
    let mut candidates = [
        swapped,
        born.checked_add_months(Months::new(12)),
        born.checked_sub_months(Months::new(12)),
        born.checked_add_days(days),
        born.checked_sub_days(days),
        born.checked_add_days(Days::new(1)),
        born.checked_sub_days(Days::new(1)),
    ];
    candidates[..5].shuffle_with(rng);
    let nik = Nik::parse(&person.nik).ok();
    let fits = |date: &NaiveDate| {
        rules.valid_ages().contains(&age_at(*date, &at))
            && nik.is_some_and(|nik| !nik.matches_birth_date(*date))
    };
    if let Some(date) = candidates.into_iter().flatten().find(fits) {
        person.birth_date = date;
    }
}

trait ShuffleWith {
    fn shuffle_with<R: RngExt + ?Sized>(&mut self, rng: &mut R);
}

impl<T> ShuffleWith for [T] {
    fn shuffle_with<R: RngExt + ?Sized>(&mut self, rng: &mut R) {
        for i in (1..self.len()).rev() {
            self.swap(i, rng.random_range(0..=i));
        }
    }
}

/// A family card number that is malformed (`KK_FORMAT`).
pub fn broken_kk<R: RngExt + ?Sized>(rng: &mut R, kk: &str, regions: &Regions) -> String {
    match rng.random_range(0..6) {
        0 => kk[..15].to_owned(),
        1 => format!("{kk}{}", rng.random_range(0..10)),
        2 => format!("{}-{}", &kk[..6], &kk[7..]),
        3 => format!("{}{}", foreign_province(rng, regions), &kk[2..]),
        4 => format!("{}00{}", &kk[..2], &kk[4..]),
        _ => format!("{}00{}", &kk[..4], &kk[6..]),
    }
}

/// A domicile that is not a current, nested pair of codes
/// (`DOMICILE_REGION`).
pub fn wrong_domicile<R: RngExt + ?Sized>(rng: &mut R, person: &mut Person, regions: &Regions) {
    match rng.random_range(0..4) {
        0 => loop {
            let regency = regions.regencies().choose(rng).map_or("3171", |r| r.code());
            if !regency.starts_with(person.domicile_province.as_str()) {
                person.domicile_regency = regency.to_owned();
                return;
            }
        },
        1 => person.domicile_province = foreign_province(rng, regions),
        2 => person.domicile_province = "54".to_owned(),
        _ => loop {
            let regency = format!(
                "{}{:02}",
                person.domicile_province,
                rng.random_range(1..100)
            );
            if !regions.is_regency(&regency) {
                person.domicile_regency = regency;
                return;
            }
        },
    }
}
