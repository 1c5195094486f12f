//! The SQLSTATEs the validator's store acts on itself.

/// `23505`: a registration of the batch is stored already (a redelivery).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    code_is(error, "23505")
}

/// `25006`: the session is read-only (a standby, or a database switched to
/// read-only when the session began).
pub fn is_read_only(error: &sqlx::Error) -> bool {
    code_is(error, "25006")
}

fn code_is(error: &sqlx::Error, expected: &str) -> bool {
    error
        .as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == expected)
}
