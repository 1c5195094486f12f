//! Synthetic phone numbers and payout accounts, consistent with each other.

use rand::RngExt;
use rand::seq::IndexedRandom;

use super::weighted::pick;
use crate::domain::{PayoutMethod, Provider};

/// Mobile prefixes in use (Telkomsel, Indosat, XL, Axis, Tri, Smartfren).
const MOBILE_PREFIXES: &[&str] = &[
    "811", "812", "813", "821", "822", "823", "851", "852", "853", "814", "815", "816", "855",
    "856", "857", "858", "817", "818", "819", "859", "877", "878", "831", "832", "833", "838",
    "895", "896", "897", "898", "899", "881", "882", "883", "885", "887", "888", "889",
];

const PROVIDERS: &[(Provider, u32)] = &[
    (Provider::Ovo, 20),
    (Provider::Gopay, 20),
    (Provider::Dana, 16),
    (Provider::Linkaja, 9),
    (Provider::Bni, 18),
    (Provider::Bri, 9),
    (Provider::Mandiri, 5),
    (Provider::Bca, 3),
];

/// A random mobile number's national digits (`8…`, 10-12 digits).
pub fn mobile_digits<R: RngExt + ?Sized>(rng: &mut R) -> String {
    let prefix = MOBILE_PREFIXES.choose(rng).copied().unwrap_or("812");
    let rest = rng.random_range(7..=9);
    let mut digits = String::with_capacity(12);
    digits.push_str(prefix);
    for _ in 0..rest {
        digits.push(char::from(b'0' + rng.random_range(0..10u8)));
    }
    digits
}

/// National digits written as people do: `08…` or `+628…`, sometimes
/// grouped with hyphens or spaces.
pub fn written_phone<R: RngExt + ?Sized>(rng: &mut R, national: &str) -> String {
    let (head, tail) = national.split_at(3);
    match rng.random_range(0..20) {
        0..=10 => format!("0{national}"),
        11..=17 => format!("+62{national}"),
        18 => format!("0{head}-{}-{}", &tail[..4], &tail[4..]),
        _ => format!("+62 {head} {} {}", &tail[..4], &tail[4..]),
    }
}

/// `count` random digits, the first not zero.
pub fn digits<R: RngExt + ?Sized>(rng: &mut R, count: usize) -> String {
    (0..count)
        .map(|i| char::from(b'0' + rng.random_range(u8::from(i == 0)..10)))
        .collect()
}

/// A payout consistent with the phone: e-wallets are the phone number
/// (often written differently), banks a number of the bank's length.
pub fn payout<R: RngExt + ?Sized>(rng: &mut R, national: &str) -> (PayoutMethod, Provider, String) {
    let provider = pick(rng, PROVIDERS);
    let account = match provider.account_digits() {
        Some(count) => digits(rng, count),
        None => written_phone(rng, national),
    };
    (provider.method(), provider, account)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Payout, Phone};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn phones_and_payouts_are_well_formed() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..2_000 {
            let national = mobile_digits(&mut rng);
            let phone = Phone::parse(&written_phone(&mut rng, &national)).unwrap();
            assert_eq!(phone.as_str(), format!("+62{national}"));
            let (method, provider, account) = payout(&mut rng, &national);
            assert!(Payout::parse(Some(method), provider, &account, Some(&phone)).is_ok());
        }
    }
}
