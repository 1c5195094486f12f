//! Where a wave is in its life, as stored in `waves.state`. Only moves
//! forward (`open -> closed -> drawing -> drawn`, enforced by the trigger
//! `waves_state_machine`). Read and written as this enum, never as a bare
//! string: a value the code does not know is an error, never a default.

use std::fmt;
use std::str::FromStr;

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgHasArrayType, PgTypeInfo, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Type};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WaveState {
    /// Accepting registrations.
    Open,
    /// Closed by the operator; the draw waits for the queue to drain.
    Closed,
    /// The draw's inputs are frozen (`frozen_at`); the draw is running.
    Drawing,
    /// The draw is stored.
    Drawn,
}

/// A `waves.state` value this code does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown wave state {0:?} (expected open, closed, drawing or drawn)")]
pub struct UnknownWaveState(pub String);

impl WaveState {
    pub const ALL: [WaveState; 4] = [Self::Open, Self::Closed, Self::Drawing, Self::Drawn];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Drawing => "drawing",
            Self::Drawn => "drawn",
        }
    }

    /// Whether the draw's inputs are frozen: nothing that arrives can change
    /// the wave's candidates any more.
    pub fn is_frozen(self) -> bool {
        matches!(self, Self::Drawing | Self::Drawn)
    }
}

impl FromStr for WaveState {
    type Err = UnknownWaveState;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| UnknownWaveState(s.to_owned()))
    }
}

impl fmt::Display for WaveState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// Stored as text (`waves.state`, checked by a CHECK constraint).
impl Type<Postgres> for WaveState {
    fn type_info() -> PgTypeInfo {
        <&str as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <&str as Type<Postgres>>::compatible(ty)
    }
}

impl PgHasArrayType for WaveState {
    fn array_type_info() -> PgTypeInfo {
        <&str as PgHasArrayType>::array_type_info()
    }
}

impl<'r> Decode<'r, Postgres> for WaveState {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(<&str as Decode<Postgres>>::decode(value)?.parse()?)
    }
}

impl Encode<'_, Postgres> for WaveState {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <&str as Encode<Postgres>>::encode_by_ref(&self.as_str(), buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_reads_back_and_an_unknown_one_is_an_error() {
        for state in WaveState::ALL {
            assert_eq!(state.as_str().parse(), Ok(state));
        }
        assert_eq!(
            "Open".parse::<WaveState>(),
            Err(UnknownWaveState("Open".into()))
        );
        assert_eq!("".parse::<WaveState>(), Err(UnknownWaveState("".into())));
    }
}
