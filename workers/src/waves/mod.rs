//! Waves as stored: opening, closing, and reading them back.

mod close;
mod model;
mod open;

pub use close::{CloseError, CloseOutcome, CloseRequest, close_wave};
pub use model::{Wave, WaveState};
pub use open::{OpenRequest, open_wave};
