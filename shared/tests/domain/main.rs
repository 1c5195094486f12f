//! Tests of the domain rules and the synthetic generator, through the
//! public API only. This file holds the shared helpers: a valid
//! registration to start from, edits to it, and assessment shorthands.

mod fuzz;
mod generator;
mod identity;
mod reading;
mod rules;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use shared::domain::{
    Assessment, ReasonCode, ReasonSet, Regions, RegistrationRecord, Scheme, WaveView, assess,
};

/// The close of the wave used by the tests.
pub const CLOSES_AT: &str = "2026-12-01T00:00:00Z";
pub const OPENED_AT: &str = "2026-01-01T00:00:00Z";

/// CONTRACTS.md's example registration: valid under the 2020 scheme
/// (a woman born 1990-08-07, so her NIK's day is 47).
pub fn base() -> Value {
    json!({
        "registration_id": "8f0c1d9e-3b9a-4f57-9d55-0d3a8f1e2b11",
        "wave_id": 12,
        "submitted_at": "2026-11-20T08:15:00+07:00",
        "nik": "3171014708900001",
        "kk": "3171010101090001",
        "full_name": "Siti Aminah",
        "birth_date": "1990-08-07",
        "sex": "F",
        "email": "siti.aminah@example.id",
        "phone": "+6281234567890",
        "domicile_province": "31",
        "domicile_regency": "3171",
        "education": "not_enrolled",
        "occupation": "laid_off",
        "receives_social_assistance": false,
        "payout": {"method": "ewallet", "provider": "OVO", "account": "081234567890"}
    })
}

/// An edit: set a field (dotted path for payout members) or remove it.
pub enum Edit {
    Set(&'static str, Value),
    Remove(&'static str),
}

/// Shorthand for [`Edit::Set`].
pub fn set(path: &'static str, value: impl Into<Value>) -> Edit {
    Edit::Set(path, value.into())
}

/// The base registration with `edits` applied.
pub fn with(edits: Vec<Edit>) -> Value {
    let mut message = base();
    for edit in edits {
        let (path, value) = match edit {
            Edit::Set(path, value) => (path, Some(value)),
            Edit::Remove(path) => (path, None),
        };
        let (object, key) = match path.split_once('.') {
            Some((parent, key)) => (message[parent].as_object_mut().unwrap(), key),
            None => (message.as_object_mut().unwrap(), path),
        };
        match value {
            Some(value) => object.insert(key.to_owned(), value),
            None => object.remove(key),
        };
    }
    message
}

/// Reads and assesses a message against an open wave of `scheme`.
pub fn assess_with(message: &Value, scheme: &Scheme) -> Assessment {
    let record = RegistrationRecord::from_json(message.to_string().as_bytes()).unwrap();
    assess(
        &record,
        Some(&open_wave(scheme)),
        false,
        Regions::embedded(),
    )
}

/// The reasons under the 2020 scheme.
pub fn reasons(message: &Value) -> ReasonSet {
    assess_with(message, &Scheme::builtin_2020()).reasons
}

/// A reason set from a list.
pub fn set_of(reasons: &[ReasonCode]) -> ReasonSet {
    reasons.iter().copied().collect()
}

/// The tests' wave close.
pub fn closes_at() -> DateTime<Utc> {
    CLOSES_AT.parse().unwrap()
}

/// The tests' wave opening.
pub fn opened_at() -> DateTime<Utc> {
    OPENED_AT.parse().unwrap()
}

/// An open wave of `scheme` (opened at `OPENED_AT`, closing at
/// `CLOSES_AT`), judging registrations received up to a day after its close.
pub fn open_wave(scheme: &Scheme) -> WaveView {
    WaveView {
        scheme: scheme.clone(),
        opened_at: opened_at(),
        closes_at: closes_at(),
        draw_started: false,
        submitted_by: closes_at() + chrono::Duration::days(1),
    }
}
