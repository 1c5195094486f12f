//! Least privilege in PostgreSQL (`shared/migrations/20261209000000_roles.sql`):
//! each part of the pipeline logs in as its own user, member of its group
//! role, and is refused (42501) whatever is not its job.

use sqlx::PgPool;

use crate::helpers::{DbRole, TestEnv, allowed, denied};

async fn login(env: &TestEnv, role: DbRole) -> PgPool {
    PgPool::connect(&env.url_as(role))
        .await
        .unwrap_or_else(|e| panic!("{role:?} logs in: {e}"))
}

/// Statements that change the schema or its guards.
const SCHEMA_CHANGES: [&str; 7] = [
    "DROP TRIGGER ledger_entries_append_only ON ledger_entries",
    "ALTER TABLE waves DISABLE TRIGGER waves_state_machine",
    "ALTER TABLE registrations ADD COLUMN note text",
    "DROP TABLE payment_results",
    "CREATE TABLE mine (id int)",
    "CREATE OR REPLACE FUNCTION refuse_statement() RETURNS trigger AS 'BEGIN RETURN NULL; END' LANGUAGE plpgsql",
    "TRUNCATE ledger_entries",
];

#[tokio::test]
async fn the_validator_writes_no_payment_and_reads_no_wave_secret() {
    let env = TestEnv::new().await;
    let validator = login(&env, DbRole::Validator).await;
    for sql in [
        "SELECT * FROM wave_secrets",
        "INSERT INTO payment_results DEFAULT VALUES",
        "UPDATE payment_instructions SET status = 'succeeded'",
        "INSERT INTO ledger_entries DEFAULT VALUES",
        "UPDATE entitlements SET paid = true",
        "INSERT INTO instruction_outbox DEFAULT VALUES",
        "DELETE FROM payment_pauses",
        "INSERT INTO selection_results DEFAULT VALUES",
        "UPDATE waves SET state = 'closed'",
        "DELETE FROM registrations",
    ] {
        denied(&validator, sql).await;
    }
    // What it does need, it may.
    allowed(&validator, "SELECT wave_id FROM waves FOR SHARE").await;
    allowed(&validator, "SELECT count(*) FROM registrations").await;
}

#[tokio::test]
async fn the_disburser_changes_no_registration_and_no_draw() {
    let env = TestEnv::new().await;
    let disburser = login(&env, DbRole::Disburser).await;
    for sql in [
        "UPDATE registrations SET status = 'eligible'",
        "INSERT INTO registrations DEFAULT VALUES",
        "DELETE FROM nik_claims",
        "INSERT INTO selection_results DEFAULT VALUES",
        "INSERT INTO selections DEFAULT VALUES",
        "INSERT INTO selection_prior DEFAULT VALUES",
        "UPDATE waves SET state = 'drawn'",
        "UPDATE participants SET nik = '3171014708900001'",
        "UPDATE payment_results SET status = 'FAILED'",
        "DELETE FROM ledger_entries",
        "INSERT INTO payment_pauses DEFAULT VALUES",
        "UPDATE run_holds SET approved_by = 'me'",
        "SELECT * FROM wave_secrets",
    ] {
        denied(&disburser, sql).await;
    }
    allowed(&disburser, "SELECT count(*) FROM payment_instructions").await;
}

#[tokio::test]
async fn the_selector_touches_no_payment_and_no_wave_secret() {
    let env = TestEnv::new().await;
    let selector = login(&env, DbRole::Selector).await;
    for sql in [
        "SELECT * FROM wave_secrets",
        "SELECT count(*) FROM payment_instructions",
        "INSERT INTO entitlements DEFAULT VALUES",
        "UPDATE registrations SET status = 'eligible'",
        "UPDATE waves SET secret = '\\x00'",
    ] {
        denied(&selector, sql).await;
    }
}

/// Tables whose statistics the selector refreshes around a draw.
const DRAW_TABLES: [&str; 6] = [
    "registrations",
    "barred_niks",
    "participants",
    "selection_prior",
    "selection_excluded",
    "selection_results",
];

