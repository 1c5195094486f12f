//! Readiness: the database answers, and every supervised RabbitMQ session
//! (consumers, relays) is connected. Liveness needs nothing: a process that
//! answers HTTP is alive, and it reconnects to the services by itself.

use std::time::Duration;

use serde::Serialize;
use sqlx::PgPool;

/// How long the database may take to answer a readiness check.
const DATABASE_TIMEOUT: Duration = Duration::from_secs(2);

/// What `/readyz` found.
#[derive(Debug, Serialize)]
pub struct Readiness {
    pub ready: bool,
    /// `true`, `false`, or `null` for a process without a database.
    pub database: Option<bool>,
    /// Each RabbitMQ session of the process and whether it is connected.
    pub sessions: Vec<(String, bool)>,
    /// What is wrong, for a person.
    pub problems: Vec<String>,
}

/// Checks readiness now. `amqp`: the process consumes or relays, so it is
/// ready only once it has sessions and all of them are connected.
pub async fn readiness(pool: Option<&PgPool>, amqp: bool) -> Readiness {
    let mut problems = Vec::new();
    let database = match pool {
        None => None,
        Some(pool) => {
            let ping =
                tokio::time::timeout(DATABASE_TIMEOUT, sqlx::query("SELECT 1").execute(pool));
            let ok = match ping.await {
                Ok(Ok(_)) => true,
                Ok(Err(error)) => {
                    problems.push(format!("PostgreSQL: {error}"));
                    false
                }
                Err(_) => {
                    problems.push(format!(
                        "PostgreSQL: no answer within {}s",
                        DATABASE_TIMEOUT.as_secs()
                    ));
                    false
                }
            };
            Some(ok)
        }
    };
    let sessions = shared::amqp::sessions::snapshot();
    if amqp {
        if sessions.is_empty() {
            problems.push("RabbitMQ: no session started yet".to_owned());
        }
        for (name, live) in &sessions {
            if !live {
                problems.push(format!("RabbitMQ: {name} is not connected"));
            }
        }
    }
    Readiness {
        ready: problems.is_empty(),
        database,
        sessions,
        problems,
    }
}
