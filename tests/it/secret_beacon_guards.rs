//! What the database and `close_wave` refuse about a wave's secret, beacon
//! and close: a system secret kept apart until the close reveals it, the
//! beacon set once while drawing (the derived round only), and two
//! concurrent closes taking turns.

use std::time::Duration;

use chrono::{Duration as Days, Utc};
use sha2::{Digest, Sha256};
use workers::waves::{CloseOutcome, CloseRequest, Wave, close_wave};

use crate::data;
use crate::helpers::beacon::test_chain;
use crate::helpers::{TestEnv, eventually_async};

/// The database's message for a refused statement.
fn refusal(result: Result<sqlx::postgres::PgQueryResult, sqlx::Error>) -> String {
    let error = result.expect_err("the database refuses the statement");
    let db = error.as_database_error().expect("a database error");
    format!("{} [{}]", db.message(), db.constraint().unwrap_or(""))
}

async fn wave(env: &TestEnv, wave_id: i32) -> Wave {
    Wave::find(env.pool(), i64::from(wave_id))
        .await
        .expect("read")
        .expect("the wave")
}

#[tokio::test]
async fn a_system_secret_is_kept_apart_until_the_close_reveals_it() {
    let env = TestEnv::new().await;
    let opened = data::open(&env, "w", "national:5", Utc::now() + Days::days(1)).await;
    assert_eq!(
        opened.secret, None,
        "no secret in the wave's row while open"
    );
    let kept: Vec<u8> = sqlx::query_scalar("SELECT secret FROM wave_secrets WHERE wave_id = $1")
        .bind(opened.wave_id)
        .fetch_one(env.pool())
        .await
        .expect("the kept secret");
    assert_eq!(Sha256::digest(&kept).as_slice(), opened.commitment);
    let pool = env.pool();
    let other = [9u8; 32];
    assert!(
        refusal(
            sqlx::query("UPDATE wave_secrets SET secret = $2 WHERE wave_id = $1")
                .bind(opened.wave_id)
                .bind(other.as_slice())
                .execute(pool)
                .await
        )
        .contains("its kept secret never changes")
    );
    assert!(
        refusal(
            sqlx::query("UPDATE waves SET secret = $2 WHERE wave_id = $1")
                .bind(opened.wave_id)
                .bind(kept.as_slice())
                .execute(pool)
                .await
        )
        .contains("the secret is revealed by the close, nothing else")
    );
    let second = data::open(&env, "w2", "national:5", Utc::now() + Days::days(1)).await;
    assert!(
        refusal(
            sqlx::query(
                "INSERT INTO wave_secrets (wave_id, commitment, secret) VALUES ($1, $2, $3)"
            )
            .bind(second.wave_id)
            .bind(second.commitment.as_slice())
            .bind(other.as_slice())
            .execute(pool)
            .await
        )
        .contains("wave_secrets_check"),
        "a secret that is not the committed one"
    );

    close_wave(pool, i64::from(opened.wave_id), &CloseRequest::default())
        .await
        .expect("close");
    let closed = wave(&env, opened.wave_id).await;
    assert_eq!(
        closed.secret.as_deref(),
        Some(kept.as_slice()),
        "revealed at close"
    );
    assert_eq!(
        closed.beacon.as_deref(),
        Some(&[][..]),
        "no beacon: the empty one"
    );
    for (statement, refused) in [
        (
            "UPDATE waves SET secret = NULL WHERE wave_id = $1",
            "its revealed secret never changes",
        ),
        (
            "UPDATE waves SET beacon = '\\x00' WHERE wave_id = $1",
            "its beacon is set once and never changed",
        ),
        (
            "UPDATE waves SET beacon_source = 'drand:x' WHERE wave_id = $1",
            "the beacon source is fixed when the wave opens",
        ),
    ] {
        let message = refusal(
            sqlx::query(statement)
                .bind(opened.wave_id)
                .execute(pool)
                .await,
        );
        assert!(message.contains(refused), "{statement}: {message}");
    }
    // With the guard trigger out of the way, the checks still hold the secret
    // to the commitment.
    let mut tx = pool.begin().await.expect("tx");
    sqlx::query("SET LOCAL session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .expect("replica role");
    let message = refusal(
        sqlx::query("UPDATE waves SET secret = $2 WHERE wave_id = $1")
            .bind(opened.wave_id)
            .bind(other.as_slice())
            .execute(&mut *tx)
            .await,
    );
    assert!(
        message.contains("waves_secret_matches_commitment"),
        "{message}"
    );
}

#[tokio::test]
async fn the_beacon_is_set_once_while_drawing_and_only_the_derived_round() {
    let served = test_chain(1).await;
    let sim = served.sim.clone().expect("a simulated chain");
    let env = TestEnv::new().await;
    let opened = workers::waves::open_wave(
        env.pool(),
        workers::waves::OpenRequest {
            beacon: Some(served.chain.clone()),
            ..data::open_request(&env, "w", "national:5")
        },
    )
    .await
    .expect("open");
    assert_eq!(opened.beacon_source, "drand:test");
    let pool = env.pool();
    let set = |round: i64, signature: Vec<u8>| {
        sqlx::query(
            "UPDATE waves SET beacon_round = $2, beacon_signature = $3, beacon = sha256($3) \
              WHERE wave_id = $1",
        )
        .bind(opened.wave_id)
        .bind(round)
        .bind(signature)
        .execute(pool)
    };
    let early = refusal(set(5, sim.key.sign(5).to_vec()).await);
    assert!(early.contains("only while the wave is drawing"), "{early}");
    close_wave(pool, i64::from(opened.wave_id), &CloseRequest::default())
        .await
        .expect("close");
    let closed = wave(&env, opened.wave_id).await;
    assert_eq!(
        closed.beacon, None,
        "a drand wave's beacon waits for the draw"
    );
    assert!(
        workers::selector::inputs::freeze(pool, opened.wave_id)
            .await
            .expect("freeze")
    );
    let frozen = wave(&env, opened.wave_id).await;
    let round = served.chain.round_for(frozen.frozen_at.expect("frozen")) as i64;
    let wrong = refusal(set(round + 1, sim.key.sign(round as u64 + 1).to_vec()).await);
    assert!(
        wrong.contains(&format!("its beacon is round {round}")),
        "{wrong}"
    );
    let mismatched = refusal(
        sqlx::query(
            "UPDATE waves SET beacon_round = $2, beacon_signature = $3, beacon = $4 WHERE wave_id = $1",
        )
        .bind(opened.wave_id)
        .bind(round)
        .bind(sim.key.sign(round as u64).to_vec())
        .bind([0u8; 32].as_slice())
        .execute(pool)
        .await,
    );
    assert!(
        mismatched.contains("waves_beacon_is_randomness"),
        "{mismatched}"
    );
    set(round, sim.key.sign(round as u64).to_vec())
        .await
        .expect("the derived round is recorded");
    let again = refusal(set(round, sim.key.sign(round as u64 + 1).to_vec()).await);
    assert!(again.contains("set once and never changed"), "{again}");
}

#[tokio::test]
async fn a_wave_is_drawn_only_with_its_beacon() {
    let served = test_chain(1).await;
    let env = TestEnv::new().await;
    let opened = workers::waves::open_wave(
        env.pool(),
        workers::waves::OpenRequest {
            beacon: Some(served.chain.clone()),
            ..data::open_request(&env, "w", "national:5")
        },
    )
    .await
    .expect("open");
    close_wave(
        env.pool(),
        i64::from(opened.wave_id),
        &CloseRequest::default(),
    )
    .await
    .expect("close");
    assert!(
        workers::selector::inputs::freeze(env.pool(), opened.wave_id)
            .await
            .expect("freeze")
    );
    let message = refusal(
        sqlx::query("UPDATE waves SET state = 'drawn' WHERE wave_id = $1")
            .bind(opened.wave_id)
            .execute(env.pool())
            .await,
    );
    assert!(message.contains("drawn only with its beacon"), "{message}");
}

#[tokio::test]
async fn two_concurrent_closes_one_closes_the_other_sees_it_closed() {
    let env = TestEnv::new().await;
    let opened = data::open(&env, "w", "national:5", Utc::now() + Days::days(1)).await;
    let wave_id = i64::from(opened.wave_id);
    // Hold the wave's row so both closes are in flight at once; release it
    // only when both wait for it.
    let mut holder = env.pool().begin().await.expect("tx");
    sqlx::query("SELECT 1 FROM waves WHERE wave_id = $1 FOR UPDATE")
        .bind(opened.wave_id)
        .execute(&mut *holder)
        .await
        .expect("lock");
    let closes: Vec<_> = (0..2)
        .map(|_| {
            let pool = env.pool().clone();
            tokio::spawn(async move { close_wave(&pool, wave_id, &CloseRequest::default()).await })
        })
        .collect();
    eventually_async(
        "both closes waiting for the wave's lock",
        Duration::from_secs(20),
        || async {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
               AND wait_event_type = 'Lock' AND query LIKE '%FROM waves WHERE wave_id = $1%'",
            )
            .fetch_one(env.pool())
            .await
            .expect("activity");
            (waiting == 2).then_some(())
        },
    )
    .await;
    holder.commit().await.expect("release");
    let mut outcomes = Vec::new();
    for close in closes {
        outcomes.push(close.await.expect("joined").expect("a close is no error"));
    }
    let closed: Vec<_> = outcomes
        .iter()
        .filter_map(|o| match o {
            CloseOutcome::Closed { closed_at } => Some(*closed_at),
            CloseOutcome::AlreadyClosed { .. } => None,
        })
        .collect();
    assert_eq!(
        closed.len(),
        1,
        "one closes, the other sees it closed: {outcomes:?}"
    );
    let stored = wave(&env, opened.wave_id).await;
    assert_eq!(
        stored.closed_at,
        Some(closed[0]),
        "the first close's time stands"
    );
    let jobs: i64 = sqlx::query_scalar("SELECT count(*) FROM selection_jobs WHERE wave_id = $1")
        .bind(opened.wave_id)
        .fetch_one(env.pool())
        .await
        .expect("jobs");
    assert_eq!(jobs, 1, "one draw job");
}
