//! What PostgreSQL can hold, checked before a registration reaches it: a
//! value it would refuse (a NUL character, a key longer than its index can
//! take, a year outside 1..=9999) makes the field `FIELD_INVALID` when the
//! message is read, so that the registration is stored rejected in its batch
//! instead of failing the batch's transaction.

use std::borrow::Cow;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone};

/// The longest free-form field kept, in bytes: far beyond any real NIK,
/// name, e-mail or account, and well inside the btree index limit (~2.7 kB)
/// of `registrations (nik, wave_id)`.
pub const MAX_TEXT_BYTES: usize = 1024;

/// Whether a text field can be stored and indexed: no NUL (PostgreSQL text
/// cannot hold one) and at most [`MAX_TEXT_BYTES`].
pub fn text(value: &str) -> bool {
    value.len() <= MAX_TEXT_BYTES && !value.contains('\0')
}

/// Whether a date is one PostgreSQL reads back as written: years 1 to 9999
/// (year 0 does not exist in its calendar).
pub fn date(value: NaiveDate) -> bool {
    (1..=9999).contains(&value.year())
}

/// Whether an instant, in UTC, falls in years 1 to 9999.
pub fn instant<Tz: TimeZone>(value: &DateTime<Tz>) -> bool {
    date(value.naive_utc().date())
}

/// The message as `jsonb` can hold it. `jsonb` refuses what the lenient
/// reader lets through in members it skips or strings it keeps: the escape
/// `\u0000`, a lone surrogate (`\ud800`), a number beyond `numeric`'s
/// exponent range. Such a message is kept as one JSON string holding its
/// text, so that nothing of it is lost and its batch is not refused.
pub fn json(text: &str) -> Cow<'_, str> {
    if !needs_check(text) || holds(text) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(serde_json::Value::String(text.to_owned()).to_string())
}

/// Escapes and exponents are the only things `jsonb` may refuse in JSON
/// that the reader accepted.
fn needs_check(text: &str) -> bool {
    text.contains("\\u")
        || text
            .as_bytes()
            .windows(2)
            .any(|w| w[0].is_ascii_digit() && (w[1] | 0x20) == b'e')
}

/// Whether the text parses as JSON with no NUL in any string or key, and no
/// exponent of more than three digits.
fn holds(text: &str) -> bool {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return false;
    };
    no_nul(&value) && !long_exponent(text)
}

fn no_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => !s.contains('\0'),
        serde_json::Value::Array(items) => items.iter().all(no_nul),
        serde_json::Value::Object(map) => map.iter().all(|(k, v)| !k.contains('\0') && no_nul(v)),
        _ => true,
    }
}

/// A digit followed by `e`/`E`, an optional sign and four digits or more
/// (also inside strings: a false alarm there only means the message is kept
/// as a string).
fn long_exponent(text: &str) -> bool {
    let b = text.as_bytes();
    (1..b.len()).any(|i| {
        if !(b[i] == b'e' || b[i] == b'E') || !b[i - 1].is_ascii_digit() {
            return false;
        }
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        b[j..].iter().take_while(|d| d.is_ascii_digit()).count() > 3
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_refuses_nul_and_oversize() {
        assert!(text("3171014708900001"));
        assert!(!text("3171\u{0}"));
        assert!(!text(&"1".repeat(MAX_TEXT_BYTES + 1)));
    }

    #[test]
    fn years_outside_postgresql_calendar_are_refused() {
        let day = |y| NaiveDate::from_ymd_opt(y, 1, 1).expect("date");
        assert!(!date(day(0)));
        assert!(date(day(1)));
        assert!(date(day(9999)));
        assert!(!date(day(10000)));
        let at = DateTime::parse_from_rfc3339("0001-01-01T00:30:00+01:00").expect("rfc3339");
        assert!(!instant(&at), "year 0 in UTC");
    }

    #[test]
    fn json_jsonb_would_refuse_is_kept_as_a_string() {
        let plain = r#"{"a": "b", "n": 1.5e10}"#;
        assert!(matches!(json(plain), Cow::Borrowed(_)));
        for hostile in [
            r#"{"a": "x\u0000y"}"#,
            r#"{"x\u0000": 1}"#,
            r#"{"a": "\ud800"}"#,
            r#"{"n": 1e99999}"#,
        ] {
            let kept = json(hostile);
            let back: String = serde_json::from_str(&kept).expect("a JSON string");
            assert_eq!(back, hostile);
        }
    }
}
