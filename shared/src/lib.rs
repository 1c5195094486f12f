//! The Prakerja pipeline's shared library: configuration, telemetry, storage,
//! messaging, the programme's rules and the selection algorithm. Binaries in
//! `workers` are thin wrappers around it.

pub mod amqp;
pub mod backoff;
pub mod beacon;
pub mod config;
pub mod db;
pub mod db_text;
pub mod domain;
pub mod events;
pub mod generate;
pub mod mask;
pub mod messages;
mod messages_debug;
pub mod payments;
pub mod selection;
pub mod skew;
pub mod telemetry;
