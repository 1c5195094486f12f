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
    }
}

/// `count` registrations for `wave_id`, submitted in the 10 days before
/// `window_end`, with `invalid_share` of them invalid.
pub fn generate(
    wave_id: u32,
    count: u64,
    seed: u64,
    window_end: DateTime<Utc>,
    invalid_share: f64,
) -> Vec<Generated> {
    let options = GenerateOptions {
        invalid_share,
        ..GenerateOptions::new(
            wave_id,
            count,
            seed,
            window_end - Duration::days(10),
            window_end,
        )
    };
    Generator::new(options).with_expectations().collect()
}

/// A wave closing tomorrow and `count` registrations for it (submitted in
/// the ten days before the close, `invalid_share` invalid), already queued on
/// `registrations.submitted`.
pub async fn queued_wave(
    env: &TestEnv,
    allocation: &str,
    count: u64,
    seed: u64,
    invalid_share: f64,
) -> (Wave, Vec<Generated>) {
    let closes = Utc::now() + Duration::days(1);
    let wave = open(env, "w", allocation, closes).await;
    let records = generate(wave.wave_id as u32, count, seed, closes, invalid_share);
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
