//! Hostile registrations: values PostgreSQL cannot hold are rejected
//! `FIELD_INVALID` in their batch (nothing dead-lettered, the good ones
//! stored); a body over its queue's limit is dead-lettered unread; a refused
//! permission is an infrastructure fault the validator waits out.

use std::time::Duration;

use chrono::Duration as Days;
use serde_json::{Value, json};
use shared::amqp::{Queue, dead_reason};
use uuid::Uuid;

use crate::data;
use crate::fault_support::{logs, spawn};
use crate::helpers::{TestEnv, WorkerKind, eventually_async};
use crate::validator::{judged, spawn_validator, wait_for_rows};

/// `template` as a new registration with `path` set to `value`.
fn variant(template: &Value, path: &str, value: Value) -> (Uuid, Value) {
    let mut json = template.clone();
    let id = Uuid::new_v4();
    json["registration_id"] = json!(id);
    match path.split_once('.') {
        Some((outer, inner)) => json[outer][inner] = value,
        None => json[path] = value,
    }
    (id, json)
}

#[tokio::test]
async fn values_postgresql_cannot_hold_are_field_invalid_and_their_batch_is_stored() {
    let env = TestEnv::new().await;
    let wave = data::open_briefly(&env, "w", "national:10", Days::seconds(2)).await;
    let good = data::generate(&wave, 10, 21, 0.0);
    let template = &good[1].json;
    let mut hostile = vec![
        variant(template, "nik", json!("3171014708\u{0}900001")),
        // Over the btree limit (~2.7 kB) of the (nik, wave_id) index.
        variant(template, "nik", json!("3".repeat(3000))),
        variant(template, "birth_date", json!("0000-06-15")),
        variant(template, "submitted_at", json!("0001-01-01T00:30:00+01:00")),
        variant(template, "email", json!("a\u{0}@example.com")),
        variant(template, "payout.account", json!("12\u{0}34")),
        variant(template, "full_name", json!("Budi\u{0}")),
    ];
    let mut bodies = data::bodies(&good);
    for (_, json) in &hostile {
        bodies.push(serde_json::to_vec(json).expect("json"));
    }
    // Members jsonb refuses in the raw message kept with a rejection: a NUL
    // escape and a lone surrogate in members the reader skips.
    for note in [r#""\u0000""#, r#""\ud800""#, "1e99999"] {
        let (id, json) = variant(template, "education", json!("NOT_A_LEVEL"));
        let text = serde_json::to_string(&json).expect("json");
        bodies.push(format!("{{\"note\": {note}, {}", &text[1..]).into_bytes());
        hostile.push((id, json));
    }
    env.publish_raw(Queue::RegistrationsSubmitted, &bodies)
        .await;
    let (stop, handle) = spawn_validator(&env);
    wait_for_rows(&env, bodies.len() as i64, Duration::from_secs(60)).await;
    stop.cancel();
    handle.await.expect("joined").expect("validator ran");

    let stored = judged(&env).await;
    assert_eq!(stored.len(), bodies.len(), "every registration stored");
    for record in &good {
        let expected: Vec<String> = data::expected(record)
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect();
        assert_eq!(stored[&data::id(record)].1, expected, "{}", record.json);
    }
    for (id, json) in &hostile {
        let (status, reasons) = &stored[id];
        assert_eq!(status, "rejected", "{json}");
        assert!(reasons.contains(&"FIELD_INVALID".to_owned()), "{json}");
    }
    let long_nik: Option<String> =
        sqlx::query_scalar("SELECT nik FROM registrations WHERE registration_id = $1")
            .bind(hostile[1].0)
            .fetch_one(env.pool())
            .await
            .expect("row");
    assert_eq!(long_nik, None, "an unstorable value is not kept");
    let dead_queue = env.topology().dead_name(Queue::RegistrationsSubmitted);
    assert_no_dead_letters(&env, &dead_queue).await;
}

