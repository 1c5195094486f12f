//! A wave is born open, keeps what it was opened with and only moves
//! forward, whoever sends the statement (migration 20261130010001): each
//! refusal is SQLSTATE 23001 (restrict_violation) from the trigger named in
//! its message. Its state is read as a `WaveState`, strictly.

use chrono::{Duration as Days, Utc};
use workers::waves::{CloseRequest, Wave, WaveState, close_wave};

use crate::data;
use crate::helpers::{TestEnv, allowed, refused};

#[tokio::test]
async fn a_wave_is_born_open_keeps_what_it_opened_with_and_only_moves_forward() {
    let env = TestEnv::new().await;
    let pool = env.pool();
    let insert = |state: &str, opened_at: &str| {
        format!(
            "INSERT INTO waves (name, scheme_name, scheme, allocation, kk_cap, commitment, secret, \
                 secret_source, closes_at, state, closed_at, opened_at) \
             SELECT 'x', scheme_name, scheme, allocation, kk_cap, commitment, secret, secret_source, \
                    now() + interval '1 day', '{state}', {closed_at}, {opened_at} FROM waves LIMIT 1",
            closed_at = if state == "open" { "NULL" } else { "now()" },
        )
    };
    let wave = data::open(&env, "w", "national:10", Utc::now() + Days::days(1)).await;
    let w = wave.wave_id;
    refused(pool, &insert("closed", "now()"), "waves_born_open").await;
    refused(
        pool,
        &insert("open", "now() - interval '1 day'"),
        "waves_born_open",
    )
    .await;
    for set in [
        "name = 'renamed'",
        "scheme_name = '2023'",
        "scheme = scheme || '{\"kk_cap\": 9}'",
        "allocation = 'national:99'",
        "kk_cap = 9",
        "commitment = sha256('other')",
        "secret_source = 'operator'",
        "opened_at = opened_at - interval '1 day'",
        "closes_at = closes_at + interval '1 day'",
    ] {
        let column = set.split(' ').next().expect("column");
        let message = refused(
            pool,
            &format!("UPDATE waves SET {set} WHERE wave_id = {w}"),
            "waves_fixed_at_open",
        )
        .await;
        assert!(message.contains(column), "{message}");
    }
    refused(
        pool,
        &format!(
            "UPDATE waves SET state = 'drawing', closed_at = now(), frozen_at = now() WHERE wave_id = {w}"
        ),
        "waves_state_machine",
    )
    .await;
    // Straight to drawn: the beacon's guard (it fires first, by name) refuses
    // a drawn wave without its beacon before the state machine sees the jump.
    let jump = sqlx::query(&format!(
        "UPDATE waves SET state = 'drawn', closed_at = now(), frozen_at = now() WHERE wave_id = {w}"
    ))
    .execute(pool)
    .await
    .expect_err("open -> drawn is refused");
    assert!(
        jump.to_string().contains("drawn only with its beacon"),
        "{jump}"
    );
    allowed(
        pool,
        &format!("UPDATE wave_quotas SET quota = quota WHERE wave_id = {w}"),
    )
    .await;
    close_wave(pool, i64::from(w), &CloseRequest::default())
        .await
        .expect("close");
    refused(
        pool,
        &format!("UPDATE waves SET state = 'open', closed_at = NULL WHERE wave_id = {w}"),
        "waves_state_machine",
    )
    .await;
    refused(
        pool,
        &format!("UPDATE waves SET closed_at = closed_at - interval '1 hour' WHERE wave_id = {w}"),
        "waves_state_machine",
    )
    .await;
    refused(
        pool,
        &format!("INSERT INTO wave_quotas (wave_id, province, quota) VALUES ({w}, '31', 5)"),
        "wave_quotas_fixed_at_close",
    )
    .await;
    refused(
        pool,
        &format!(
            "UPDATE waves SET state = 'drawing', frozen_at = now() - interval '1 day' WHERE wave_id = {w}"
        ),
        "waves_state_machine",
    )
    .await;
    assert!(
        workers::selector::inputs::freeze(pool, w)
            .await
            .expect("freeze")
    );
    refused(
        pool,
        &format!("UPDATE waves SET frozen_at = clock_timestamp() WHERE wave_id = {w}"),
        "waves_state_machine",
    )
    .await;
    refused(
        pool,
        &format!("UPDATE waves SET state = 'closed' WHERE wave_id = {w}"),
        "waves_state_machine",
    )
    .await;
    refused(
        pool,
        &format!(
            "INSERT INTO selections (wave_id, algorithm, manifest, manifest_text, skew, skew_flagged, \
                 candidates, duration_ms) \
             SELECT {other}, 'x', '{{}}', '{{}}', '{{}}', false, 0, 0",
            other = data::open(&env, "other", "national:1", Utc::now() + Days::days(1))
                .await
                .wave_id
        ),
        "selections_written_while_drawing",
    )
    .await;
    refused(
        pool,
        &format!("DELETE FROM waves WHERE wave_id = {w}"),
        "waves_state_machine",
    )
    .await;
    let state: WaveState = sqlx::query_scalar("SELECT state FROM waves WHERE wave_id = $1")
        .bind(w)
        .fetch_one(pool)
        .await
        .expect("state");
    assert_eq!(state, WaveState::Drawing);
    let unchanged = Wave::find(pool, i64::from(w))
        .await
        .expect("read")
        .expect("wave");
    assert_eq!(
        (unchanged.name, unchanged.kk_cap, unchanged.closes_at),
        (wave.name, wave.kk_cap, wave.closes_at)
    );
}

#[tokio::test]
async fn an_unknown_wave_state_read_from_the_database_is_an_error() {
    let env = TestEnv::new().await;
    let error = sqlx::query_scalar::<_, WaveState>("SELECT 'paused'::text")
        .fetch_one(env.pool())
        .await
        .expect_err("not a state");
    assert!(
        error.to_string().contains("unknown wave state \"paused\""),
        "{error}"
    );
}
