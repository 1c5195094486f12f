//! RabbitMQ: connection supervision, the contract's topology, confirmed
//! publishing and batched consuming.

mod connection;
mod consumer;
mod publisher;
pub mod sessions;
mod topology;

pub use connection::{connect, connect_with_retry, supervise};
pub use consumer::{BatchAcker, consume};
pub use publisher::{Publisher, confirmed, dead_letter_headers, dead_reason, json_properties};
pub use topology::{Queue, QueueState, Topology};
