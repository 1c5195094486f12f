//! Test data: waves and generated registrations with what each should be
//! judged.

use chrono::{DateTime, Duration, Utc};
use shared::domain::ReasonSet;
use shared::generate::{GenerateOptions, Generated, Generator};
use shared::selection::Allocation;
use workers::waves::{OpenRequest, Wave, open_wave};

use crate::helpers::TestEnv;

/// Opens a wave closing at `closes_at` (scheme 2020).
pub async fn open(env: &TestEnv, name: &str, allocation: &str, closes_at: DateTime<Utc>) -> Wave {
    open_with(
        env,
        name,
        allocation.parse().expect("allocation"),
        closes_at,
        None,
    )
    .await
}

pub async fn open_with(
    env: &TestEnv,
    name: &str,
    allocation: Allocation,
    closes_at: DateTime<Utc>,
    commitment: Option<[u8; 32]>,
) -> Wave {
    open_wave(
        env.pool(),
        OpenRequest {
            allocation,
            closes_at,
            commitment,
            ..open_request(env, name, "national:1")
        },
    )
    .await
    .expect("open the wave")
}

/// A request for a wave closing tomorrow (scheme 2020, no beacon, a secret
/// the system keeps).
pub fn open_request(env: &TestEnv, name: &str, allocation: &str) -> OpenRequest {
    OpenRequest {
        name: name.to_owned(),
        closes_at: Utc::now() + Duration::days(1),
        allocation: allocation.parse().expect("allocation"),
        scheme_name: "2020".to_owned(),
        scheme: env.app.settings.scheme("2020").expect("scheme").clone(),
        commitment: None,
        beacon: None,
        kk_cap: None,
        selection: workers::waves::Selection::V1,
    }
}

/// Opens a wave (scheme 2020) that closes `open_for` after it opens, and
/// waits until that close has passed: registrations can then be generated
/// over its whole window, late ones (`WAVE_CLOSED`) included, with none
/// claiming a time in the future (which the validator judges
/// `FIELD_INVALID`).
pub async fn open_briefly(env: &TestEnv, name: &str, allocation: &str, open_for: Duration) -> Wave {
    let wave = open(env, name, allocation, Utc::now() + open_for).await;
    wait_until(wave.closes_at).await;
    wave
}

/// Waits until the wall clock reaches `at` (a moment in time, not another
/// process: nothing else can be polled for it).
pub async fn wait_until(at: DateTime<Utc>) {
    if let Ok(left) = (at - Utc::now()).to_std() {
        tokio::time::sleep(left + std::time::Duration::from_millis(10)).await;
    }
}

/// `count` registrations for `wave`, submitted between its opening and its
/// close (or now, if that is earlier), `invalid_share` of them invalid (late
/// ones only once its close has passed).
pub fn generate(wave: &Wave, count: u64, seed: u64, invalid_share: f64) -> Vec<Generated> {
    generate_between(
        wave.wave_id as u32,
        count,
        seed,
        (wave.opened_at, wave.closes_at),
        invalid_share,
    )
}

/// As [`generate`], for a window given outright (`(opening, close)`).
pub fn generate_between(
    wave_id: u32,
    count: u64,
    seed: u64,
    (opened_at, closes_at): (DateTime<Utc>, DateTime<Utc>),
    invalid_share: f64,
) -> Vec<Generated> {
    let options = GenerateOptions {
        invalid_share,
        now: Some(Utc::now()),
        ..GenerateOptions::new(wave_id, count, seed, opened_at, closes_at)
    };
    Generator::new(options).with_expectations().collect()
}

/// A wave open for four seconds and `count` registrations for it (submitted
/// while it was open, `invalid_share` invalid, late ones just after its
/// close), already queued on `registrations.submitted`. (Submission times are
/// whole seconds; a duplicate registers in a later second than its original.)
pub async fn queued_wave(
    env: &TestEnv,
    allocation: &str,
    count: u64,
    seed: u64,
    invalid_share: f64,
) -> (Wave, Vec<Generated>) {
    let wave = open_briefly(env, "w", allocation, Duration::seconds(4)).await;
    let records = generate(&wave, count, seed, invalid_share);
    env.publish_raw(
        shared::amqp::Queue::RegistrationsSubmitted,
        &bodies(&records),
    )
    .await;
    (wave, records)
}

/// Bodies of generated registrations.
pub fn bodies(records: &[Generated]) -> Vec<Vec<u8>> {
    records
        .iter()
        .map(|g| serde_json::to_vec(&g.json).expect("json"))
        .collect()
}

/// The reasons a registration should be stored with.
pub fn expected(record: &Generated) -> ReasonSet {
    record.expected
}

/// The registration id of a generated record.
pub fn id(record: &Generated) -> uuid::Uuid {
    record.json["registration_id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("uuid")
}

/// Runs `sql` (binding `wave_id` as `$1`) as a superuser who switches the
/// guard triggers off for the transaction (`session_replication_role =
/// replica`): what someone with the database's keys could do behind the
/// system's back, which only an audit can then catch.
pub async fn tamper(env: &TestEnv, sql: &str, wave_id: i32) {
    let mut tx = env.pool().begin().await.expect("begin");
    sqlx::query("SET LOCAL session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .expect("triggers off (superuser)");
    sqlx::query(sql)
        .bind(wave_id)
        .execute(&mut *tx)
        .await
        .expect("tamper");
    tx.commit().await.expect("commit");
}

/// Stores `n` eligible registrations directly (no validator), for draw
/// tests: NIKs `base + i`, families of up to three sharing a KK, provinces
/// spread over `provinces`, tier 1 for every fifth, submissions over the ten
/// days before the wave's close.
pub async fn seed_eligible(env: &TestEnv, wave_id: i32, n: i64, base: i64, provinces: &[&str]) {
    let provinces: Vec<String> = provinces.iter().map(|p| (*p).to_owned()).collect();
    sqlx::query(
        "INSERT INTO registrations (registration_id, wave_id, status, submitted_at, nik, kk, full_name, \
             domicile_province, occupation, tier, payout_method, payout_provider, payout_account, email, phone) \
         SELECT gen_random_uuid(), $1, 'eligible', \
                w.closes_at - make_interval(secs => 1 + (i * 7919 % 864000)), \
                lpad(($3 + i)::text, 16, '0'), lpad((5000000000000000 + $3 + i / 3)::text, 16, '0'), \
                'Peserta ' || i, ($4::text[])[1 + (i / 3) % cardinality($4::text[])], \
                CASE WHEN i % 5 = 0 THEN 'laid_off' ELSE 'unemployed' END, \
                CASE WHEN i % 5 = 0 THEN 1 ELSE 2 END, 'ewallet', 'OVO', '0812' || lpad(i::text, 8, '0'), \
                'peserta' || i || '@example.id', '+62812' || lpad(i::text, 8, '0') \
           FROM generate_series(0, $2 - 1) AS i, waves w WHERE w.wave_id = $1",
    )
    .bind(wave_id)
    .bind(n)
    .bind(base)
    .bind(&provinces)
    .execute(env.pool())
    .await
    .expect("seed eligible registrations");
}