#[tokio::test]
async fn a_body_over_the_queue_limit_is_dead_lettered_unread_and_blocks_nothing() {
    let env = TestEnv::new().await;
    let limit = env
        .app
        .settings
        .limits
        .max_body_bytes(Queue::RegistrationsSubmitted);
    let wave = data::open_briefly(&env, "w", "national:10", Days::seconds(2)).await;
    let good = data::generate(&wave, 5, 22, 0.0);
    let (big_id, mut big) = variant(&good[0].json, "nik", json!("3171014708900001"));
    big["padding"] = json!("x".repeat(limit));
    let mut bodies = data::bodies(&good);
    bodies.push(serde_json::to_vec(&big).expect("json"));
    env.publish_raw(Queue::RegistrationsSubmitted, &bodies)
        .await;
    let (stop, handle) = spawn_validator(&env);
    wait_for_rows(&env, 5, Duration::from_secs(60)).await;
    let dead_queue = env.topology().dead_name(Queue::RegistrationsSubmitted);
    eventually_async("one dead letter", Duration::from_secs(30), || async {
        (env.ready(&dead_queue).await == 1).then_some(())
    })
    .await;
    stop.cancel();
    handle.await.expect("joined").expect("validator ran");
    let dead = env.drain(&dead_queue).await;
    let reason = dead_reason(&dead[0].delivery.properties).expect("a reason");
    assert!(
        reason.contains(&format!(
            "over the limit of {limit} for registrations.submitted"
        )),
        "{reason}"
    );
    assert_eq!(dead[0].delivery.data.len(), bodies[5].len(), "kept whole");
    assert!(!judged(&env).await.contains_key(&big_id));
}

#[tokio::test]
async fn a_refused_permission_pauses_the_validator_and_nothing_is_lost() {
    let env = TestEnv::new().await;
    let wave = data::open_briefly(&env, "w", "national:10", Days::seconds(2)).await;
    let good = data::generate(&wave, 30, 23, 0.1);
    env.publish_raw(Queue::RegistrationsSubmitted, &data::bodies(&good))
        .await;
    // The validator logs in as a role that may do everything but insert
    // registrations (42501).
    let role = format!("hostile_{}", &env.prefix[1..13]);
    // The administrator's URL (env.app's): only it creates and drops roles.
    let admin_url = secrecy::ExposeSecret::expose_secret(&env.app.settings.database.url).to_owned();
    let _drop_role = DropRole {
        database_url: admin_url.clone(),
        role: role.clone(),
    };
    for sql in [
        format!("CREATE ROLE {role} LOGIN"),
        format!("GRANT USAGE ON SCHEMA public TO {role}"),
        format!("GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}"),
        format!("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}"),
        format!("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {role}"),
        format!("REVOKE INSERT ON registrations FROM {role}"),
    ] {
        sqlx::query(&sql).execute(env.pool()).await.expect(&sql);
    }
    let url = admin_url.replacen("postgres://postgres@", &format!("postgres://{role}@"), 1);
    assert_ne!(url, admin_url, "the test URL names the postgres user");
    let worker = spawn(
        &env,
        WorkerKind::Validator,
        &[],
        &[("PRAKERJA__DATABASE__URL", &url)],
    );
    eventually_async("the validator retries", Duration::from_secs(60), || async {
        let text = logs(&env, WorkerKind::Validator);
        (text.contains("retrying the batch") && text.contains("permission denied")).then_some(())
    })
    .await;
    let dead_queue = env.topology().dead_name(Queue::RegistrationsSubmitted);
    assert_eq!(crate::validator::stored_count(&env).await, 0);
    assert_no_dead_letters(&env, &dead_queue).await;

    sqlx::query(&format!("GRANT INSERT ON registrations TO {role}"))
        .execute(env.pool())
        .await
        .expect("grant");
    wait_for_rows(&env, good.len() as i64, Duration::from_secs(60)).await;
    let _ = worker.stop(Duration::from_secs(10)).await;
    assert_no_dead_letters(&env, &dead_queue).await;
    let stored = judged(&env).await;
    for record in &good {
        let expected: Vec<String> = data::expected(record)
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect();
        assert_eq!(stored[&data::id(record)].1, expected, "{}", record.json);
    }
}

/// The queue is empty; else fails with the reasons of what is in it.
async fn assert_no_dead_letters(env: &TestEnv, dead_queue: &str) {
    if env.ready(dead_queue).await > 0 {
        let reasons: Vec<Option<String>> = env
            .drain(dead_queue)
            .await
            .iter()
            .map(|m| dead_reason(&m.delivery.properties))
            .collect();
        panic!("dead-lettered: {reasons:?}");
    }
}

/// Drops a test's role (and its grants) when the test ends, even on failure,
/// before its database is dropped.
struct DropRole {
    database_url: String,
    role: String,
}

impl Drop for DropRole {
    fn drop(&mut self) {
        let (url, role) = (self.database_url.clone(), self.role.clone());
        // Its own runtime, on its own thread: the test's is blocked here.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                use sqlx::Connection;
                let Ok(mut db) = sqlx::PgConnection::connect(&url).await else {
                    return;
                };
                for sql in [format!("DROP OWNED BY {role}"), format!("DROP ROLE {role}")] {
                    if let Err(error) = sqlx::query(&sql).execute(&mut db).await {
                        eprintln!("{sql}: {error}");
                    }
                }
                let _ = db.close().await;
            });
        })
        .join();
    }
}
