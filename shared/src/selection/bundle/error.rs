//! Errors reading or writing a bundle: each names the file, and the line
//! and field when there is one.

use std::io;

use thiserror::Error;

/// What is wrong with a bundle directory.
#[derive(Debug, Error)]
pub enum BundleError {
    /// A file could not be read or written.
    #[error("{file}: {action}: {cause}")]
    Io {
        /// The file's path.
        file: String,
        /// `cannot read` or `cannot write`.
        action: &'static str,
        /// The cause (in the message, so not also a `source` that would
        /// print it twice).
        cause: io::Error,
    },
    /// A field holds a bad value, e.g.
    /// `candidates.csv line 17: nik "12345" is not 16 ASCII digits`.
    #[error("{file} line {line}: {field} {value:?} {problem}")]
    Field {
        /// The file's name inside the bundle.
        file: String,
        /// 1-based line number.
        line: u64,
        /// The field (column or JSON key).
        field: String,
        /// The offending text.
        value: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A line is wrong as a whole (header, number of fields, syntax,
    /// duplicates).
    #[error("{file} line {line}: {message}")]
    Line {
        /// The file's name inside the bundle.
        file: String,
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        message: String,
    },
}

impl BundleError {
    pub(super) fn field(
        file: &str,
        line: u64,
        field: &str,
        value: &str,
        problem: impl Into<String>,
    ) -> Self {
        Self::Field {
            file: file.to_owned(),
            line,
            field: field.to_owned(),
            value: value.to_owned(),
            problem: problem.into(),
        }
    }

    pub(super) fn line(file: &str, line: u64, message: impl Into<String>) -> Self {
        Self::Line {
            file: file.to_owned(),
            line,
            message: message.into(),
        }
    }

    pub(super) fn read(file: &std::path::Path, cause: io::Error) -> Self {
        Self::Io {
            file: file.display().to_string(),
            action: "cannot read",
            cause,
        }
    }

    pub(super) fn write(file: &std::path::Path, cause: io::Error) -> Self {
        Self::Io {
            file: file.display().to_string(),
            action: "cannot write",
            cause,
        }
    }
}
