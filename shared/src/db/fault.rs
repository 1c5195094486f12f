//! What a database error means for a consumer holding a batch of messages:
//! the infrastructure failed (wait and retry the same batch: the messages are
//! good), the data cannot be held (find the message and set it aside), or the
//! program is wrong (wait for a fix: dead-lettering good messages would lose
//! them to a bug).

/// The kind of a database error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The connection, the server's state or its configuration: a lost
    /// connection, a pool timeout, a read-only standby (`25006`), a refused
    /// permission (`42501`), a serialization conflict, a server shutting
    /// down or out of resources. Retry with backoff; never dead-letter.
    Infrastructure,
    /// The data itself: a value PostgreSQL cannot hold or a constraint it
    /// breaks (SQLSTATE classes `22`, `23`, `54`), or one the driver cannot
    /// encode.
    DataRejected,
    /// Anything else: a query or schema that does not match the program
    /// (undefined table or column, syntax error, decoding a column).
    Bug,
}

/// Classifies a database error.
pub fn classify(error: &sqlx::Error) -> Fault {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_) => Fault::Infrastructure,
        // A value the driver cannot encode is about that value.
        sqlx::Error::Encode(_) => Fault::DataRejected,
        sqlx::Error::Database(db) => match db.code() {
            Some(code) => classify_code(&code),
            None => Fault::Bug,
        },
        _ => Fault::Bug,
    }
}

/// Classifies a SQLSTATE.
pub fn classify_code(code: &str) -> Fault {
    let infrastructure = code == "40001" // serialization_failure
        || code == "40P01" // deadlock_detected
        || code == "25006" // read_only_sql_transaction
        || code == "42501" // insufficient_privilege
        || code == "28000" // invalid_authorization_specification
        || code == "28P01" // invalid_password
        || code.starts_with("08") // connection exceptions
        || code.starts_with("57") // operator intervention
        || code.starts_with("53") // insufficient resources
        || code.starts_with("58"); // system error (I/O)
    if infrastructure {
        Fault::Infrastructure
    } else if code.starts_with("22") || code.starts_with("23") || code.starts_with("54") {
        Fault::DataRejected
    } else {
        Fault::Bug
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_fall_in_their_classes() {
        for code in ["25006", "42501", "08006", "57P01", "53300", "40001"] {
            assert_eq!(classify_code(code), Fault::Infrastructure, "{code}");
        }
        for code in ["22021", "22008", "54000", "23505", "22P05"] {
            assert_eq!(classify_code(code), Fault::DataRejected, "{code}");
        }
        for code in ["42P01", "42703", "42601", "XX000"] {
            assert_eq!(classify_code(code), Fault::Bug, "{code}");
        }
        assert_eq!(classify(&sqlx::Error::PoolTimedOut), Fault::Infrastructure);
        assert_eq!(
            classify(&sqlx::Error::Encode("too large".into())),
            Fault::DataRejected
        );
        assert_eq!(
            classify(&sqlx::Error::ColumnNotFound("x".into())),
            Fault::Bug
        );
    }
}
