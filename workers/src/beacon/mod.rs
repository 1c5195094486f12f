//! The draw's beacon at work: the HTTP client for drand's public API
//! (`client`), recording a verified round on a wave (`record`, used by the
//! selector and by `prakerja wave beacon`), the selector's wait for the
//! round (`wait`), and the fields a manifest publishes (`publish`). The pure
//! part (chains, round arithmetic, verification) is `shared::beacon`.

mod client;
mod publish;
mod record;
mod wait;

pub use client::{DrandClient, FetchError, Fetched, urls_for};
pub use publish::publish;
pub use record::{RecordError, Recorded, record_beacon};
pub use wait::await_beacon;
