//! Failpoints: places where a test makes a worker process die, to show that
//! what it leaves behind is finished by the next one. Compiled only with the
//! `failpoints` feature (the tests' build; `cargo build --release` has none
//! of it: without the feature [`crash`] is empty and the `fail` crate is not
//! linked). A process reads its failpoints from the `FAILPOINTS` environment
//! variable at start (`name=return;other=1*return`, the `fail` crate's
//! syntax); an enabled point exits the process at once with
//! [`CRASH_STATUS`], no destructor, no flush of anything but stderr.
//!
//! The points (ARCHITECTURE.md, "Failpoints"):
//! - `disburser-slice-committed`: a run's slice (entitlements, instructions,
//!   outbox rows) committed, the relay not woken.
//! - `relay-<source>-published`: a batch of an outbox published, no confirm
//!   awaited (`<source>`: `payment-instructions`, `participants-selected`).
//! - `relay-<source>-confirmed`: a batch's confirms in, its rows not yet
//!   marked sent (the outbox rows not deleted).
//! - `selector-inputs-frozen`: a wave's draw inputs frozen (`drawing`),
//!   nothing drawn or stored.
//! - `disburser-run-locked`: a disburser holds the runs lock, before it reads
//!   the requests (with `sleep(MS)`: two disbursers meet at the lock).

/// The exit status of a process a failpoint ended.
pub const CRASH_STATUS: i32 = 86;

/// Reads `FAILPOINTS` (once, at start-up). Without the feature: nothing.
pub fn setup() {
    #[cfg(feature = "failpoints")]
    if std::env::var_os("FAILPOINTS").is_some() {
        // The scenario lives as long as the process.
        std::mem::forget(fail::FailScenario::setup());
        tracing::warn!(failpoints = ?std::env::var("FAILPOINTS"), "failpoints enabled");
    }
}

/// Exits the process here if the failpoint `name` is enabled (action
/// `return`); otherwise (and without the feature) does nothing. Other
/// actions of the `fail` crate (`sleep(MS)`, `pause`, `panic`) act as usual.
#[inline]
pub fn crash(name: &str) {
    #[cfg(feature = "failpoints")]
    fail::fail_point!(name, |_| {
        eprintln!("failpoint {name}: the process exits here");
        std::process::exit(CRASH_STATUS)
    });
    #[cfg(not(feature = "failpoints"))]
    let _ = name;
}

/// [`crash`] at the failpoint `relay-<source>-<step>` of an outbox relay
/// (the name is only built with the feature).
#[inline]
pub fn crash_in_relay(source: &str, step: &str) {
    #[cfg(feature = "failpoints")]
    crash(&format!("relay-{source}-{step}"));
    #[cfg(not(feature = "failpoints"))]
    let _ = (source, step);
}
