//! Closed sets of codes that travel as strings (reason codes, occupations,
//! payout providers, ...): one macro gives each the same treatment.

/// A string that is not one of a code set's allowed values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a valid {kind}")]
pub struct UnknownCode {
    /// What kind of code was expected (for example "occupation").
    pub kind: &'static str,
    /// The text that was given.
    pub value: String,
}

/// Declares a fieldless enum whose values are written as fixed strings, with
/// `ALL` (canonical order, which is also the `Ord` order), `as_str`,
/// `from_code`, `parse`, `FromStr`, `Display` and serde as the string.
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident as $kind:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in canonical order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as written on the wire.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The value written exactly (case-sensitively) as `text`, if any.
            pub fn from_code(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// Parses the wire spelling.
            pub fn parse(text: &str) -> Result<Self, $crate::domain::code::UnknownCode> {
                Self::from_code(text).ok_or_else(|| $crate::domain::code::UnknownCode {
                    kind: $kind,
                    value: text.to_owned(),
                })
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::code::UnknownCode;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct CodeVisitor;
                impl serde::de::Visitor<'_> for CodeVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(f, "a {} string", $kind)
                    }
                    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<$name, E> {
                        $name::parse(text).map_err(E::custom)
                    }
                }
                deserializer.deserialize_str(CodeVisitor)
            }
        }
    };
}

pub(crate) use code_enum;
