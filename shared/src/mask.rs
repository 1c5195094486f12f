//! Personal numbers hidden: the one place that decides how a NIK, a family
//! card (KK), a phone or an account number may appear in a log line, a
//! dead-letter header, a stored error, `Debug` output or a panic message.
//! Never anywhere in full: the first four and last two characters are kept.
//!
//! [`free_text`] hides every number of nine digits or more inside text the
//! program did not write itself (a decoder's error that quotes its input, a
//! database error), so that a reason can be logged whatever it echoes.

use std::borrow::Cow;

/// A NIK, masked (`3171**********01`).
pub fn nik(text: &str) -> String {
    id(text)
}

/// A family card number, masked.
pub fn kk(text: &str) -> String {
    id(text)
}

/// A phone number, masked.
pub fn phone(text: &str) -> String {
    id(text)
}

/// An account (bank account, e-wallet or card number), masked.
pub fn account(text: &str) -> String {
    id(text)
}

/// Any identifier: keeps the first 4 and last 2 characters; one of 6
/// characters or fewer is hidden whole.
pub fn id(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= 6 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 6))
}

/// Digits in a number long enough to be a NIK, KK, phone or account.
const PERSONAL_DIGITS: usize = 9;

/// `text` with the digits of every number of [`PERSONAL_DIGITS`] digits or
/// more hidden except its first 4 and last 2. A number may be written with
/// `-`, `.`, `+`, `(`, `)` or `/` between its digits (`0812-3456-7890`), or
/// with single spaces between groups of digits (`0812 3456 7890`); dates
/// (`2026-11-30`) and times have fewer digits and stay readable, a date
/// followed by a time too (the space after a group with `-`, `.` or `/`
/// does not join).
pub fn free_text(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let joiner = |b: u8| matches!(b, b'-' | b'.' | b'+' | b'(' | b')' | b'/');
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // A run of digits and joiners that ends on a digit.
        let start = i;
        let mut end = i;
        let mut digits = 0;
        // Whether the group since the run's start or its last space holds
        // only digits, `+`, `(` and `)`, as a phone's groups do (a date's
        // `-`, `.` or `/` ends the run at the next space).
        let mut plain = true;
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii_digit() {
                digits += 1;
                end = i + 1;
            } else if joiner(b) {
                plain &= !matches!(b, b'-' | b'.' | b'/');
            } else if !(b == b' ' && plain && spaced_group(bytes, i)) {
                break;
            }
            i += 1;
        }
        i = end;
        if digits < PERSONAL_DIGITS {
            continue;
        }
        let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
        out.push_str(&text[copied..start]);
        let mut seen = 0;
        for &b in &bytes[start..end] {
            if b.is_ascii_digit() {
                seen += 1;
                let keep = seen <= 4 || seen > digits - 2;
                out.push(if keep { char::from(b) } else { '*' });
            } else {
                out.push(char::from(b));
            }
        }
        copied = end;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut out) => {
            out.push_str(&text[copied..]);
            Cow::Owned(out)
        }
    }
}

/// Whether the space at `i` separates two groups of one phone number
/// (`0812 3456 7890`, `(021) 555 1234`): one space, after a digit or `)`,
/// before a digit or `(`.
fn spaced_group(bytes: &[u8], i: usize) -> bool {
    let before = i.checked_sub(1).map(|j| bytes[j]);
    let after = bytes.get(i + 1).copied();
    matches!(before, Some(b) if b.is_ascii_digit() || b == b')')
        && matches!(after, Some(b) if b.is_ascii_digit() || b == b'(')
}

/// An optional personal number as `Debug` shows it: masked.
pub struct Masked<'a>(pub Option<&'a str>);

impl std::fmt::Debug for Masked<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(text) => write!(f, "Some({:?})", id(text)),
            None => f.write_str("None"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_keep_only_their_ends() {
        assert_eq!(nik("3171014708900001"), "3171**********01");
        assert_eq!(phone("0812"), "****");
        assert_eq!(account("1234567"), "1234*67");
    }

    #[test]
    fn long_numbers_in_free_text_are_masked_and_short_ones_kept() {
        assert_eq!(
            free_text(r#"invalid type: string "3171014708900001", expected u32"#),
            r#"invalid type: string "3171**********01", expected u32"#
        );
        assert_eq!(
            free_text("phone +62-812-3456-7890 on 2026-11-30T10:00:00Z, line 12"),
            "phone +62-81*-****-**90 on 2026-11-30T10:00:00Z, line 12"
        );
        assert!(matches!(
            free_text("wave 7 at 2026-11-30"),
            Cow::Borrowed(_)
        ));
        assert_eq!(free_text("nik=317101470890000"), "nik=3171*********00");
    }

    #[test]
    fn phones_written_with_spaces_are_masked_and_dates_with_times_kept() {
        assert_eq!(
            free_text("call 0812 3456 7890 now"),
            "call 0812 **** **90 now"
        );
        assert_eq!(free_text("+62 812 3456 7890"), "+62 81* **** **90");
        assert_eq!(free_text("(021) 555 1234."), "(021) 5** **34.");
        for kept in [
            "at 2026-11-30 12:00:00, 1200 rows",
            "wave 12 of 2026 took 1500 3000 ms",
            "on 30/11/2026 1200 rows",
        ] {
            assert!(matches!(free_text(kept), Cow::Borrowed(_)), "{kept}");
        }
    }

    #[test]
    fn masked_debug_hides_the_middle() {
        assert_eq!(
            format!("{:?}", Masked(Some("3171014708900001"))),
            "Some(\"3171**********01\")"
        );
        assert_eq!(format!("{:?}", Masked(None)), "None");
    }
}
