//! Invalid registrations: which reason a record is built to trigger, and
//! the change to a valid registrant that triggers exactly that reason.

use chrono::{DateTime, Utc};
use rand::RngExt;
use rand::seq::IndexedRandom;

use super::accounts::digits;
use super::form_mistakes::{invalid_field, missing_field, wrong_account};
use super::identity_mistakes::{
    broken_kk, broken_nik, foreign_province, shift_birth_date, wrong_domicile,
};
use super::person::{Override, Person};
use super::rules::Rules;
use super::weighted::pick;
use crate::domain::{Education, Occupation, ReasonCode, ReasonSet, Regions, Sex};

use ReasonCode::*;

/// Reasons that combine with any other built reason without interfering.
const SECONDARY: &[ReasonCode] = &[
    EnrolledInEducation,
    ExcludedOccupation,
    SocialAssistance,
    Contact,
];

/// The reasons (one, sometimes two) an invalid record is built for.
/// `duplicates`: an earlier valid record exists to copy; `late`: the close
/// has passed, so a late record can exist.
pub fn choose<R: RngExt + ?Sized>(
    rng: &mut R,
    rules: &Rules,
    duplicates: bool,
    late: bool,
) -> ReasonSet {
    let assistance = if rules.excludes_social_assistance {
        9
    } else {
        0
    };
    let weights: Vec<(ReasonCode, u32)> = [
        (NikFormat, 10),
        (NikRegion, 4),
        (NikBirthDate, 8),
        (NikSex, 6),
        (KkFormat, 5),
        (DomicileRegion, 5),
        (Underage, if rules.min_age > 0 { 8 } else { 0 }),
        (Overage, if rules.max_age.is_some() { 5 } else { 0 }),
        (EnrolledInEducation, 10),
        (ExcludedOccupation, 8),
        (SocialAssistance, assistance),
        (DuplicateNik, if duplicates { 6 } else { 0 }),
        (WaveUnknown, 2),
        (WaveClosed, if late { 4 } else { 0 }),
        (Contact, 6),
        (PayoutAccount, 6),
        (FieldMissing, 6),
        (FieldInvalid, 5),
    ]
    .into_iter()
    .filter(|(_, weight)| *weight > 0)
    .collect();
    let primary = pick(rng, &weights);
    let mut reasons: ReasonSet = [primary].into_iter().collect();
    let alone = matches!(
        primary,
        FieldMissing | FieldInvalid | DuplicateNik | WaveUnknown
    );
    if !alone && rng.random_bool(0.12) {
        let second = *SECONDARY.choose(rng).expect("non-empty");
        if second != primary && (second != SocialAssistance || assistance > 0) {
            reasons.insert(second);
        }
    }
    reasons
}

/// Changes `person` (or the written message, through `overrides`) so that
/// it triggers `reason`. `combined` (two reasons built into one record)
/// keeps the change clear of the other reason: a bad contact is then a bad
/// e-mail, never a bad phone (which would hide an e-wallet mismatch). Age, time, wave and duplicate reasons are made by the
/// caller, which chooses the age, instant, wave and identity.
pub fn mutate<R: RngExt + ?Sized>(
    rng: &mut R,
    reason: ReasonCode,
    combined: bool,
    person: &mut Person,
    overrides: &mut Vec<Override>,
    at: DateTime<Utc>,
    rules: &Rules,
) {
    let regions = Regions::embedded();
    match reason {
        NikFormat => person.nik = broken_nik(rng, &person.nik),
        NikRegion => person.nik = format!("{}{}", foreign_province(rng, regions), &person.nik[2..]),
        NikBirthDate => shift_birth_date(rng, person, at, rules),
        NikSex => person.sex = if person.sex == Sex::F { Sex::M } else { Sex::F },
        KkFormat => person.kk = broken_kk(rng, &person.kk, regions),
        DomicileRegion => wrong_domicile(rng, person, regions),
        EnrolledInEducation => person.education = Education::Enrolled,
        ExcludedOccupation => {
            let excluded: Vec<Occupation> = Occupation::ALL
                .iter()
                .copied()
                .filter(|o| o.is_excluded())
                .collect();
            person.occupation = *excluded.choose(rng).expect("seven excluded occupations");
        }
        SocialAssistance => person.receives_social_assistance = true,
        Contact if combined || rng.random_bool(0.5) => {
            let email = &person.email;
            person.email = match rng.random_range(0..5) {
                0 => email.replace('@', ""),
                1 => email.replace('@', "@@"),
                2 => email.replace('@', " @"),
                3 => format!("{email}."),
                _ => email.split('.').next().unwrap_or(email).to_owned(),
            };
        }
        Contact => {
            person.phone = match rng.random_range(0..4) {
                0 => format!("021{}", digits(rng, 8)),
                1 => format!("08{}", digits(rng, 5)),
                2 => format!("+65 8{}", digits(rng, 7)),
                _ => format!("0812-34S6-{}", digits(rng, 4)),
            };
        }
        PayoutAccount => wrong_account(rng, person),
        FieldMissing => overrides.push(missing_field(rng)),
        FieldInvalid => overrides.push(invalid_field(rng, person)),
        Underage | Overage | AlreadyBeneficiary | DuplicateNik | WaveUnknown | WaveClosed => {}
    }
}
