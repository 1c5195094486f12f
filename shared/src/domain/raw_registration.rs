//! A registration message read leniently: every known member is captured as
//! whatever JSON value it holds, borrowing strings from the input where it
//! can, so that wrong types become per-field findings instead of a decoding
//! failure. Unknown members are skipped.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A JSON value as the lenient reader keeps it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Loose<'a> {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Str(Cow<'a, str>),
    /// An array, or an object where none is expected (contents skipped).
    Composite,
    /// The `payout` object.
    Payout(Box<RawPayout<'a>>),
}

/// The members of the `payout` object, each as found.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RawPayout<'a> {
    pub method: Option<Loose<'a>>,
    pub provider: Option<Loose<'a>>,
    pub account: Option<Loose<'a>>,
}

/// The known members of a registration object, each as found.
#[derive(Debug, Default)]
pub(crate) struct RawRegistration<'a> {
    pub registration_id: Option<Loose<'a>>,
    pub wave_id: Option<Loose<'a>>,
    pub submitted_at: Option<Loose<'a>>,
    pub nik: Option<Loose<'a>>,
    pub kk: Option<Loose<'a>>,
    pub full_name: Option<Loose<'a>>,
    pub birth_date: Option<Loose<'a>>,
    pub sex: Option<Loose<'a>>,
    pub email: Option<Loose<'a>>,
    pub phone: Option<Loose<'a>>,
    pub domicile_province: Option<Loose<'a>>,
    pub domicile_regency: Option<Loose<'a>>,
    pub education: Option<Loose<'a>>,
    pub occupation: Option<Loose<'a>>,
    pub receives_social_assistance: Option<Loose<'a>>,
    pub payout: Option<Loose<'a>>,
}

impl<'a> RawRegistration<'a> {
    /// Reads a JSON document: `Ok(None)` if it is valid JSON but not an
    /// object.
    pub fn read(text: &'a str) -> Result<Option<Self>, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let document = LooseSeed(Mode::Registration).deserialize(&mut deserializer)?;
        deserializer.end()?;
        Ok(match document {
            Found::Registration(raw) => Some(*raw),
            Found::Value(_) => None,
        })
    }

    fn slot(&mut self, key: &str) -> Option<&mut Option<Loose<'a>>> {
        Some(match key {
            "registration_id" => &mut self.registration_id,
            "wave_id" => &mut self.wave_id,
            "submitted_at" => &mut self.submitted_at,
            "nik" => &mut self.nik,
            "kk" => &mut self.kk,
            "full_name" => &mut self.full_name,
            "birth_date" => &mut self.birth_date,
            "sex" => &mut self.sex,
            "email" => &mut self.email,
            "phone" => &mut self.phone,
            "domicile_province" => &mut self.domicile_province,
            "domicile_regency" => &mut self.domicile_regency,
            "education" => &mut self.education,
            "occupation" => &mut self.occupation,
            "receives_social_assistance" => &mut self.receives_social_assistance,
            "payout" => &mut self.payout,
            _ => return None,
        })
    }
}

/// What a value turned out to be.
enum Found<'a> {
    Value(Loose<'a>),
    Registration(Box<RawRegistration<'a>>),
}

/// How an object met while reading is read.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// As the registration (the document itself).
    Registration,
    /// As the `payout` object.
    Payout,
    /// Skipped: any other object.
    Scalar,
}

/// Reads one JSON value in a [`Mode`].
#[derive(Clone, Copy)]
struct LooseSeed(Mode);

impl<'de> DeserializeSeed<'de> for LooseSeed {
    type Value = Found<'de>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for LooseSeed {
    type Value = Found<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Found<'de>, E> {
        Ok(Found::Value(Loose::Bool(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Found<'de>, E> {
        Ok(Found::Value(Loose::Unsigned(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Found<'de>, E> {
        Ok(Found::Value(Loose::Signed(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Found<'de>, E> {
        Ok(Found::Value(Loose::Float(v)))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Found<'de>, E> {
        Ok(Found::Value(Loose::Str(Cow::Borrowed(v))))
    }
    fn visit_str<E>(self, v: &str) -> Result<Found<'de>, E> {
        Ok(Found::Value(Loose::Str(Cow::Owned(v.to_owned()))))
    }
    fn visit_unit<E>(self) -> Result<Found<'de>, E> {
        Ok(Found::Value(Loose::Null))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Found<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Found::Value(Loose::Composite))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found<'de>, A::Error> {
        let mut registration = RawRegistration::default();
        let mut payout = RawPayout::default();
        while let Some(key) = map.next_key_seed(LooseSeed(Mode::Scalar))? {
            let Found::Value(Loose::Str(key)) = key else {
                return Err(A::Error::custom("object keys are strings"));
            };
            let slot = match self.0 {
                Mode::Registration => registration.slot(&key),
                Mode::Payout => payout.slot(&key),
                Mode::Scalar => None,
            };
            let Some(slot) = slot else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let nested = self.0 == Mode::Registration && key == "payout";
            let mode = if nested { Mode::Payout } else { Mode::Scalar };
            match map.next_value_seed(LooseSeed(mode))? {
                Found::Value(value) => *slot = Some(value),
                Found::Registration(_) => return Err(A::Error::custom("unexpected object")),
            }
        }
        Ok(match self.0 {
            Mode::Registration => Found::Registration(Box::new(registration)),
            Mode::Payout => Found::Value(Loose::Payout(Box::new(payout))),
            Mode::Scalar => Found::Value(Loose::Composite),
        })
    }
}

impl<'a> RawPayout<'a> {
    fn slot(&mut self, key: &str) -> Option<&mut Option<Loose<'a>>> {
        match key {
            "method" => Some(&mut self.method),
            "provider" => Some(&mut self.provider),
            "account" => Some(&mut self.account),
            _ => None,
        }
    }
}
