//! The payment results path on tables never analysed: a batch of results
//! reads the results already recorded for its instructions by index, never
//! by scanning every result ever received. (Found at national scale: with
//! no statistics the planner chose a sequential scan of `payment_results`
//! for each batch, so the answers of a 1,000,000-instruction night slowed
//! as they arrived.) Measured in rows read by sequential scans during the
//! batch, inside its own transaction (`pg_stat_xact_user_tables`), never in
//! time.

use shared::messages::PaymentStatus;
use uuid::Uuid;
use workers::disburser::store_results;

use crate::disbursement::result;
use crate::helpers::TestEnv;

/// Results recorded before the batch.
const EARLIER: i64 = 50_000;
/// The batch: half copies of recorded results, half new.
const BATCH: usize = 500;

#[tokio::test]
async fn a_batch_of_results_reads_earlier_results_by_index_on_tables_never_analysed() {
    let env = TestEnv::new().await;
    let pool = env.pool();
    for sql in [
        "ALTER TABLE payment_results SET (autovacuum_enabled = false)",
        // Results for instructions this system does not know (no foreign
        // key: recorded, never applied), as many as a night's answers.
        "INSERT INTO payment_results (instruction_id, idempotency_key, status, processed_at, outcome) \
         SELECT gen_random_uuid(), 'E' || g || '-A1', 'SUCCESS', now(), 'unknown_instruction' \
           FROM generate_series(1, 50000) g",
        "DELETE FROM pg_statistic WHERE starelid = 'payment_results'::regclass",
        "UPDATE pg_class SET reltuples = -1, relpages = 0, relallvisible = 0 \
          WHERE oid = 'payment_results'::regclass",
    ] {
        sqlx::query(sql).execute(pool).await.expect(sql);
    }
    let earlier: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT instruction_id, idempotency_key FROM payment_results ORDER BY result_id LIMIT $1",
    )
    .bind((BATCH / 2) as i64)
    .fetch_all(pool)
    .await
    .expect("earlier results");
    let mut batch: Vec<_> = earlier
        .iter()
        .map(|(id, key)| result(*id, key, PaymentStatus::Success))
        .collect();
    batch.extend(
        (0..BATCH / 2).map(|i| result(Uuid::new_v4(), &format!("N{i}-A1"), PaymentStatus::Success)),
    );

    // The backend's counts not yet reported (earlier transactions' too)
    // before and after the batch, inside its transaction.
    let counts = "SELECT seq_tup_read, n_tup_ins FROM pg_stat_xact_user_tables \
                   WHERE relname = 'payment_results'";
    let mut tx = pool.begin().await.expect("begin");
    let before: (i64, i64) = sqlx::query_as(counts)
        .fetch_one(&mut *tx)
        .await
        .expect("counts");
    let outcome = store_results(&mut tx, &batch).await.expect("stored");
    let after: (i64, i64) = sqlx::query_as(counts)
        .fetch_one(&mut *tx)
        .await
        .expect("counts");
    tx.commit().await.expect("commit");
    let (scanned, recorded) = (after.0 - before.0, after.1 - before.1);

    assert_eq!(outcome.duplicates, (BATCH / 2) as u64, "{outcome:?}");
    assert_eq!(outcome.unknown, (BATCH / 2) as u64, "{outcome:?}");
    assert_eq!(
        recorded,
        (BATCH / 2) as i64,
        "only the new results are recorded"
    );
    assert!(
        scanned < EARLIER / 10,
        "a batch of {BATCH} results read {scanned} of {EARLIER} earlier results by sequential scan"
    );
    eprintln!("measured: a batch of {BATCH} results read {scanned} rows by sequential scan");
}
