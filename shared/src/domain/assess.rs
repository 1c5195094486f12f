//! The eligibility rules (DOMAIN.md), applied to one registration: every
//! reason that applies is reported. Pure and allocation-light; the
//! `DUPLICATE_NIK` rule needs the wave's other registrations and is applied
//! by the store, and `ALREADY_BENEFICIARY` is decided by the caller.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::age::age_at;
use super::contact::{Email, Phone};
use super::kk::Kk;
use super::nik::Nik;
use super::payout::Payout;
use super::reason::{ReasonCode, ReasonSet, Warning};
use super::region::code_value;
use super::regions::Regions;
use super::registration::RegistrationRecord;
use super::scheme::Scheme;

/// What the rules need to know about the wave a registration names, and
/// about when the registration was received.
#[derive(Debug, Clone, PartialEq)]
pub struct WaveView {
    /// The wave's scheme.
    pub scheme: Scheme,
    /// When the wave opened: a `submitted_at` before it is `FIELD_INVALID`.
    pub opened_at: DateTime<Utc>,
    /// Registrations submitted at or after this instant are `WAVE_CLOSED`.
    pub closes_at: DateTime<Utc>,
    /// Once the draw's inputs are frozen, every new registration is
    /// `WAVE_CLOSED`, whatever time it claims.
    pub draw_started: bool,
    /// The moment the registration was received plus the clock allowance:
    /// a `submitted_at` after it is `FIELD_INVALID`.
    pub submitted_by: DateTime<Utc>,
}

impl WaveView {
    /// Whether a claimed submission time is believable: not before the
    /// wave opened, not after its receipt (beyond the clock allowance).
    pub fn submitted_in_bounds(&self, at: DateTime<Utc>) -> bool {
        self.opened_at <= at && at <= self.submitted_by
    }
}

/// The verdict on one registration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Assessment {
    /// Every reason that applies, in canonical order; empty when eligible.
    pub reasons: ReasonSet,
    /// Notes stored with the registration that do not reject it.
    pub warnings: Vec<Warning>,
    /// The priority tier (1 or 2) of an eligible registration; `None` when
    /// rejected.
    pub tier: Option<u8>,
}

impl Assessment {
    /// Whether no reason applies.
    pub fn is_eligible(&self) -> bool {
        self.reasons.is_empty()
    }
}

