//! `prakerja migrate`: creates the database if needed and applies pending
//! migrations.

use anyhow::Context;
use serde::Serialize;
use sqlx::Connection;

use super::error::CliResult;
use crate::app::App;

#[derive(Debug, Serialize)]
pub struct MigrateReport {
    pub database: String,
    pub created: bool,
    pub applied: Vec<i64>,
    pub latest: Option<i64>,
}

pub async fn run(app: &App) -> CliResult<MigrateReport> {
    let created = ensure_database(app).await?;
    let before: Vec<i64> = applied_versions(app).await.unwrap_or_default();
    shared::db::migrate(&app.pool)
        .await
        .context("applying migrations")?;
    let after = applied_versions(app).await?;
    Ok(MigrateReport {
        database: app.settings.database.database_name()?,
        created,
        applied: after
            .iter()
            .filter(|v| !before.contains(v))
            .copied()
            .collect(),
        latest: after.last().copied(),
    })
}

pub fn human(report: &MigrateReport) -> String {
    let mut text = String::new();
    if report.created {
        text.push_str(&format!("created database {}\n", report.database));
    }
    if report.applied.is_empty() {
        text.push_str(&format!("database {} is up to date", report.database));
    } else {
        text.push_str(&format!(
            "applied {} migration(s) to {}; schema version {}",
            report.applied.len(),
            report.database,
            report.latest.unwrap_or_default()
        ));
    }
    text
}

/// Creates the configured database when it does not exist.
pub async fn ensure_database(app: &App) -> anyhow::Result<bool> {
    let name = app.settings.database.database_name()?;
    let admin = shared::db::primary_options(&app.settings.database)
        .await?
        .database("postgres");
    let mut connection = sqlx::PgConnection::connect_with(&admin)
        .await
        .context("connecting to PostgreSQL")?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(&mut connection)
            .await?;
    if !exists {
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        // A concurrent creator may win the race; that is fine.
        if let Err(error) = sqlx::query(&format!("CREATE DATABASE {quoted}"))
            .execute(&mut connection)
            .await
        {
            let duplicate = error
                .as_database_error()
                .and_then(|e| e.code())
                .is_some_and(|code| code == "42P04" || code == "23505");
            if !duplicate {
                return Err(error).context(format!("creating database {name}"));
            }
        }
    }
    let _ = connection.close().await;
    Ok(!exists)
}

async fn applied_versions(app: &App) -> anyhow::Result<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&app.pool)
            .await?,
    )
}
