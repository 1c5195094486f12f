//! `prakerja disburse pause|resume [--provider P]`: while a provider (or
//! all, scope `*`) is paused, the relay publishes no instruction to it and
//! no run instructs it; its entitlements stay due for a run after the
//! resume. A pause returns only once no relay batch fetched before it is
//! still being published (the relay's gate, `relay::pause_gate`).

use std::time::Duration;

use serde::Serialize;
use sqlx::{Connection, PgPool};

use super::{Pause, SteerError, refused};

/// How long a pause waits for a relay batch in flight.
const GATE_WAIT: Duration = Duration::from_secs(30);

/// What is paused or resumed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Provider(String),
}

impl Scope {
    /// `None`: all providers; else a provider code the programme knows
    /// (a bank, an e-wallet, or the card provider).
    pub fn parse(provider: Option<&str>, card_provider: &str) -> Result<Scope, SteerError> {
        let Some(text) = provider else {
            return Ok(Scope::All);
        };
        let code = text.trim().to_ascii_uppercase();
        if code == card_provider || shared::domain::Provider::from_code(&code).is_some() {
            return Ok(Scope::Provider(code));
        }
        Err(refused(format!(
            "--provider {text:?} is not a provider: one of BNI, BRI, MANDIRI, BCA, OVO, GOPAY, LINKAJA, DANA, {card_provider}"
        )))
    }

    pub fn key(&self) -> &str {
        match self {
            Scope::All => "*",
            Scope::Provider(p) => p,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PauseOutcome {
    pub scope: String,
    /// False: it was paused already (nothing recorded).
    pub paused_now: bool,
    pub pause: Pause,
    /// Every relay batch fetched before the pause has been published.
    pub relay_settled: bool,
}

#[derive(Debug, Serialize)]
pub struct ResumeOutcome {
    /// Scopes lifted.
    pub resumed: Vec<String>,
    /// Pauses still in force.
    pub still_paused: Vec<Pause>,
}

/// Pauses `scope`, recorded with who and why (idempotent).
pub async fn pause(
    pool: &PgPool,
    scope: &Scope,
    by: &str,
    note: &str,
) -> Result<PauseOutcome, SteerError> {
    if note.trim().is_empty() {
        return Err(refused(
            "--note must say why (it is recorded with the pause)",
        ));
    }
    let mut tx = pool.begin().await?;
    let inserted: Option<Pause> = sqlx::query_as(
        "INSERT INTO payment_pauses (scope, paused_by, note) VALUES ($1, $2, $3) \
         ON CONFLICT (scope) DO NOTHING RETURNING scope, paused_by, paused_at, note",
    )
    .bind(scope.key())
    .bind(by)
    .bind(note)
    .fetch_optional(&mut *tx)
    .await?;
    let paused_now = inserted.is_some();
    if paused_now {
        log(&mut tx, scope.key(), "pause", by, note).await?;
    }
    tx.commit().await?;
    let pause = match inserted {
        Some(pause) => pause,
        None => {
            sqlx::query_as(
                "SELECT scope, paused_by, paused_at, note FROM payment_pauses WHERE scope = $1",
            )
            .bind(scope.key())
            .fetch_one(pool)
            .await?
        }
    };
    let relay_settled = wait_for_relay(pool).await?;
    Ok(PauseOutcome {
        scope: scope.key().to_owned(),
        paused_now,
        pause,
        relay_settled,
    })
}

/// Lifts the pause of `scope`; `All` lifts every pause.
pub async fn resume(
    pool: &PgPool,
    scope: &Scope,
    by: &str,
    note: &str,
) -> Result<ResumeOutcome, SteerError> {
    if note.trim().is_empty() {
        return Err(refused(
            "--note must say why (it is recorded with the resume)",
        ));
    }
    let mut tx = pool.begin().await?;
    let resumed: Vec<String> = match scope {
        Scope::All => {
            sqlx::query_scalar("DELETE FROM payment_pauses RETURNING scope")
                .fetch_all(&mut *tx)
                .await?
        }
        Scope::Provider(p) => {
            sqlx::query_scalar("DELETE FROM payment_pauses WHERE scope = $1 RETURNING scope")
                .bind(p)
                .fetch_all(&mut *tx)
                .await?
        }
    };
    for lifted in &resumed {
        log(&mut tx, lifted, "resume", by, note).await?;
    }
    tx.commit().await?;
    let still_paused = super::status(pool).await?.pauses;
    Ok(ResumeOutcome {
        resumed,
        still_paused,
    })
}

async fn log(
    tx: &mut sqlx::PgConnection,
    scope: &str,
    action: &str,
    by: &str,
    note: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO payment_pause_log (scope, action, done_by, note) VALUES ($1, $2, $3, $4)",
    )
    .bind(scope)
    .bind(action)
    .bind(by)
    .bind(note)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Waits (up to [`GATE_WAIT`]) until no relay batch fetched before the
/// pause is still being published.
async fn wait_for_relay(pool: &PgPool) -> Result<bool, sqlx::Error> {
    let mut connection = pool.acquire().await?.detach();
    let key = crate::relay::pause_gate();
    let waited = tokio::time::timeout(
        GATE_WAIT,
        sqlx::query("SELECT pg_advisory_lock($1), pg_advisory_unlock($1)")
            .bind(key)
            .execute(&mut connection),
    )
    .await;
    let settled = matches!(waited, Ok(Ok(_)));
    let _ = connection.close().await;
    match waited {
        Ok(Err(error)) => Err(error),
        _ => Ok(settled),
    }
}
