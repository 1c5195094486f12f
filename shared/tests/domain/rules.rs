//! Domicile, occupation, contact, payout, field and wave rules, case by case.

use serde_json::json;
use shared::domain::ReasonCode::{self, *};
use shared::domain::{Occupation, Regions, RegistrationRecord, Scheme, WaveView, assess};

use crate::{Edit, assess_with, base, open_wave, reasons, set, set_of, with};

/// `(case, edits, reasons under the 2020 scheme)`.
#[rustfmt::skip]
fn table() -> Vec<(&'static str, Vec<Edit>, Vec<ReasonCode>)> {
    let bri = |account: &str| vec![set("payout.method", "bank"), set("payout.provider", "BRI"), set("payout.account", account)];
    vec![
        ("regency not in the province", vec![set("domicile_regency", "3273")], vec![DomicileRegion]),
        ("unknown domicile regency", vec![set("domicile_regency", "3199")], vec![DomicileRegion]),
        ("former province as domicile", vec![set("domicile_province", "54")], vec![DomicileRegion]),
        ("domicile province not a code", vec![set("domicile_province", "DKI")], vec![DomicileRegion]),
        ("dotted regency", vec![set("domicile_regency", "31.71")], vec![]),
        ("social assistance in 2020", vec![set("receives_social_assistance", true)], vec![SocialAssistance]),
        ("enrolled student", vec![set("education", "enrolled")], vec![EnrolledInEducation]),
        ("phone +62 8 with separators", vec![set("phone", "+62 812-3456-7890")], vec![]),
        ("phone 08", vec![set("phone", "081234567890")], vec![]),
        ("landline phone 021", vec![set("phone", "0215551234")], vec![Contact]),
        ("phone 62 without +", vec![set("phone", "6281234567890")], vec![Contact]),
        ("malformed e-mail", vec![set("email", "siti.aminah@example")], vec![Contact]),
        ("e-wallet account is not the phone", vec![set("payout.account", "081234567891")], vec![PayoutAccount]),
        ("e-wallet account is a landline", vec![set("payout.account", "0215551234")], vec![PayoutAccount]),
        ("bank account of the right length", bri("123456789012345"), vec![]),
        ("bank account of the wrong length", bri("1234567890"), vec![PayoutAccount]),
        ("bank account with letters", bri("12345678901234X"), vec![PayoutAccount]),
        ("bank method with a wallet provider", vec![set("payout.method", "bank")], vec![PayoutAccount]),
        ("missing phone, and a student", vec![Edit::Remove("phone"), set("education", "enrolled")], vec![EnrolledInEducation, FieldMissing]),
        ("null payout", vec![set("payout", json!(null))], vec![FieldMissing]),
        ("empty NIK", vec![set("nik", "")], vec![FieldMissing]),
        ("missing birth date skips the age and NIK date rules", vec![Edit::Remove("birth_date")], vec![FieldMissing]),
        ("missing submitted_at", vec![Edit::Remove("submitted_at")], vec![FieldMissing]),
        ("sex X (and so no NIK_SEX)", vec![set("sex", "X")], vec![FieldInvalid]),
        ("occupation astronaut", vec![set("occupation", "astronaut")], vec![FieldInvalid]),
        ("birth date 1990-13-45", vec![set("birth_date", "1990-13-45")], vec![FieldInvalid]),
        ("social assistance as a string", vec![set("receives_social_assistance", "no")], vec![FieldInvalid]),
        ("NIK as a number", vec![set("nik", 3171014708900001u64)], vec![FieldInvalid]),
        ("unknown provider", vec![set("payout.provider", "JAGO")], vec![FieldInvalid]),
        ("missing and invalid fields", vec![Edit::Remove("email"), set("sex", "L")], vec![FieldMissing, FieldInvalid]),
        ("submitted after the close", vec![set("submitted_at", "2026-12-01T07:00:00+07:00")], vec![WaveClosed]),
        ("submitted a second before the close", vec![set("submitted_at", "2026-12-01T06:59:59+07:00")], vec![]),
        ("everything at once", vec![
            set("nik", "3171010708900001"),
            set("kk", "31710101"),
            set("education", "enrolled"),
            set("occupation", "civil_servant"),
            set("receives_social_assistance", true),
            set("email", "siti@@example.id"),
            set("domicile_regency", "3273"),
            set("payout.account", "081111111111"),
            Edit::Remove("full_name"),
            set("submitted_at", "2026-12-02T00:00:00Z"),
        ], vec![
            NikSex, KkFormat, DomicileRegion, EnrolledInEducation, ExcludedOccupation,
            SocialAssistance, WaveClosed, Contact, PayoutAccount, FieldMissing,
        ]),
    ]
}

