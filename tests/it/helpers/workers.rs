//! The workspace's binaries, for tests that run real processes (to kill
//! them, or to check exit codes).

use std::path::PathBuf;

/// A worker binary.
#[derive(Debug, Clone, Copy)]
pub enum WorkerKind {
    Validator,
    Selector,
    Disburser,
    GatewaySimulator,
    Prakerja,
}

/// The path of a binary built for this test run.
pub fn bin(kind: WorkerKind) -> PathBuf {
    PathBuf::from(match kind {
        WorkerKind::Validator => env!("CARGO_BIN_EXE_validator"),
        WorkerKind::Selector => env!("CARGO_BIN_EXE_selector"),
        WorkerKind::Disburser => env!("CARGO_BIN_EXE_disburser"),
        WorkerKind::GatewaySimulator => env!("CARGO_BIN_EXE_gateway-simulator"),
        WorkerKind::Prakerja => env!("CARGO_BIN_EXE_prakerja"),
    })
}
