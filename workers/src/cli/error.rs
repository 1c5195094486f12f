//! How `prakerja` fails: exit 2 for bad usage or input, 1 for a failed check
//! (audit mismatch, broken invariant), 3 when a service or the system fails.

use std::fmt;

/// A command's failure, carrying its exit code.
#[derive(Debug)]
pub enum CliError {
    /// Bad usage or input: exit 2. The message names the field, line or wave.
    Input(anyhow::Error),
    /// A check that did not hold (audit mismatch, broken invariant): exit 1.
    /// The command has already printed its findings.
    CheckFailed(String),
    /// Anything else (a service unreachable, a bug): exit 3.
    Failure(anyhow::Error),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::CheckFailed(_) => 1,
            CliError::Input(_) => 2,
            CliError::Failure(_) => 3,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Input(e) | CliError::Failure(e) => write!(f, "{e:#}"),
            CliError::CheckFailed(what) => f.write_str(what),
        }
    }
}

impl From<anyhow::Error> for CliError {
    fn from(error: anyhow::Error) -> Self {
        CliError::Failure(error)
    }
}

impl From<lapin::Error> for CliError {
    fn from(error: lapin::Error) -> Self {
        CliError::Failure(error.into())
    }
}

impl From<sqlx::Error> for CliError {
    fn from(error: sqlx::Error) -> Self {
        CliError::Failure(error.into())
    }
}

/// A command's result.
pub type CliResult<T> = Result<T, CliError>;

/// Builds an input error (exit 2) from a message.
pub fn input(message: impl fmt::Display) -> CliError {
    CliError::Input(anyhow::anyhow!("{message}"))
}

/// Marks an error as the input's fault (exit 2).
pub trait InputContext<T> {
    fn input_err(self) -> CliResult<T>;
}

impl<T, E: Into<anyhow::Error>> InputContext<T> for Result<T, E> {
    fn input_err(self) -> CliResult<T> {
        self.map_err(|e| CliError::Input(e.into()))
    }
}
