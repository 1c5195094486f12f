//! NIK, KK and age rules, case by case.

use shared::domain::ReasonCode::{self, *};
use shared::domain::{Scheme, Warning};

use crate::{Edit, assess_with, base, reasons, set, set_of, with};

/// A NIK, birth date, sex and submission instant.
fn born(nik: &str, date: &str, sex: &str, at: &str) -> Vec<Edit> {
    vec![
        set("nik", nik),
        set("birth_date", date),
        set("sex", sex),
        set("submitted_at", at),
    ]
}

/// `(case, edits, reasons under the 2020 scheme)`.
#[rustfmt::skip]
fn table() -> Vec<(&'static str, Vec<Edit>, Vec<ReasonCode>)> {
    const AT: &str = "2026-11-20T08:00:00+07:00";
    vec![
        ("the contract's example (woman, day 07 + 40)", vec![], vec![]),
        ("a man's day is the birth day", vec![set("nik", "3171010708900001"), set("sex", "M")], vec![]),
        ("a woman without day + 40", vec![set("nik", "3171010708900001")], vec![NikSex]),
        ("a man with day + 40", vec![set("sex", "M")], vec![NikSex]),
        ("NIK day and month swapped", vec![set("birth_date", "1990-07-08")], vec![NikBirthDate]),
        ("NIK year differs", vec![set("birth_date", "1991-08-07")], vec![NikBirthDate]),
        ("29 Feb in a leap year", born("3171016902000001", "2000-02-29", "F", AT), vec![]),
        ("29 Feb 00 when birth_date says 1900", born("3171012902000001", "1900-03-01", "M", AT), vec![NikFormat]),
        ("29 Feb of a year never leap", born("3171012902010001", "2001-03-01", "M", AT), vec![NikFormat]),
        ("leap-day birthday: 17 on 28 Feb", born("3171012902080001", "2008-02-29", "M", "2026-02-28T12:00:00+07:00"), vec![Underage]),
        ("leap-day birthday: 18 on 1 Mar", born("3171012902080001", "2008-02-29", "M", "2026-03-01T00:00:00+07:00"), vec![]),
        ("18th birthday in Jakarta, still the previous UTC day", born("3171012011080001", "2008-11-20", "M", "2026-11-19T20:00:00Z"), vec![]),
        ("18th birthday at Jakarta midnight", born("3171012011080001", "2008-11-20", "M", "2026-11-20T00:00:00+07:00"), vec![]),
        ("a second before the 18th birthday in Jakarta", born("3171012011080001", "2008-11-20", "M", "2026-11-19T16:59:59Z"), vec![Underage]),
        ("born after submission", born("3171012011270001", "2027-11-20", "M", AT), vec![Underage]),
        ("no maximum age in 2020", vec![set("nik", "3171014708500001"), set("birth_date", "1950-08-07")], vec![]),
        ("15-digit NIK", vec![set("nik", "317101470890001")], vec![NikFormat]),
        ("17-digit NIK", vec![set("nik", "31710147089000011")], vec![NikFormat]),
        ("non-digit NIK", vec![set("nik", "31710147O8900001")], vec![NikFormat]),
        ("NIK with spaces", vec![set("nik", "3171 0147 0890 0001")], vec![NikFormat]),
        ("NIK serial 0000", vec![set("nik", "3171014708900000")], vec![NikFormat]),
        ("NIK day 00", vec![set("nik", "3171010008900001")], vec![NikFormat]),
        ("NIK day 32", vec![set("nik", "3171013208900001")], vec![NikFormat]),
        ("NIK day 40", vec![set("nik", "3171014008900001")], vec![NikFormat]),
        ("NIK day 72", vec![set("nik", "3171017208900001")], vec![NikFormat]),
        ("NIK month 00", vec![set("nik", "3171014700900001")], vec![NikFormat]),
        ("NIK month 13", vec![set("nik", "3171014713900001")], vec![NikFormat]),
        ("NIK 31 April", vec![set("nik", "3171017104900001")], vec![NikFormat]),
        ("NIK regency 00", vec![set("nik", "3100014708900001")], vec![NikFormat]),
        ("NIK district 00", vec![set("nik", "3171004708900001")], vec![NikFormat]),
        ("NIK format hides its region, date and sex", vec![set("nik", "9971007708900001"), set("sex", "M")], vec![NikFormat]),
        ("NIK province unknown", vec![set("nik", "9971014708900001")], vec![NikRegion]),
        ("NIK province 00", vec![set("nik", "0071014708900001")], vec![NikRegion]),
        ("NIK of a former province (Timor Timur)", vec![set("nik", "5401014708900001")], vec![]),
        ("KK 15 digits", vec![set("kk", "317101010109000")], vec![KkFormat]),
        ("KK non-digit", vec![set("kk", "3171010101O90001")], vec![KkFormat]),
        ("KK province unknown", vec![set("kk", "9971010101090001")], vec![KkFormat]),
        ("KK regency 00", vec![set("kk", "3100010101090001")], vec![KkFormat]),
        ("KK district 00", vec![set("kk", "3171000101090001")], vec![KkFormat]),
        ("KK of a former province", vec![set("kk", "5401010101090001")], vec![]),
    ]
}

#[test]
fn every_identity_case_reports_exactly_its_reasons() {
    for (case, edits, expected) in table() {
        assert_eq!(reasons(&with(edits)), set_of(&expected), "{case}");
    }
}

#[test]
fn scheme_2023_rejects_65_year_olds_and_allows_social_assistance() {
    let scheme = Scheme::builtin_2023();
    let aged = |birth: &str, nik: &str| with(vec![set("birth_date", birth), set("nik", nik)]);
    let turns_65 = aged("1961-11-20", "3171016011610001");
    let still_64 = aged("1961-11-21", "3171016111610001");
    assert_eq!(assess_with(&turns_65, &scheme).reasons, set_of(&[Overage]));
    assert!(assess_with(&still_64, &scheme).is_eligible());
    assert!(assess_with(&turns_65, &Scheme::builtin_2020()).is_eligible());
    let assisted = with(vec![set("receives_social_assistance", true)]);
    assert!(assess_with(&assisted, &scheme).is_eligible());
    assert_eq!(reasons(&assisted), set_of(&[SocialAssistance]));
}

#[test]
fn unknown_regions_inside_known_provinces_are_warnings() {
    let cases = [
        ("3199014708900001", Warning::NikRegencyUnknown),
        ("3171994708900001", Warning::NikDistrictUnknown),
        ("9101014708900001", Warning::NikRegencyUnknown),
        ("5401014708900001", Warning::NikRegencyUnknown),
    ];
    for (nik, warning) in cases {
        let assessment = assess_with(&with(vec![set("nik", nik)]), &Scheme::builtin_2020());
        assert!(assessment.is_eligible(), "{nik}");
        assert_eq!(assessment.warnings, vec![warning], "{nik}");
    }
    let kk = assess_with(
        &with(vec![set("kk", "9101010101090001")]),
        &Scheme::builtin_2020(),
    );
    assert!(kk.is_eligible());
    assert_eq!(kk.warnings, vec![Warning::KkRegencyUnknown]);
    let unknown_province = assess_with(
        &with(vec![set("nik", "9971014708900001")]),
        &Scheme::builtin_2020(),
    );
    assert!(unknown_province.warnings.is_empty());
    assert!(
        assess_with(&base(), &Scheme::builtin_2020())
            .warnings
            .is_empty()
    );
}