#[test]
fn every_case_reports_exactly_its_reasons() {
    for (case, edits, expected) in table() {
        assert_eq!(reasons(&with(edits)), set_of(&expected), "{case}");
    }
}

#[test]
fn every_excluded_occupation_is_rejected_and_tiers_follow_the_scheme() {
    let scheme = Scheme::builtin_2020();
    for occupation in Occupation::ALL {
        let assessment = assess_with(&with(vec![set("occupation", occupation.as_str())]), &scheme);
        if occupation.is_excluded() {
            assert_eq!(
                assessment.reasons,
                set_of(&[ExcludedOccupation]),
                "{occupation}"
            );
            assert_eq!(assessment.tier, None);
        } else {
            assert!(assessment.is_eligible(), "{occupation}");
            let priority = matches!(occupation, Occupation::LaidOff | Occupation::Furloughed);
            assert_eq!(
                assessment.tier,
                Some(if priority { 1 } else { 2 }),
                "{occupation}"
            );
        }
    }
}

#[test]
fn wave_unknown_closed_and_prior_beneficiaries() {
    let record = RegistrationRecord::from_json(base().to_string().as_bytes()).unwrap();
    let regions = Regions::embedded();
    let scheme = Scheme::builtin_2020();
    let unknown = assess(&record, None, false, regions);
    assert_eq!(unknown.reasons, set_of(&[WaveUnknown]));
    let closes_at_submission = "2026-11-20T01:15:00Z".parse().unwrap();
    let at_close = WaveView {
        closes_at: closes_at_submission,
        ..open_wave(&scheme)
    };
    assert_eq!(
        assess(&record, Some(&at_close), false, regions).reasons,
        set_of(&[WaveClosed])
    );
    let drawing = WaveView {
        draw_started: true,
        ..open_wave(&scheme)
    };
    assert_eq!(
        assess(&record, Some(&drawing), false, regions).reasons,
        set_of(&[WaveClosed])
    );
    let open = open_wave(&scheme);
    let again = assess(&record, Some(&open), true, regions);
    assert_eq!(again.reasons, set_of(&[AlreadyBeneficiary]));
    assert_eq!(again.reasons.to_string(), "ALREADY_BENEFICIARY");
    assert_eq!(assess(&record, Some(&open), false, regions).tier, Some(1));
}

#[test]
fn a_submitted_at_before_the_opening_or_after_the_receipt_is_field_invalid() {
    let record = RegistrationRecord::from_json(base().to_string().as_bytes()).unwrap();
    let regions = Regions::embedded();
    let scheme = Scheme::builtin_2020();
    let submitted = "2026-11-20T01:15:00Z".parse().unwrap();
    let one_second = chrono::Duration::seconds(1);
    let judged = |wave: WaveView| assess(&record, Some(&wave), false, regions).reasons;
    let in_bounds = WaveView {
        opened_at: submitted,
        submitted_by: submitted,
        ..open_wave(&scheme)
    };
    assert_eq!(
        judged(in_bounds.clone()),
        set_of(&[]),
        "both bounds are inclusive"
    );
    let opened_later = WaveView {
        opened_at: submitted + one_second,
        ..in_bounds.clone()
    };
    assert_eq!(judged(opened_later.clone()), set_of(&[FieldInvalid]));
    let received_earlier = WaveView {
        submitted_by: submitted - one_second,
        ..in_bounds.clone()
    };
    assert_eq!(judged(received_earlier), set_of(&[FieldInvalid]));
    let frozen = WaveView {
        draw_started: true,
        ..opened_later
    };
    assert_eq!(judged(frozen), set_of(&[FieldInvalid, WaveClosed]));
}
