//! Checks that never stall: every statement over a whole wave
//! (`workers::cli::wave_statements`) keeps a plan linear in the wave's size on a
//! freshly loaded wave that was never analysed (autovacuum off on every
//! table), before the draw, with the statistics the draw leaves, and with
//! every statistic forgotten. Measured in rows the plan visits (EXPLAIN
//! ANALYZE), never in time: a nested loop that scans the wave once per row
//! visits millions of rows here, a linear plan tens of thousands.

use std::time::Duration;

use chrono::{Duration as Days, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use workers::cli::wave_statements::{self, WaveStatement};
use workers::waves::{CloseRequest, close_wave};

use crate::data;
use crate::helpers::TestEnv;
use crate::selection::{close, spawn_selector, wait_drawn};

/// Eligible registrations of the wave (families of three); as many rejected
/// ones; an earlier wave's participant on each family card.
const ELIGIBLE: i64 = 3000;
/// Rows a linear plan may visit per row of the wave's data.
const ROWS_PER_ROW: f64 = 20.0;

async fn autovacuum_off(env: &TestEnv) {
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'")
            .fetch_all(env.pool())
            .await
            .expect("tables");
    for table in tables {
        sqlx::query(&format!(
            "ALTER TABLE {table} SET (autovacuum_enabled = false)"
        ))
        .execute(env.pool())
        .await
        .expect("autovacuum off");
    }
}

/// Forgets every statistic of the test's tables: as if never analysed.
async fn forget_statistics(env: &TestEnv) {
    for sql in [
        "DELETE FROM pg_statistic WHERE starelid IN \
             (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace)",
        "UPDATE pg_class SET reltuples = -1, relpages = 0, relallvisible = 0 \
          WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'i')",
    ] {
        sqlx::query(sql)
            .execute(env.pool())
            .await
            .expect("forget statistics (superuser)");
    }
}

/// The wave's data: eligible and rejected registrations, an earlier wave's
/// participants on the same family cards, a few of the wave's NIKs barred
/// there.
async fn load(env: &TestEnv, wave_id: i32, earlier: i32) {
    data::seed_eligible(
        env,
        wave_id,
        ELIGIBLE,
        3_171_010_000_000_000,
        &["31", "32", "33"],
    )
    .await;
    for sql in [
        "INSERT INTO registrations (registration_id, wave_id, status, reasons, submitted_at, nik, kk) \
         SELECT gen_random_uuid(), wave_id, 'rejected', '{CONTACT}', submitted_at, \
                lpad((nik::bigint + 5000000)::text, 16, '0'), kk \
           FROM registrations WHERE wave_id = $1",
        "INSERT INTO participants (wave_id, nik, kk, registration_id, stratum, rank, card_number, origin, \
             selected_on, purchase_deadline) \
         SELECT $2, lpad((nik::bigint + 9000000)::text, 16, '0'), kk, gen_random_uuid(), '31', \
                row_number() OVER (), '6041809' || lpad((row_number() OVER ())::text, 9, '0'), 'drawn', \
                current_date, current_date + 30 \
           FROM registrations WHERE wave_id = $1 AND status = 'eligible' AND nik::bigint % 3 = 0",
        "INSERT INTO barred_niks (nik, wave_id, reason) \
         SELECT nik, $2, 'selected' FROM registrations \
          WHERE wave_id = $1 AND status = 'eligible' AND nik::bigint % 30 = 0",
    ] {
        sqlx::query(sql)
            .bind(i64::from(wave_id))
            .bind(earlier)
            .execute(env.pool())
            .await
            .expect("load");
    }
}

/// Rows a plan visited: every node's rows (kept or filtered out) times its
/// loops, subplans included.
fn visited(node: &Value) -> f64 {
    let number = |key: &str| node.get(key).and_then(Value::as_f64).unwrap_or(0.0);
    let rows = number("Actual Rows")
        + number("Rows Removed by Filter")
        + number("Rows Removed by Join Filter")
        + number("Rows Removed by Index Recheck");
    let children: f64 = node
        .get("Plans")
        .and_then(Value::as_array)
        .map_or(0.0, |plans| plans.iter().map(visited).sum());
    rows * number("Actual Loops") + children
}

/// Runs `statement` under EXPLAIN ANALYZE; returns the rows its plan
/// visited and the plan.
async fn explain(
    connection: &mut PgConnection,
    statement: &WaveStatement,
    wave_id: i32,
) -> (f64, Value) {
    let sql = format!("EXPLAIN (ANALYZE, FORMAT JSON) {}", statement.sql);
    let query = sqlx::query_scalar::<_, Value>(&sql);
    let query = if statement.binds_wave {
        query.bind(i64::from(wave_id))
    } else {
        query
    };
    let plan = query
        .fetch_one(&mut *connection)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", statement.name));
    let root = plan[0]["Plan"].clone();
    (visited(&root), root)
}

async fn data_rows(env: &TestEnv) -> f64 {
    let rows: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM registrations) + (SELECT count(*) FROM participants) \
              + (SELECT count(*) FROM selection_results) + (SELECT count(*) FROM barred_niks)",
    )
    .fetch_one(env.pool())
    .await
    .expect("count");
    rows as f64
}

