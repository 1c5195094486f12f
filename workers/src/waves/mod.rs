//! Waves as stored: opening, closing, and reading them back.

mod beacon;
mod close;
mod model;
mod open;
mod state;

pub use beacon::WaveBeacon;
pub use close::{CloseError, CloseOutcome, CloseRequest, close_wave, kept_secret};
pub use model::{Wave, WaveKeyError};
pub use open::{OpenRequest, Selection, open_wave};
pub use state::{UnknownWaveState, WaveState};
