//! The beacon SIMULATOR, for the demo and the tests (as `gateway_sim` is the
//! payment gateway's): a test chain with a BLS12-381 key it generates (or
//! derives from a seed), signing rounds as drand's quicknet does and serving
//! drand's HTTP API, so that a wave can take `drand:<simulator chain>` and
//! everything downstream (fetch, `drand-verify`, audit) runs as with
//! quicknet. It is no source of public randomness: whoever runs it knows
//! every future round.

mod chain;
mod key;
mod server;

pub use chain::SimChain;
pub use key::{DST_G1, SimKey};
pub use server::{Rounds, serve};
