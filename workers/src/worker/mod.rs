//! The skeleton every worker is built from: its tasks, joined so that one
//! failure stops the rest ([`Tasks`]); the advisory locks that keep one
//! draw, one run and one relay per source across every copy of a worker
//! ([`AdvisoryLock`]); and the poll loop with backoff that drives work found
//! in the database ([`poll`]). Consuming a queue is [`crate::consume::serve`].

mod advisory;
mod poll;
mod tasks;

pub use advisory::{AdvisoryLock, advisory_key};
pub use poll::{Next, poll};
pub use tasks::Tasks;
