//! `prakerja disburse report` never stalls: every query keeps a plan linear
//! in the data, here on tables freshly loaded and never analysed
//! (autovacuum off), the state in which a planner guessing "1 row" turns a
//! join quadratic. A nested loop is allowed only over an index lookup; a
//! subquery run once per row only when hashed.

use serde_json::Value;

use crate::disbursement::{drawn_wave, run};
use crate::helpers::TestEnv;

/// What in a plan could make it quadratic, named for the failure message.
fn quadratic(plan: &Value, path: &str, found: &mut Vec<String>) {
    let node = plan["Node Type"].as_str().unwrap_or("?");
    let here = format!("{path} > {node}{}", relation(plan));
    let children = plan["Plans"].as_array().cloned().unwrap_or_default();
    if node == "Nested Loop" {
        for inner in children
            .iter()
            .filter(|c| c["Parent Relationship"] == "Inner")
        {
            if !is_index_lookup(inner) {
                found.push(format!(
                    "{here}: its inner side is not an index lookup: {}",
                    shape(inner)
                ));
            }
        }
    }
    for child in &children {
        let name = child["Subplan Name"].as_str().unwrap_or("");
        if child["Parent Relationship"] == "SubPlan"
            && !name.starts_with("hashed")
            && !is_index_lookup(child)
        {
            found.push(format!(
                "{here}: {name} runs once per row and scans: {}",
                shape(child)
            ));
        }
        quadratic(child, &here, found);
    }
}

/// An index scan (possibly under a bitmap heap scan, or an aggregate or
/// limit of one): log(n) per outer row.
fn is_index_lookup(plan: &Value) -> bool {
    match plan["Node Type"].as_str().unwrap_or("") {
        "Index Scan" | "Index Only Scan" | "Bitmap Index Scan" => true,
        "Bitmap Heap Scan" | "Aggregate" | "Limit" | "Result" | "BitmapAnd" | "BitmapOr" => {
            plan["Plans"]
                .as_array()
                .is_some_and(|c| !c.is_empty() && c.iter().all(is_index_lookup))
        }
        _ => false,
    }
}

fn relation(plan: &Value) -> String {
    plan["Relation Name"]
        .as_str()
        .map(|r| format!(" on {r}"))
        .unwrap_or_default()
}

fn shape(plan: &Value) -> String {
    let mut text = format!(
        "{}{}",
        plan["Node Type"].as_str().unwrap_or("?"),
        relation(plan)
    );
    for child in plan["Plans"].as_array().into_iter().flatten() {
        text.push_str(&format!(" ({})", shape(child)));
    }
    text
}

fn problems(plans: &[(String, Value)]) -> Vec<String> {
    let mut found = Vec::new();
    for (name, explained) in plans {
        quadratic(&explained[0]["Plan"], name, &mut found);
    }
    found
}

