//! A registration row in `COPY` text format: the fast way in when none of a
//! batch's registrations is stored yet (the usual case).

use std::fmt::Write as _;

use super::row::RegistrationRow;

/// The `COPY` statement matching [`push_row`]'s column order.
pub const COPY_SQL: &str = "COPY registrations (registration_id, wave_id, status, reasons, warnings, \
    submitted_at, nik, kk, full_name, birth_date, sex, email, phone, domicile_province, \
    domicile_regency, education, occupation, receives_social_assistance, payout_method, \
    payout_provider, payout_account, tier, raw) FROM STDIN";

/// Appends one row (tab-separated, `\N` for NULL, newline-terminated).
pub fn push_row(buf: &mut String, row: &RegistrationRow) {
    let _ = write!(
        buf,
        "{}\t{}\t{}\t{{{}}}\t{{{}}}\t",
        row.registration_id, row.wave_id, row.status, row.reasons, row.warnings
    );
    match row.submitted_at {
        Some(at) => {
            let _ = write!(buf, "{}", at.format("%Y-%m-%d %H:%M:%S%.f+00"));
        }
        None => buf.push_str("\\N"),
    }
    for text in [&row.nik, &row.kk, &row.full_name] {
        buf.push('\t');
        push_text(buf, text.as_deref());
    }
    buf.push('\t');
    match row.birth_date {
        Some(date) => {
            let _ = write!(buf, "{date}");
        }
        None => buf.push_str("\\N"),
    }
    for text in [
        &row.sex,
        &row.email,
        &row.phone,
        &row.domicile_province,
        &row.domicile_regency,
        &row.education,
        &row.occupation,
    ] {
        buf.push('\t');
        push_text(buf, text.as_deref());
    }
    buf.push('\t');
    buf.push_str(match row.receives_social_assistance {
        Some(true) => "t",
        Some(false) => "f",
        None => "\\N",
    });
    for text in [
        &row.payout_method,
        &row.payout_provider,
        &row.payout_account,
    ] {
        buf.push('\t');
        push_text(buf, text.as_deref());
    }
    buf.push('\t');
    match row.tier {
        Some(tier) => {
            let _ = write!(buf, "{tier}");
        }
        None => buf.push_str("\\N"),
    }
    buf.push('\t');
    push_text(buf, row.raw.as_deref());
    buf.push('\n');
}

/// A text field, escaped for `COPY` (backslash, tab, newline, carriage return).
fn push_text(buf: &mut String, text: Option<&str>) {
    let Some(text) = text else {
        buf.push_str("\\N");
        return;
    };
    for c in text.chars() {
        match c {
            '\\' => buf.push_str("\\\\"),
            '\t' => buf.push_str("\\t"),
            '\n' => buf.push_str("\\n"),
            '\r' => buf.push_str("\\r"),
            c => buf.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_null_is_marked() {
        let mut buf = String::new();
        push_text(&mut buf, Some("a\tb\\c\nd"));
        buf.push('|');
        push_text(&mut buf, None);
        assert_eq!(buf, "a\\tb\\\\c\\nd|\\N");
    }
}
