//! Reading messages leniently: what is undecodable, missing or invalid.

use serde_json::json;
use shared::domain::{RegistrationRecord, Sex, Undecodable};

use crate::{Edit, base, set, with};

fn read(message: &serde_json::Value) -> Result<RegistrationRecord, Undecodable> {
    RegistrationRecord::from_json(message.to_string().as_bytes())
}

#[test]
fn undecodable_only_without_json_object_id_or_wave() {
    assert!(matches!(
        RegistrationRecord::from_json(b"{\"wave_id\": 1"),
        Err(Undecodable::NotJson(_))
    ));
    assert!(matches!(
        RegistrationRecord::from_json(b"\xff\xfe"),
        Err(Undecodable::NotJson(_))
    ));
    assert_eq!(
        RegistrationRecord::from_json(b"[1, 2]"),
        Err(Undecodable::NotAnObject)
    );
    assert_eq!(
        RegistrationRecord::from_json(b"null"),
        Err(Undecodable::NotAnObject)
    );
    let id_cases = [
        Edit::Remove("registration_id"),
        set("registration_id", "not-a-uuid"),
        set("registration_id", 7),
    ];
    for edit in id_cases {
        assert_eq!(read(&with(vec![edit])), Err(Undecodable::RegistrationId));
    }
    let wave_cases = [
        json!(null),
        json!(-1),
        json!(4_294_967_296u64),
        json!("12"),
        json!(12.5),
    ];
    for wave in wave_cases {
        assert_eq!(
            read(&with(vec![set("wave_id", wave.clone())])),
            Err(Undecodable::WaveId),
            "{wave}"
        );
    }
    assert_eq!(
        read(&with(vec![Edit::Remove("wave_id")])),
        Err(Undecodable::WaveId)
    );
    assert!(Undecodable::WaveId.to_string().contains("wave_id"));
}

#[test]
fn reads_every_field_of_the_contract_example() {
    let record = read(&base()).unwrap();
    assert_eq!(record.wave_id, 12);
    assert_eq!(record.sex, Some(Sex::F));
    assert_eq!(record.payout.account.as_deref(), Some("081234567890"));
    assert_eq!(
        record.submitted_at.unwrap().to_rfc3339(),
        "2026-11-20T08:15:00+07:00"
    );
    assert!(record.missing.is_empty() && record.invalid.is_empty());
}

#[test]
fn lists_missing_and_invalid_paths() {
    let message = with(vec![
        Edit::Remove("phone"),
        set("email", json!(null)),
        set("kk", "   "),
        set("payout.account", ""),
        set("sex", "X"),
        set("birth_date", "07/08/1990"),
        set("nik", json!(["3171014708900001"])),
        set("payout.provider", "ovo"),
        set("unexpected", "ignored"),
    ]);
    let record = read(&message).unwrap();
    assert_eq!(
        record.missing,
        vec!["kk", "email", "phone", "payout.account"]
    );
    assert_eq!(
        record.invalid,
        vec!["nik", "birth_date", "sex", "payout.provider"]
    );
    let not_object = read(&with(vec![set("payout", "OVO 0812")])).unwrap();
    assert_eq!(not_object.invalid, vec!["payout"]);
    let escaped = r#"{"registration_id":"8f0c1d9e-3b9a-4f57-9d55-0d3a8f1e2b11","wave_id":1,"full_name":"Siti \"Ami\" Aminah"}"#;
    let record = RegistrationRecord::from_json(escaped.as_bytes()).unwrap();
    assert_eq!(record.full_name.as_deref(), Some("Siti \"Ami\" Aminah"));
    assert!(record.missing.contains(&"nik"));
}