/// Fills the money's tables the way a season of runs and answers would:
/// most paid, some failed and tried again, some unanswered, a few reversed,
/// a few conflicts and results nobody can place.
async fn answer(env: &TestEnv) {
    for statement in [
        "UPDATE payment_instructions SET status = CASE WHEN entitlement_id % 20 = 0 THEN 'failed' \
             WHEN entitlement_id % 20 = 1 THEN 'pending' WHEN entitlement_id % 50 = 2 THEN 'reversed' \
             ELSE 'success' END, answered_at = now()",
        "UPDATE entitlements e SET paid = true FROM payment_instructions i \
          WHERE i.entitlement_id = e.entitlement_id AND i.status = 'success'",
        "INSERT INTO payment_results (instruction_id, idempotency_key, status, processed_at, outcome, entitlement_id) \
         SELECT instruction_id, idempotency_key, upper(status), now(), 'applied', entitlement_id \
           FROM payment_instructions WHERE status <> 'pending'",
        "INSERT INTO ledger_entries (participant_id, entitlement_id, instruction_id, entry, amount) \
         SELECT e.participant_id, e.entitlement_id, i.instruction_id, 'paid', i.amount \
           FROM payment_instructions i JOIN entitlements e USING (entitlement_id) \
          WHERE i.status IN ('success', 'reversed')",
        "INSERT INTO ledger_entries (participant_id, entitlement_id, instruction_id, entry, amount) \
         SELECT e.participant_id, e.entitlement_id, i.instruction_id, 'reversed', -i.amount \
           FROM payment_instructions i JOIN entitlements e USING (entitlement_id) \
          WHERE i.status = 'reversed'",
        // A few late successes of failed attempts: conflicts, on hold.
        "INSERT INTO payment_results (instruction_id, idempotency_key, status, processed_at, outcome, entitlement_id) \
         SELECT instruction_id, idempotency_key, 'SUCCESS', now(), 'conflict', entitlement_id \
           FROM payment_instructions WHERE status = 'failed' AND entitlement_id % 100 = 0",
        "INSERT INTO payment_results (instruction_id, idempotency_key, status, processed_at, outcome) \
         SELECT gen_random_uuid(), 'E0-A' || i, 'SUCCESS', now(), 'unknown_instruction' \
           FROM generate_series(1, 20) AS i",
    ] {
        sqlx::query(statement)
            .execute(env.pool())
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
}

#[tokio::test]
async fn every_report_query_stays_linear_on_tables_never_analysed() {
    let env = TestEnv::new().await;
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'")
            .fetch_all(env.pool())
            .await
            .expect("tables");
    for table in &tables {
        sqlx::query(&format!(
            "ALTER TABLE \"{table}\" SET (autovacuum_enabled = false)"
        ))
        .execute(env.pool())
        .await
        .expect("autovacuum off");
    }
    let (wave_id, selected_on) = drawn_wave(&env, 24_000, 20_000).await;
    run(&env, selected_on).await;
    answer(&env).await;
    // The money's tables, as a run and its answers leave them. (The draw
    // analyses what it reads and writes: registrations and participants.)
    let analysed: Vec<String> = sqlx::query_scalar(
        "SELECT relname::text FROM pg_stat_user_tables \
          WHERE relname IN ('entitlements', 'payment_instructions', 'payment_results', 'ledger_entries') \
            AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)",
    )
    .fetch_all(env.pool())
    .await
    .expect("statistics");
    assert!(analysed.is_empty(), "analysed: {analysed:?}");

    let plans = workers::reconcile::explain(env.pool(), "PRAKERJA_CARD")
        .await
        .expect("plans");
    assert!(
        plans.len() >= 15,
        "every query is explained: {}",
        plans.len()
    );
    let found = problems(&plans);
    assert!(found.is_empty(), "{}", found.join("\n"));

    // The wave's HTML report (`prakerja report`) joins the same tables.
    let mut tx = workers::reconcile::begin(env.pool()).await.expect("tx");
    let mut wave_plans = Vec::new();
    for (name, sql) in workers::report::QUERIES {
        let plan: sqlx::types::Json<Value> =
            sqlx::query_scalar(&format!("EXPLAIN (FORMAT JSON) {sql}"))
                .bind(wave_id)
                .fetch_one(&mut *tx)
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        wave_plans.push((name.to_owned(), plan.0));
    }
    tx.rollback().await.expect("rollback");
    let found = problems(&wave_plans);
    assert!(found.is_empty(), "{}", found.join("\n"));
    let page = workers::report::WaveReport::build(&env.app, i64::from(wave_id))
        .await
        .expect("the wave's report")
        .render();
    let candidates = page
        .find("candidates (eligible")
        .map(|i| &page[i.saturating_sub(40)..i]);
    assert!(
        candidates.is_some_and(|c| c.contains("<b>24,000</b>")),
        "the report sees the draw: {candidates:?}"
    );

    // The check itself catches a query that would scan once per row.
    let mut tx = workers::reconcile::begin(env.pool()).await.expect("tx");
    let bad: sqlx::types::Json<Value> = sqlx::query_scalar(
        "EXPLAIN (FORMAT JSON) SELECT count(*) FROM entitlements e \
          WHERE e.amount > (SELECT count(*) FROM ledger_entries l WHERE l.amount = e.amount + l.entry_id)",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("explain");
    assert!(!problems(&[("correlated".into(), bad.0)]).is_empty());

    // And the report itself runs, and sees what was loaded.
    let report = workers::reconcile::reconcile(env.pool(), None, "PRAKERJA_CARD")
        .await
        .expect("report");
    assert_eq!(report.unresolved.unknown_instruction, 20);
    let conflicts = report.unresolved.conflicts;
    assert!(conflicts > 0);
    assert_eq!(report.unresolved.entitlements_on_hold, conflicts);
    assert!(report.holds, "{:?}", report.invariants);
}
