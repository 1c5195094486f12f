//! Seeding a large wave straight into PostgreSQL (server-side
//! `generate_series`): eligible registrations across the 38 provinces,
//! weighted by population, two tiers, families sharing KKs, submissions
//! spread over ten days.

use shared::generate::census::PROVINCE_POPULATION_2020;
use sqlx::PgPool;

/// 1000 province slots, each province taking its population share.
fn province_slots() -> Vec<String> {
    let total: u64 = PROVINCE_POPULATION_2020
        .iter()
        .map(|(_, p)| u64::from(*p))
        .sum();
    let mut slots = Vec::with_capacity(1000);
    for (code, population) in PROVINCE_POPULATION_2020 {
        let n = ((u64::from(population) * 1000) as f64 / total as f64)
            .round()
            .max(1.0) as usize;
        slots.extend(std::iter::repeat_n(code.to_owned(), n));
    }
    slots.truncate(1000);
    slots
}

/// Inserts `count` eligible registrations of `wave_id`, in chunks.
pub async fn eligible(pool: &PgPool, wave_id: i32, count: i64) -> anyhow::Result<()> {
    let slots = province_slots();
    let chunk = 1_000_000;
    let mut start = 0;
    while start < count {
        let end = (start + chunk).min(count);
        sqlx::query(
            "INSERT INTO registrations (registration_id, wave_id, status, submitted_at, nik, kk, full_name, \
                 domicile_province, occupation, tier, payout_method, payout_provider, payout_account, email, phone) \
             SELECT gen_random_uuid(), $1, 'eligible', \
                    w.closes_at - make_interval(secs => 60 + (i * 7919 % 864000)), \
                    p || lpad(i::text, 14, '0'), \
                    p || lpad((CASE WHEN i % 10 < 6 THEN i / 3 ELSE 100000000 + i END)::text, 14, '0'), \
                    'Peserta ' || i, p, \
                    CASE WHEN i % 4 = 0 THEN 'laid_off' ELSE 'unemployed' END, \
                    CASE WHEN i % 4 = 0 THEN 1 ELSE 2 END, \
                    'ewallet', 'OVO', '0812' || lpad((i % 100000000)::text, 8, '0'), \
                    'p' || i || '@example.id', '+62812' || lpad((i % 100000000)::text, 8, '0') \
               FROM generate_series($2::bigint, $3::bigint - 1) AS i \
               CROSS JOIN LATERAL (SELECT ($4::text[])[1 + ((i / 3) * 2654435761 % 1000)::int] AS p) prov, \
                    waves w WHERE w.wave_id = $1",
        )
        .bind(wave_id)
        .bind(start)
        .bind(end)
        .bind(&slots)
        .execute(pool)
        .await?;
        eprintln!("  seeded {end} of {count}");
        start = end;
    }
    sqlx::query("VACUUM ANALYZE registrations")
        .execute(pool)
        .await?;
    Ok(())
}