/// Which of `tables` were never analysed (`reltuples` is -1 until then).
async fn never_analysed(env: &TestEnv, tables: &[&str]) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT relname::text FROM pg_class WHERE relname = ANY($1) AND reltuples < 0 ORDER BY 1",
    )
    .bind(tables)
    .fetch_all(env.pool())
    .await
    .expect("pg_class")
}

#[tokio::test]
async fn the_selector_refreshes_the_statistics_of_what_the_draw_reads_and_writes() {
    use workers::selector::inputs;
    let env = TestEnv::new().await;
    assert_eq!(
        never_analysed(&env, &DRAW_TABLES).await.len(),
        DRAW_TABLES.len()
    );
    let selector = login(&env, DbRole::Selector).await;
    inputs::analyze_before_freeze(&selector)
        .await
        .expect("before the freeze");
    inputs::analyze_frozen(&selector).await.expect("frozen");
    inputs::analyze_drawn(&selector).await.expect("drawn");
    assert_eq!(
        never_analysed(&env, &DRAW_TABLES).await,
        Vec::<String>::new(),
        "the selector's login analysed them (only an owner may: analyze_for_draw)"
    );
    // Nothing else: the function takes a stage, not a statement, and only
    // the selector may call it.
    let error = sqlx::query("SELECT analyze_for_draw('registrations; DROP TABLE waves')")
        .execute(&selector)
        .await
        .expect_err("an unknown stage is refused");
    assert_eq!(
        error.as_database_error().and_then(|e| e.code()).as_deref(),
        Some("22023"),
        "{error}"
    );
    let disburser = login(&env, DbRole::Disburser).await;
    denied(&disburser, "SELECT analyze_for_draw('drawn')").await;
}

#[tokio::test]
async fn no_part_of_the_pipeline_alters_the_schema_or_its_guards() {
    let env = TestEnv::new().await;
    for role in DbRole::MEMBERS {
        let pool = login(&env, role).await;
        for sql in SCHEMA_CHANGES {
            denied(&pool, sql).await;
        }
        pool.close().await;
    }
}

#[tokio::test]
async fn the_read_only_role_writes_nothing_and_reads_no_wave_secret() {
    let env = TestEnv::new().await;
    let readonly = login(&env, DbRole::Readonly).await;
    let tables = tables(&env).await;
    for table in &tables {
        denied(&readonly, &format!("INSERT INTO {table} DEFAULT VALUES")).await;
        denied(&readonly, &format!("DELETE FROM {table}")).await;
        if table != "wave_secrets" {
            allowed(&readonly, &format!("SELECT count(*) FROM {table}")).await;
        }
    }
    denied(&readonly, "SELECT * FROM wave_secrets").await;
}

/// Whoever adds a table must grant it: every table is readable by the
/// auditors (but wave_secrets) and grants nothing to PUBLIC.
#[tokio::test]
async fn every_table_is_granted_and_wave_secrets_only_to_the_operator() {
    let env = TestEnv::new().await;
    for table in tables(&env).await {
        let (readonly, public): (bool, bool) = sqlx::query_as(
            "SELECT has_table_privilege('prakerja_readonly', $1, 'SELECT'), \
                    EXISTS (SELECT 1 FROM information_schema.role_table_grants \
                             WHERE grantee = 'PUBLIC' AND table_name = $1)",
        )
        .bind(&table)
        .fetch_one(env.pool())
        .await
        .expect("privileges");
        assert_eq!(readonly, table != "wave_secrets", "{table} for auditors");
        assert!(!public, "{table} grants something to PUBLIC");
    }
    for role in DbRole::MEMBERS {
        let readable: bool =
            sqlx::query_scalar("SELECT has_table_privilege($1, 'wave_secrets', 'SELECT')")
                .bind(role.login(&env_id(&env)))
                .fetch_one(env.pool())
                .await
                .expect("privilege");
        assert_eq!(
            readable,
            role == DbRole::Operator,
            "{role:?} on wave_secrets"
        );
    }
}

/// Every table of the schema but the migrations' own.
async fn tables(env: &TestEnv) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' \
            AND tablename <> '_sqlx_migrations' ORDER BY 1",
    )
    .fetch_all(env.pool())
    .await
    .expect("tables")
}

fn env_id(env: &TestEnv) -> String {
    env.database
        .strip_prefix("prakerja_test_")
        .expect("a test database")
        .to_owned()
}
