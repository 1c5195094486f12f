//! Messages built to leak personal numbers (valid, invalid, undecodable,
//! oversized, and ones whose decoding error quotes the input): the workers'
//! logs (at debug) and every dead-letter header show none in full.

use std::time::Duration;

use chrono::Duration as Days;
use serde_json::json;
use shared::amqp::{Queue, dead_reason};

use crate::data;
use crate::fault_support::{logs, spawn};
use crate::helpers::{TestEnv, WorkerKind, eventually_async};

const NIK: &str = "3171014708900001";
const KK: &str = "3171010101010002";
const PHONE: &str = "6281234567890";
const ACCOUNT: &str = "9876543210123";

#[tokio::test]
async fn no_log_line_or_dead_letter_header_holds_a_full_personal_number() {
    let env = TestEnv::new().await;
    let wave = data::open_briefly(&env, "w", "national:10", Days::seconds(2)).await;
    let good = data::generate(&wave, 2, 31, 0.0);
    let mut valid = good[0].json.clone();
    valid["nik"] = json!(NIK);
    valid["kk"] = json!(KK);
    valid["phone"] = json!(format!("+{PHONE}"));
    valid["payout"] = json!({"method": "BANK", "provider": "BCA", "account": ACCOUNT});
    let mut invalid = good[1].json.clone();
    invalid["nik"] = json!(format!("{NIK}\u{0}"));
    invalid["phone"] = json!(PHONE.parse::<u64>().expect("digits"));
    invalid["payout"] = json!({"method": "BANK", "provider": "NOPE", "account": ACCOUNT});
    let mut oversized = valid.clone();
    oversized["registration_id"] = json!(uuid::Uuid::new_v4());
    oversized["padding"] = json!("x".repeat(40_000));
    let registrations = vec![
        serde_json::to_vec(&valid).expect("json"),
        serde_json::to_vec(&invalid).expect("json"),
        format!(r#"{{"registration_id": "{NIK}", "wave_id": 1, "phone": "{PHONE}"}}"#).into_bytes(),
        format!(r#"{{"nik": "{NIK}", "kk": {KK} "#).into_bytes(),
        serde_json::to_vec(&oversized).expect("json"),
    ];
    let at = "2026-11-30T10:00:00+07:00";
    let events = vec![
        // serde's errors quote what they refuse.
        format!(
            r#"{{"event_id": "e1", "nik": {NIK}, "kind": "purchased", "platform": "p", "occurred_at": "{at}"}}"#
        ),
        format!(
            r#"{{"event_id": "{ACCOUNT}", "nik": "{NIK}", "kind": "{PHONE}", "platform": "p", "occurred_at": "{at}"}}"#
        ),
        format!(
            r#"{{"event_id": "e2", "nik": "{NIK}", "kind": "purchased", "platform": "p", "occurred_at": "{at}"}}"#
        ),
    ];
    let results = vec![format!(
        r#"{{"instruction_id": "{NIK}", "idempotency_key": "{ACCOUNT}", "status": "SUCCESS", "processed_at": "{at}"}}"#
    )];
    env.publish_raw(Queue::RegistrationsSubmitted, &registrations)
        .await;
    let bytes = |v: Vec<String>| v.into_iter().map(String::into_bytes).collect::<Vec<_>>();
    env.publish_raw(Queue::TrainingEvents, &bytes(events)).await;
    env.publish_raw(Queue::PaymentsResults, &bytes(results))
        .await;
    let debug = [("RUST_LOG", "debug,sqlx=warn,lapin=warn,hyper=warn,h2=warn")];
    let validator = spawn(&env, WorkerKind::Validator, &[], &debug);
    let disburser = spawn(&env, WorkerKind::Disburser, &[], &debug);
    let expect = [
        (Queue::RegistrationsSubmitted, 3),
        (Queue::TrainingEvents, 2),
        (Queue::PaymentsResults, 1),
    ];
    for (queue, n) in expect {
        let dead_queue = env.topology().dead_name(queue);
        eventually_async(
            &format!("{n} in {dead_queue}"),
            Duration::from_secs(60),
            || async { (env.ready(&dead_queue).await == n).then_some(()) },
        )
        .await;
    }
    crate::validator::wait_for_rows(&env, 2, Duration::from_secs(60)).await;
    let _ = validator.stop(Duration::from_secs(10)).await;
    let _ = disburser.stop(Duration::from_secs(10)).await;

    let mut seen = logs(&env, WorkerKind::Validator);
    seen.push_str(&logs(&env, WorkerKind::Disburser));
    assert!(seen.contains("dead-lettering a message"), "{seen}");
    for (queue, _) in expect {
        for message in env.drain(&env.topology().dead_name(queue)).await {
            let reason = dead_reason(&message.delivery.properties).expect("a reason");
            seen.push_str(&format!("\n{reason}"));
        }
    }
    for secret in [NIK, KK, PHONE, &PHONE[2..], ACCOUNT] {
        let line = seen.lines().find(|l| l.contains(secret));
        assert!(line.is_none(), "{secret} in full: {line:?}");
    }
    assert!(
        seen.contains("3171**********01"),
        "the masked NIK is shown: {seen}"
    );
}
