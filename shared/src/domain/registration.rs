//! A registration as received (CONTRACTS.md, "Registration"): only the id
//! and the wave are required to store it at all; every other field is kept
//! as found, and what is missing or invalid is listed for the rules.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;
use uuid::Uuid;

use super::education::Education;
use super::occupation::Occupation;
use super::payout::{PayoutMethod, Provider};
use super::raw_registration::{Loose, RawPayout, RawRegistration};
use super::sex::Sex;
use super::storable;

/// A message that cannot even be stored as a rejected registration; it goes
/// to the dead-letter queue with its `Display` text as the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Undecodable {
    /// Not UTF-8 JSON.
    #[error("not UTF-8 JSON: {0}")]
    NotJson(String),
    /// JSON, but not an object.
    #[error("the message is not a JSON object")]
    NotAnObject,
    /// `registration_id` absent, or not a UUID string.
    #[error("registration_id is absent or not a UUID string")]
    RegistrationId,
    /// `wave_id` absent, or not an integer in 0..=4294967295.
    #[error("wave_id is absent or not an integer in the u32 range")]
    WaveId,
}

/// The payout part as found. `Debug` masks the account (`registration_debug`).
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
pub struct PayoutFields {
    /// `payout.method`.
    pub method: Option<PayoutMethod>,
    /// `payout.provider`.
    pub provider: Option<Provider>,
    /// `payout.account`, as written.
    pub account: Option<String>,
}

/// A registration read leniently. A field is `None` when it is absent,
/// `null` or blank (listed in `missing`) or when it has the wrong JSON type,
/// a value outside its closed set, or one PostgreSQL cannot hold (listed in
/// `invalid`; see `storable`). Free-form fields
/// (NIK, KK, contacts, regions, account) are kept as written: their rules
/// decide what is wrong with them. `Debug` masks the personal numbers and
/// leaves out the raw message (`registration_debug`).
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct RegistrationRecord {
    /// Chosen by the sender; the same id twice is one registration.
    pub registration_id: Uuid,
    /// The wave registered for.
    pub wave_id: u32,
    /// When it was submitted (RFC 3339, offset kept).
    pub submitted_at: Option<DateTime<FixedOffset>>,
    /// NIK as written.
    pub nik: Option<String>,
    /// Family card number as written.
    pub kk: Option<String>,
    /// Full name.
    pub full_name: Option<String>,
    /// Date of birth (`YYYY-MM-DD`).
    pub birth_date: Option<NaiveDate>,
    /// `F` or `M`.
    pub sex: Option<Sex>,
    /// E-mail as written.
    pub email: Option<String>,
    /// Phone as written.
    pub phone: Option<String>,
    /// Domicile province code as written.
    pub domicile_province: Option<String>,
    /// Domicile regency code as written.
    pub domicile_regency: Option<String>,
    /// Enrolment in education.
    pub education: Option<Education>,
    /// Occupation.
    pub occupation: Option<Occupation>,
    /// Whether other social assistance is received.
    pub receives_social_assistance: Option<bool>,
    /// Payout destination.
    pub payout: PayoutFields,
    /// Paths of required fields absent, `null` or blank (`"payout.account"`).
    pub missing: Vec<&'static str>,
    /// Paths of fields of the wrong type or outside their allowed values.
    pub invalid: Vec<&'static str>,
    /// The message as received, to keep with a rejected registration.
    #[serde(skip)]
    pub raw_json: String,
}

