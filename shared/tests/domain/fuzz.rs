//! Property tests over every decoder and the assessment: for any input,
//! no panic, and every input is either judged or refused with a reason.
//! Registrations are also checked to reach the database only with what it
//! can hold (`domain::storable`).

use proptest::prelude::*;
use serde_json::{Map, Value};
use shared::domain::{Regions, RegistrationRecord, Scheme, assess, storable};
use shared::messages::{
    DisbursementRun, ParticipantSelected, PaymentInstruction, PaymentResult, TrainingEvent,
    WaveClosed,
};

use crate::{base, open_wave};

/// Strings that stress PostgreSQL and the readers: NUL, control and
/// non-ASCII characters, digits, long runs.
fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,20}",
        "[0-9]{0,20}",
        "[\\x00-\\x1f0-9a-z-]{0,24}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}",
        (1usize..4000).prop_map(|n| "7".repeat(n)),
    ]
}

/// Any JSON value, nested a little.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        hostile_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(hostile_string(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// The example registration with some members replaced or removed.
fn mutated_registration() -> impl Strategy<Value = Value> {
    let keys = base()
        .as_object()
        .expect("object")
        .keys()
        .cloned()
        .collect::<Vec<_>>();
    let edits = prop::collection::vec(
        (prop::sample::select(keys), prop::option::of(json_value())),
        0..6,
    );
    edits.prop_map(|edits| {
        let mut message = base();
        let object = message.as_object_mut().expect("object");
        for (key, value) in edits {
            match value {
                Some(value) => object.insert(key, value),
                None => object.remove(&key),
            };
        }
        message
    })
}

/// Reads a registration and, if it decodes, assesses it against an open
/// wave, an unknown one and a frozen one; checks what would be stored.
fn read_and_judge(bytes: &[u8]) -> Result<(), TestCaseError> {
    match RegistrationRecord::from_json(bytes) {
        Err(why) => prop_assert!(!why.to_string().is_empty()),
        Ok(record) => {
            let scheme = Scheme::builtin_2020();
            let mut frozen = open_wave(&scheme);
            frozen.draw_started = true;
            for wave in [Some(open_wave(&scheme)), None, Some(frozen)] {
                let verdict = assess(&record, wave.as_ref(), false, Regions::embedded());
                prop_assert_eq!(verdict.is_eligible(), verdict.tier.is_some());
            }
            for text in [
                &record.nik,
                &record.kk,
                &record.full_name,
                &record.email,
                &record.phone,
                &record.domicile_province,
                &record.domicile_regency,
                &record.payout.account,
            ]
            .into_iter()
            .flatten()
            {
                prop_assert!(storable::text(text), "{text:?} would reach the database");
            }
            prop_assert!(record.birth_date.is_none_or(storable::date));
            prop_assert!(record.submitted_at.as_ref().is_none_or(storable::instant));
            let raw = storable::json(&record.raw_json);
            let kept = serde_json::from_str::<Value>(&raw);
            prop_assert!(kept.as_ref().is_ok_and(no_nul), "jsonb would refuse {raw}");
        }
    }
    Ok(())
}

/// Whether no string or key holds a NUL (`jsonb` refuses `\u0000`).
fn no_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => !s.contains('\0'),
        Value::Array(items) => items.iter().all(no_nul),
        Value::Object(map) => map.iter().all(|(k, v)| !k.contains('\0') && no_nul(v)),
        _ => true,
    }
}

/// A serde decoder: no panic, and an error says something.
fn decodes_or_says_why<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Err(error) = serde_json::from_slice::<T>(bytes) {
        prop_assert!(!error.to_string().is_empty());
    }
    Ok(())
}

fn every_message_decoder(bytes: &[u8]) -> Result<(), TestCaseError> {
    decodes_or_says_why::<TrainingEvent>(bytes)?;
    decodes_or_says_why::<PaymentResult>(bytes)?;
    decodes_or_says_why::<PaymentInstruction>(bytes)?;
    decodes_or_says_why::<DisbursementRun>(bytes)?;
    decodes_or_says_why::<WaveClosed>(bytes)?;
    decodes_or_says_why::<ParticipantSelected>(bytes)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_are_judged_or_refused(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        read_and_judge(&bytes)?;
        every_message_decoder(&bytes)?;
    }

    #[test]
    fn any_json_is_judged_or_refused(value in json_value()) {
        let bytes = serde_json::to_vec(&value).expect("json");
        read_and_judge(&bytes)?;
        every_message_decoder(&bytes)?;
    }

    #[test]
    fn mutated_registrations_are_judged_and_storable(message in mutated_registration()) {
        read_and_judge(message.to_string().as_bytes())?;
    }

    #[test]
    fn mutated_messages_decode_or_say_why(
        edits in prop::collection::vec((hostile_string(), json_value()), 0..4),
        kind in 0usize..3,
    ) {
        let at = "2026-11-30T10:00:00+07:00";
        let mut message = match kind {
            0 => serde_json::json!({"event_id": "e", "nik": "3171014708900001", "kind": "purchased",
                                    "platform": "p", "occurred_at": at}),
            1 => serde_json::json!({"instruction_id": "8f0c1d9e-3b9a-4f57-9d55-0d3a8f1e2b11",
                                    "idempotency_key": "k", "status": "SUCCESS", "processed_at": at}),
            _ => serde_json::json!({"run_date": "2026-11-30", "wave_id": 1, "closed_at": at}),
        };
        for (key, value) in edits {
            message[key] = value;
        }
        every_message_decoder(message.to_string().as_bytes())?;
    }
}