/// Every statement stays within the budget; all of them are reported.
async fn assert_linear(env: &TestEnv, when: &str, statements: &[WaveStatement], wave_id: i32) {
    let budget = ROWS_PER_ROW * data_rows(env).await;
    let mut connection = env.pool().acquire().await.expect("connection");
    let mut over = Vec::new();
    for statement in statements {
        let (rows, plan) = explain(&mut connection, statement, wave_id).await;
        eprintln!("{when}: {:?} visited {rows} rows", statement.name);
        if rows > budget {
            over.push(format!(
                "{when}: {:?} visited {rows} rows (budget {budget}):\n{plan:#}",
                statement.name
            ));
        }
    }
    assert!(over.is_empty(), "{}", over.join("\n\n"));
}

#[tokio::test]
async fn every_statement_over_a_wave_stays_linear_whatever_the_statistics() {
    let env = TestEnv::new().await;
    autovacuum_off(&env).await;
    let closes = Utc::now() + Days::days(1);
    let earlier = data::open(&env, "earlier", "national:10", closes).await;
    let wave = data::open(&env, "w", "national:300", closes).await;
    load(&env, wave.wave_id, earlier.wave_id).await;
    let reads = wave_statements::reads(wave.wave_id);
    assert_linear(
        &env,
        "never analysed, before the draw",
        &reads,
        wave.wave_id,
    )
    .await;

    // The freeze's statements as the selector runs them: after its ANALYZE,
    // in the transaction that moves the wave (here rolled back).
    close_wave(
        env.pool(),
        i64::from(wave.wave_id),
        &CloseRequest::default(),
    )
    .await
    .expect("close");
    workers::selector::inputs::analyze_before_freeze(env.pool())
        .await
        .expect("analyze");
    {
        let mut tx = env.pool().begin().await.expect("begin");
        sqlx::query(
            "UPDATE waves SET state = 'drawing', frozen_at = clock_timestamp() WHERE wave_id = $1",
        )
        .bind(wave.wave_id)
        .execute(&mut *tx)
        .await
        .expect("freeze");
        let budget = ROWS_PER_ROW * data_rows(&env).await;
        for statement in wave_statements::freeze() {
            let (rows, plan) = explain(&mut tx, &statement, wave.wave_id).await;
            assert!(
                rows <= budget,
                "{:?} visited {rows} rows (budget {budget}):\n{plan:#}",
                statement.name
            );
        }
        tx.rollback().await.expect("rollback");
    }

    let (stop, selector) = spawn_selector(&env);
    close(&env, wave.wave_id).await;
    wait_drawn(&env, wave.wave_id, Duration::from_secs(120)).await;
    stop.cancel();
    selector.await.expect("joined").expect("selector ran");
    let excluded: i64 = sqlx::query_scalar("SELECT count(*) FROM selection_excluded")
        .fetch_one(env.pool())
        .await
        .expect("count");
    assert_eq!(excluded, ELIGIBLE / 30, "the barred NIKs were left out");

    let after_the_draw = [reads.clone(), wave_statements::draw_inputs(wave.wave_id)].concat();
    assert_linear(
        &env,
        "with the statistics the draw leaves",
        &after_the_draw,
        wave.wave_id,
    )
    .await;
    forget_statistics(&env).await;
    assert_linear(&env, "with every statistic forgotten", &reads, wave.wave_id).await;
    assert!(
        workers::audit::audit_wave(env.pool(), i64::from(wave.wave_id), 0.001)
            .await
            .expect("audit")
            .matched()
    );
}