/// Applies every rule except `DUPLICATE_NIK`. `wave` is `None` when the wave
/// is unknown (`WAVE_UNKNOWN`; the scheme's age and social-assistance rules
/// are then skipped). A rule whose input field is missing or invalid is
/// skipped: `FIELD_MISSING` / `FIELD_INVALID` already covers it.
pub fn assess(
    record: &RegistrationRecord,
    wave: Option<&WaveView>,
    already_beneficiary: bool,
    regions: &Regions,
) -> Assessment {
    let mut reasons = ReasonSet::EMPTY;
    let mut warnings = Vec::new();
    let mut flag = |condition: bool, reason: ReasonCode| {
        if condition {
            reasons.insert(reason);
        }
    };
    flag(!record.missing.is_empty(), ReasonCode::FieldMissing);
    flag(!record.invalid.is_empty(), ReasonCode::FieldInvalid);
    flag(already_beneficiary, ReasonCode::AlreadyBeneficiary);

    if let Some(text) = &record.nik {
        let nik = Nik::parse(text).and_then(|nik| match record.birth_date {
            Some(birth_date) => nik.check_century(birth_date).map(|()| nik),
            None => Ok(nik),
        });
        match nik {
            // A NIK of impossible structure is not read any further: its
            // region, date and sex digits would be noise.
            Err(_) => flag(true, ReasonCode::NikFormat),
            Ok(nik) => {
                let province_known = regions.known_province_value(nik.province_value());
                flag(!province_known, ReasonCode::NikRegion);
                if province_known {
                    warnings.extend(unknown_region(
                        regions,
                        nik.regency_value(),
                        nik.district_value(),
                        [Warning::NikRegencyUnknown, Warning::NikDistrictUnknown],
                    ));
                }
                if let Some(birth_date) = record.birth_date {
                    flag(
                        !nik.matches_birth_date(birth_date),
                        ReasonCode::NikBirthDate,
                    );
                }
                if let Some(sex) = record.sex {
                    flag(nik.sex() != sex, ReasonCode::NikSex);
                }
            }
        }
    }

    if let Some(text) = &record.kk {
        match Kk::parse(text, regions) {
            Err(_) => flag(true, ReasonCode::KkFormat),
            Ok(kk) => warnings.extend(unknown_region(
                regions,
                kk.regency_value(),
                kk.district_value(),
                [Warning::KkRegencyUnknown, Warning::KkDistrictUnknown],
            )),
        }
    }

    flag(!domicile_ok(record, regions), ReasonCode::DomicileRegion);
    flag(
        record.education.is_some_and(|e| e.is_enrolled()),
        ReasonCode::EnrolledInEducation,
    );
    flag(
        record.occupation.is_some_and(|o| o.is_excluded()),
        ReasonCode::ExcludedOccupation,
    );

    match wave {
        None => flag(true, ReasonCode::WaveUnknown),
        Some(wave) => {
            let claimed = record.submitted_at.map(|at| at.with_timezone(&Utc));
            flag(
                claimed.is_some_and(|at| !wave.submitted_in_bounds(at)),
                ReasonCode::FieldInvalid,
            );
            let late = claimed.is_some_and(|at| at >= wave.closes_at);
            flag(late || wave.draw_started, ReasonCode::WaveClosed);
            if let (Some(birth_date), Some(at)) = (record.birth_date, record.submitted_at) {
                let age = age_at(birth_date, &at);
                flag(age < wave.scheme.min_age, ReasonCode::Underage);
                flag(
                    wave.scheme.max_age.is_some_and(|max| age > max),
                    ReasonCode::Overage,
                );
            }
            flag(
                wave.scheme.excludes_social_assistance
                    && record.receives_social_assistance == Some(true),
                ReasonCode::SocialAssistance,
            );
        }
    }

    let email_bad = record
        .email
        .as_deref()
        .is_some_and(|e| Email::parse(e).is_err());
    let phone = record.phone.as_deref().map(Phone::parse);
    flag(
        email_bad || phone.is_some_and(|p| p.is_err()),
        ReasonCode::Contact,
    );
    if let (Some(provider), Some(account)) = (record.payout.provider, &record.payout.account) {
        let phone = phone.and_then(Result::ok);
        let payout = Payout::parse(record.payout.method, provider, account, phone.as_ref());
        flag(payout.is_err(), ReasonCode::PayoutAccount);
    }

    let tier = match (wave, record.occupation) {
        (Some(wave), Some(occupation)) if reasons.is_empty() => Some(wave.scheme.tier(occupation)),
        _ => None,
    };
    Assessment {
        reasons,
        warnings,
        tier,
    }
}

/// The warning for a region part inside a known province: its regency is
/// not current, or else its district is not.
fn unknown_region(
    regions: &Regions,
    regency: u32,
    district: u32,
    [regency_unknown, district_unknown]: [Warning; 2],
) -> Option<Warning> {
    if !regions.regency_value(regency) {
        Some(regency_unknown)
    } else if !regions.district_value(district) {
        Some(district_unknown)
    } else {
        None
    }
}

/// The domicile codes are current (former provinces never qualify) and the
/// regency lies in the province. Missing codes are not judged here.
fn domicile_ok(record: &RegistrationRecord, regions: &Regions) -> bool {
    let province = record
        .domicile_province
        .as_deref()
        .map(|p| code_value(p, 2));
    let regency = record.domicile_regency.as_deref().map(|r| code_value(r, 4));
    let province_ok = match province {
        None => true,
        Some(value) => value.is_some_and(|v| regions.province_value(v)),
    };
    let regency_ok = match regency {
        None => true,
        Some(value) => value.is_some_and(|v| regions.regency_value(v)),
    };
    let nested = match (province, regency) {
        (Some(Some(p)), Some(Some(r))) => r / 100 == p,
        _ => true,
    };
    province_ok && regency_ok && nested
}