impl RegistrationRecord {
    /// Reads a message. Fails only when it is not UTF-8 JSON, not an object,
    /// or lacks a UUID `registration_id` or a u32 `wave_id`.
    pub fn from_json(bytes: &[u8]) -> Result<RegistrationRecord, Undecodable> {
        let text = std::str::from_utf8(bytes).map_err(|e| Undecodable::NotJson(e.to_string()))?;
        let raw = RawRegistration::read(text)
            .map_err(|e| Undecodable::NotJson(e.to_string()))?
            .ok_or(Undecodable::NotAnObject)?;
        let registration_id = match &raw.registration_id {
            Some(Loose::Str(text)) => Uuid::parse_str(text).ok(),
            _ => None,
        }
        .ok_or(Undecodable::RegistrationId)?;
        let wave_id = match raw.wave_id {
            Some(Loose::Unsigned(n)) => u32::try_from(n).ok(),
            _ => None,
        }
        .ok_or(Undecodable::WaveId)?;
        let mut findings = Findings::default();
        let f = &mut findings;
        let record = RegistrationRecord {
            registration_id,
            wave_id,
            submitted_at: f.parse("submitted_at", raw.submitted_at, |t| {
                DateTime::parse_from_rfc3339(t)
                    .ok()
                    .filter(storable::instant)
            }),
            nik: f.text("nik", raw.nik),
            kk: f.text("kk", raw.kk),
            full_name: f.parse("full_name", raw.full_name, name),
            birth_date: f.parse("birth_date", raw.birth_date, date),
            sex: f.parse("sex", raw.sex, Sex::from_code),
            email: f.text("email", raw.email),
            phone: f.text("phone", raw.phone),
            domicile_province: f.text("domicile_province", raw.domicile_province),
            domicile_regency: f.text("domicile_regency", raw.domicile_regency),
            education: f.parse("education", raw.education, Education::from_code),
            occupation: f.parse("occupation", raw.occupation, Occupation::from_code),
            receives_social_assistance: f
                .boolean("receives_social_assistance", raw.receives_social_assistance),
            payout: f.payout(raw.payout),
            missing: Vec::new(),
            invalid: Vec::new(),
            raw_json: text.to_owned(),
        };
        Ok(RegistrationRecord {
            missing: findings.missing,
            invalid: findings.invalid,
            ..record
        })
    }
}

/// What is missing or invalid, gathered while reading.
#[derive(Default)]
struct Findings {
    missing: Vec<&'static str>,
    invalid: Vec<&'static str>,
}

impl Findings {
    /// A non-blank string, parsed by `parse` (`None` from it: invalid).
    fn parse<T>(
        &mut self,
        path: &'static str,
        value: Option<Loose<'_>>,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Option<T> {
        match value {
            None | Some(Loose::Null) => self.missing.push(path),
            Some(Loose::Str(text)) if text.chars().all(char::is_whitespace) => {
                self.missing.push(path)
            }
            // What PostgreSQL cannot hold is invalid before it gets there.
            Some(Loose::Str(text)) if !storable::text(&text) => self.invalid.push(path),
            Some(Loose::Str(text)) => match parse(&text) {
                Some(parsed) => return Some(parsed),
                None => self.invalid.push(path),
            },
            Some(_) => self.invalid.push(path),
        }
        None
    }

    /// A non-blank string, kept as written.
    fn text(&mut self, path: &'static str, value: Option<Loose<'_>>) -> Option<String> {
        self.parse(path, value, |text| Some(text.to_owned()))
    }

    /// A JSON boolean.
    fn boolean(&mut self, path: &'static str, value: Option<Loose<'_>>) -> Option<bool> {
        match value {
            Some(Loose::Bool(b)) => Some(b),
            other => self.parse(path, other, |_| None),
        }
    }

    /// The payout object; absent or `null` is one missing `payout`.
    fn payout(&mut self, value: Option<Loose<'_>>) -> PayoutFields {
        match value {
            Some(Loose::Payout(payout)) => {
                let RawPayout {
                    method,
                    provider,
                    account,
                } = *payout;
                PayoutFields {
                    method: self.parse("payout.method", method, PayoutMethod::from_code),
                    provider: self.parse("payout.provider", provider, Provider::from_code),
                    account: self.text("payout.account", account),
                }
            }
            other => {
                self.parse("payout", other, |_| None::<()>);
                PayoutFields::default()
            }
        }
    }
}

/// A name: at most 200 characters, no control characters.
fn name(text: &str) -> Option<String> {
    let ok = text.chars().count() <= 200 && !text.chars().any(char::is_control);
    ok.then(|| text.to_owned())
}

/// A calendar date written exactly `YYYY-MM-DD`.
fn date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        b[range].iter().try_fold(0u32, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(number(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?).filter(|d| storable::date(*d))
}
