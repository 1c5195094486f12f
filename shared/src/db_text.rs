//! States stored as text: a Rust enum maps to exactly its database values,
//! both ways. Reading a value the enum does not know is an error naming the
//! value and the type, never a default.

use std::fmt;

/// A fieldless enum stored as one of a fixed set of text values.
pub trait DbText: Sized + Copy + Eq + 'static {
    /// Every value, in a stable order.
    const ALL: &'static [Self];
    /// What the value is, for error messages ("instruction status").
    const WHAT: &'static str;

    /// The value as stored.
    fn as_str(self) -> &'static str;

    /// The value stored as `text`, or an error naming it.
    fn parse(text: &str) -> Result<Self, UnknownValue> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == text)
            .ok_or_else(|| UnknownValue {
                what: Self::WHAT,
                value: text.to_owned(),
                known: Self::ALL.iter().map(|v| v.as_str()).collect(),
            })
    }
}

/// A stored value no variant names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct UnknownValue {
    pub what: &'static str,
    pub value: String,
    pub known: Vec<&'static str>,
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} {:?} (known: {})",
            self.what,
            self.value,
            self.known.join(", ")
        )
    }
}

/// Implements `sqlx` encoding and decoding (as `text`) and `Display` for a
/// [`DbText`] type.
#[macro_export]
macro_rules! db_text {
    ($ty:ty) => {
        impl ::sqlx::Type<::sqlx::Postgres> for $ty {
            fn type_info() -> ::sqlx::postgres::PgTypeInfo {
                <&str as ::sqlx::Type<::sqlx::Postgres>>::type_info()
            }
            fn compatible(ty: &::sqlx::postgres::PgTypeInfo) -> bool {
                <&str as ::sqlx::Type<::sqlx::Postgres>>::compatible(ty)
            }
        }
        impl ::sqlx::postgres::PgHasArrayType for $ty {
            fn array_type_info() -> ::sqlx::postgres::PgTypeInfo {
                <&str as ::sqlx::postgres::PgHasArrayType>::array_type_info()
            }
        }
        impl<'q> ::sqlx::Encode<'q, ::sqlx::Postgres> for $ty {
            fn encode_by_ref(
                &self,
                buf: &mut ::sqlx::postgres::PgArgumentBuffer,
            ) -> Result<::sqlx::encode::IsNull, ::sqlx::error::BoxDynError> {
                <&str as ::sqlx::Encode<::sqlx::Postgres>>::encode_by_ref(
                    &$crate::db_text::DbText::as_str(*self),
                    buf,
                )
            }
        }
        impl<'r> ::sqlx::Decode<'r, ::sqlx::Postgres> for $ty {
            fn decode(
                value: ::sqlx::postgres::PgValueRef<'r>,
            ) -> Result<Self, ::sqlx::error::BoxDynError> {
                let text = <&str as ::sqlx::Decode<::sqlx::Postgres>>::decode(value)?;
                Ok(<$ty as $crate::db_text::DbText>::parse(text)?)
            }
        }
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.pad($crate::db_text::DbText::as_str(*self))
            }
        }
    };
}
