//! Statements the database must refuse, and ones it must let through.

use sqlx::PgPool;

/// `sql` fails with SQLSTATE 23001 from `trigger`.
pub async fn refused(pool: &PgPool, sql: &str, trigger: &str) -> String {
    let error = sqlx::query(sql)
        .execute(pool)
        .await
        .expect_err(&format!("refused: {sql}"));
    let database = error
        .as_database_error()
        .unwrap_or_else(|| panic!("{sql}: not a database error: {error}"));
    assert_eq!(
        database.code().as_deref(),
        Some("23001"),
        "{sql}: {database}"
    );
    let message = database.message().to_owned();
    assert!(
        message.starts_with(&format!("{trigger}: ")),
        "{sql}: refused by {trigger}, got: {message}"
    );
    message
}

pub async fn allowed(pool: &PgPool, sql: &str) {
    sqlx::query(sql)
        .execute(pool)
        .await
        .unwrap_or_else(|e| panic!("allowed: {sql}: {e}"));
}

/// `sql` fails with SQLSTATE 42501 (insufficient_privilege): the role it
/// runs as may not do it.
pub async fn denied(pool: &PgPool, sql: &str) {
    let error = sqlx::query(sql)
        .execute(pool)
        .await
        .expect_err(&format!("denied: {sql}"));
    let database = error
        .as_database_error()
        .unwrap_or_else(|| panic!("{sql}: not a database error: {error}"));
    assert_eq!(
        database.code().as_deref(),
        Some("42501"),
        "{sql}: {database}"
    );
}
