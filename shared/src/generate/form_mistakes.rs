//! Mistakes in the rest of the form (payout, missing and invalid fields),
//! each built to trigger one reason and nothing else.

use rand::RngExt;
use rand::seq::IndexedRandom;
use serde_json::{Value, json};

use super::accounts::{digits, mobile_digits, written_phone};
use super::person::{Override, Person};
use crate::domain::{PayoutMethod, Provider};

/// A payout account that does not fit its provider (`PAYOUT_ACCOUNT`).
pub fn wrong_account<R: RngExt + ?Sized>(rng: &mut R, person: &mut Person) {
    let wallets = [
        Provider::Ovo,
        Provider::Gopay,
        Provider::Dana,
        Provider::Linkaja,
    ];
    let wallet = wallets.choose(rng).copied().unwrap_or(Provider::Ovo);
    let phone = person.phone.clone();
    let (method, provider, account) = match rng.random_range(0..5) {
        0 => {
            let digits_of = person.provider.account_digits().unwrap_or(10);
            let count = if rng.random_bool(0.5) {
                digits_of - 1
            } else {
                digits_of + 2
            };
            (
                PayoutMethod::Bank,
                bank(person.provider),
                digits(rng, count),
            )
        }
        1 => (
            PayoutMethod::Bank,
            Provider::Bni,
            format!("{}-{}", digits(rng, 3), digits(rng, 6)),
        ),
        2 => {
            let national = mobile_digits(rng);
            let other = written_phone(rng, &national);
            (PayoutMethod::Ewallet, wallet, other)
        }
        3 => (
            PayoutMethod::Ewallet,
            wallet,
            format!("021{}", digits(rng, 8)),
        ),
        _ => (PayoutMethod::Bank, wallet, phone),
    };
    person.payout_method = method;
    person.provider = provider;
    person.account = account;
}

fn bank(provider: Provider) -> Provider {
    if provider.account_digits().is_some() {
        provider
    } else {
        Provider::Bni
    }
}

/// A required field left out, `null` or blank (`FIELD_MISSING`).
pub fn missing_field<R: RngExt + ?Sized>(rng: &mut R) -> Override {
    const PATHS: &[&str] = &[
        "submitted_at",
        "nik",
        "kk",
        "full_name",
        "birth_date",
        "sex",
        "email",
        "phone",
        "domicile_province",
        "domicile_regency",
        "education",
        "occupation",
        "receives_social_assistance",
        "payout",
        "payout.method",
        "payout.provider",
        "payout.account",
    ];
    let path = PATHS.choose(rng).copied().unwrap_or("phone");
    let value = match rng.random_range(0..5) {
        0 => Some(Value::Null),
        1 => Some(json!("")),
        2 => Some(json!("  ")),
        _ => None,
    };
    Override { path, value }
}

/// A field of the wrong type or outside its allowed values (`FIELD_INVALID`).
pub fn invalid_field<R: RngExt + ?Sized>(rng: &mut R, person: &Person) -> Override {
    let nik_number: Option<u64> = person.nik.parse().ok();
    let choices: [(&'static str, Value); 12] = [
        (
            "sex",
            json!(
                ["X", "L", "P", "female"]
                    .choose(rng)
                    .copied()
                    .unwrap_or("X")
            ),
        ),
        (
            "occupation",
            json!(
                ["astronaut", "petani", "student"]
                    .choose(rng)
                    .copied()
                    .unwrap_or("astronaut")
            ),
        ),
        (
            "education",
            json!(
                ["graduated", "SMA", "yes"]
                    .choose(rng)
                    .copied()
                    .unwrap_or("SMA")
            ),
        ),
        (
            "birth_date",
            json!(
                ["1990-13-45", "07/08/1990", "1990-02-30"]
                    .choose(rng)
                    .copied()
                    .unwrap_or("x")
            ),
        ),
        (
            "submitted_at",
            json!(
                ["yesterday", "2026-11-20T08:15"]
                    .choose(rng)
                    .copied()
                    .unwrap_or("x")
            ),
        ),
        (
            "receives_social_assistance",
            json!(["no", "false", "0"].choose(rng).copied().unwrap_or("no")),
        ),
        ("receives_social_assistance", json!(0)),
        (
            "payout.method",
            json!(["cash", "transfer"].choose(rng).copied().unwrap_or("cash")),
        ),
        (
            "payout.provider",
            json!(
                ["JAGO", "SHOPEEPAY", "ovo"]
                    .choose(rng)
                    .copied()
                    .unwrap_or("JAGO")
            ),
        ),
        ("nik", json!(nik_number)),
        (
            "full_name",
            json!(person.full_name.split(' ').collect::<Vec<_>>()),
        ),
        (
            "payout",
            json!(format!("{} {}", person.provider, person.account)),
        ),
    ];
    let (path, value) = choices.choose(rng).cloned().unwrap_or(("sex", json!("X")));
    Override {
        path,
        value: Some(value),
    }
}
