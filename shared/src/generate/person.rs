//! One synthetic registrant's answers, and the registration message made
//! from them.

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Utc};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::domain::{Education, Occupation, PayoutMethod, Provider, Sex};

/// What a registrant fills in (all of it valid unless a mutation changed it).
#[derive(Debug, Clone)]
pub struct Person {
    pub nik: String,
    pub kk: String,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub email: String,
    pub phone: String,
    pub domicile_province: String,
    pub domicile_regency: String,
    pub education: Education,
    pub occupation: Occupation,
    pub receives_social_assistance: bool,
    pub payout_method: PayoutMethod,
    pub provider: Provider,
    pub account: String,
}

/// A change to the written message that the answers cannot express: a
/// field replaced by another JSON value, or removed (`None`).
#[derive(Debug, Clone)]
pub struct Override {
    /// Field path, `payout.account` for a payout member.
    pub path: &'static str,
    /// The value written instead, or `None` to leave the field out.
    pub value: Option<Value>,
}

impl Person {
    /// The registration message. `utc` writes the instant as `…Z` instead
    /// of Jakarta time (`…+07:00`).
    pub fn message(
        &self,
        registration_id: Uuid,
        wave_id: u32,
        submitted_at: DateTime<Utc>,
        utc: bool,
        overrides: &[Override],
    ) -> Value {
        let jakarta = FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset");
        let submitted_at = if utc {
            submitted_at.to_rfc3339_opts(SecondsFormat::Secs, true)
        } else {
            submitted_at
                .with_timezone(&jakarta)
                .to_rfc3339_opts(SecondsFormat::Secs, true)
        };
        let mut message = json!({
            "registration_id": registration_id,
            "wave_id": wave_id,
            "submitted_at": submitted_at,
            "nik": self.nik,
            "kk": self.kk,
            "full_name": self.full_name,
            "birth_date": self.birth_date.format("%Y-%m-%d").to_string(),
            "sex": self.sex,
            "email": self.email,
            "phone": self.phone,
            "domicile_province": self.domicile_province,
            "domicile_regency": self.domicile_regency,
            "education": self.education,
            "occupation": self.occupation,
            "receives_social_assistance": self.receives_social_assistance,
            "payout": {
                "method": self.payout_method,
                "provider": self.provider,
                "account": self.account,
            },
        });
        for change in overrides {
            apply(&mut message, change);
        }
        message
    }
}

fn apply(message: &mut Value, change: &Override) {
    let Some(object) = message.as_object_mut() else {
        return;
    };
    let (object, key): (&mut Map<String, Value>, &str) = match change.path.split_once('.') {
        Some((parent, key)) => match object.get_mut(parent).and_then(Value::as_object_mut) {
            Some(inner) => (inner, key),
            None => return,
        },
        None => (object, change.path),
    };
    match &change.value {
        Some(value) => {
            object.insert(key.to_owned(), value.clone());
        }
        None => {
            object.remove(key);
        }
    }
}
