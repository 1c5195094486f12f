//! One dead letter as an operator sees it: why it died (our reason header,
//! or the broker's `x-death`), how long ago, how often it was replayed, and
//! a summary of its body with every NIK, phone and account masked.

use lapin::BasicProperties;
use lapin::types::{AMQPValue, FieldTable, ShortString};
use serde::Serialize;
use serde_json::Value;
use shared::mask::id as mask;

/// Header counting a message's replays.
pub const REPLAYS: &str = "x-prakerja-replays";
/// Header naming why we dead-lettered a message (`shared::amqp`).
const REASON: &str = "x-prakerja-dead-reason";

#[derive(Debug, Clone, Serialize)]
pub struct DeadMessage {
    pub message_id: Option<String>,
    /// `undecodable`, `refused_by_database`, `oversized`, `panicked`, or the
    /// broker's reason
    /// (`delivery_limit`, `rejected`, `expired`), `unknown` without any.
    pub kind: String,
    /// The full reason, when we dead-lettered it.
    pub reason: String,
    /// Seconds since it was dead-lettered, when known.
    pub age_secs: Option<i64>,
    pub replays: u32,
    pub bytes: usize,
    /// Its identifying fields, personal ones masked.
    pub summary: String,
}

/// Describes a dead letter.
pub fn describe(properties: &BasicProperties, body: &[u8]) -> DeadMessage {
    let headers = properties.headers().clone().unwrap_or_default();
    let ours = string(&headers, REASON);
    let death = first_death(&headers);
    let kind = match (&ours, &death) {
        (Some(reason), _) if reason.starts_with("the database refused") => {
            "refused_by_database".to_owned()
        }
        (Some(reason), _) if reason.starts_with("the body has") => "oversized".to_owned(),
        (Some(reason), _) if reason.contains(" panicked: ") => "panicked".to_owned(),
        (Some(_), _) => "undecodable".to_owned(),
        (None, Some((reason, _))) => reason.clone(),
        (None, None) => "unknown".to_owned(),
    };
    let died_at = properties
        .timestamp()
        .map(|t| t as i64)
        .or_else(|| death.as_ref().and_then(|(_, time)| *time));
    let now = chrono::Utc::now().timestamp();
    DeadMessage {
        message_id: properties.message_id().as_ref().map(|m| m.to_string()),
        // Masked again: a dead letter written before reasons were masked.
        reason: ours.map_or_else(
            || {
                death
                    .map(|(r, _)| format!("dead-lettered by the broker: {r}"))
                    .unwrap_or_default()
            },
            |reason| shared::mask::free_text(&reason).into_owned(),
        ),
        kind,
        age_secs: died_at.map(|t| (now - t).max(0)),
        replays: replays(&headers),
        bytes: body.len(),
        summary: summary(body),
    }
}

/// The replay count a message carries.
pub fn replays(headers: &FieldTable) -> u32 {
    match headers.inner().get(&ShortString::from(REPLAYS)) {
        Some(AMQPValue::LongUInt(n)) => *n,
        Some(AMQPValue::LongInt(n)) => (*n).max(0) as u32,
        Some(AMQPValue::LongLongInt(n)) => (*n).clamp(0, i64::from(u32::MAX)) as u32,
        Some(AMQPValue::ShortInt(n)) => (*n).max(0) as u32,
        _ => 0,
    }
}

fn string(headers: &FieldTable, key: &str) -> Option<String> {
    match headers.inner().get(&ShortString::from(key))? {
        AMQPValue::LongString(s) => Some(s.to_string()),
        AMQPValue::ShortString(s) => Some(s.to_string()),
        _ => None,
    }
}

/// The broker's latest `x-death` entry: its reason and time.
fn first_death(headers: &FieldTable) -> Option<(String, Option<i64>)> {
    let AMQPValue::FieldArray(deaths) = headers.inner().get(&ShortString::from("x-death"))? else {
        return None;
    };
    let AMQPValue::FieldTable(first) = deaths.as_slice().first()? else {
        return None;
    };
    let reason = string(first, "reason").unwrap_or_else(|| "unknown".to_owned());
    let time = match first.inner().get(&ShortString::from("time")) {
        Some(AMQPValue::Timestamp(t)) => Some(*t as i64),
        _ => None,
    };
    Some((reason, time))
}

/// Fields that identify a message, as `key=value`; personal ones masked.
const SHOWN: &[&str] = &[
    "registration_id",
    "event_id",
    "instruction_id",
    "idempotency_key",
    "wave_id",
    "run_date",
    "request_id",
    "kind",
    "status",
    "amount",
    "submitted_at",
    "occurred_at",
];
const MASKED: &[&str] = &["nik", "kk", "phone", "account"];

fn summary(body: &[u8]) -> String {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return format!("not JSON ({} bytes)", body.len());
    };
    let Value::Object(object) = &value else {
        return format!("JSON but not an object ({} bytes)", body.len());
    };
    let mut parts = Vec::new();
    for key in SHOWN {
        if let Some(v) = object.get(*key) {
            parts.push(format!("{key}={}", scalar(v)));
        }
    }
    for key in MASKED {
        if let Some(v) = object.get(*key) {
            parts.push(format!("{key}={}", mask(&scalar(v))));
        }
    }
    if let Some(Value::Object(payout)) = object.get("payout") {
        if let Some(provider) = payout.get("provider") {
            parts.push(format!("payout.provider={}", scalar(provider)));
        }
        if let Some(account) = payout.get("account") {
            parts.push(format!("payout.account={}", mask(&scalar(account))));
        }
    }
    if parts.is_empty() {
        format!(
            "a JSON object with none of the known fields ({} bytes)",
            body.len()
        )
    } else {
        parts.join(" ")
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.chars().take(64).collect(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_owned(),
        _ => "…".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_mask_personal_fields() {
        let body = br#"{"registration_id":"r-1","nik":"3171014708900001","phone":"+6281234567890",
            "payout":{"provider":"OVO","account":"081234567890"}}"#;
        let text = summary(body);
        assert!(text.contains("registration_id=r-1"), "{text}");
        assert!(text.contains("nik=3171**********01"), "{text}");
        assert!(!text.contains("3171014708900001"), "{text}");
        assert!(!text.contains("081234567890"), "{text}");
        assert!(!text.contains("6281234567890"), "{text}");
        assert_eq!(summary(b"\xff garbage"), "not JSON (9 bytes)");
    }
}
