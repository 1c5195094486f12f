//! The soak (not in CI; `deploy/soak.sh`): the whole pipeline on a private
//! PostgreSQL and a private RabbitMQ node, with the gateway simulator, for
//! `SOAK_MINUTES` (20) while `soak_faults` kills workers, the broker node
//! and the database at random (seed `SOAK_SEED`). Waves follow one another:
//! registrations ingested by `prakerja ingest`, validated, the wave closed,
//! drawn and audited, and a run for a new date pays its participants. At the
//! end every invariant is checked and the figures go to `SOAK_REPORT`.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Days, Utc};
use tokio::sync::{Mutex, watch};

use crate::data;
use crate::fault_support::wait_count;
use crate::helpers::{PrivatePostgres, PrivateRabbit, Services, TestEnv, WorkerKind, bin};
use crate::soak_faults::{AHEAD, Fleet, inject};

/// A soak setting from the environment: `SOAK_MINUTES`, `SOAK_SEED`,
/// `SOAK_WAVES` (at most 14: run dates stay inside the purchase deadline, so
/// nobody is revoked) and `SOAK_REGISTRATIONS` per wave (seats: a fifth).
fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `prakerja ARGS` until it exits 0 (a server may be away); returns its
/// stdout and how many attempts it took.
async fn prakerja_until_done(env: &TestEnv, args: &[&str]) -> (String, u32) {
    for attempt in 1..=40 {
        let output = tokio::process::Command::new(bin(WorkerKind::Prakerja))
            .args(args)
            .envs(env.process_env(crate::helpers::WorkerKind::Prakerja))
            .env(AHEAD.0, AHEAD.1)
            .kill_on_drop(true)
            .output()
            .await
            .expect("prakerja runs");
        if output.status.success() {
            return (
                String::from_utf8_lossy(&output.stdout).into_owned(),
                attempt,
            );
        }
        eprintln!(
            "soak: prakerja {args:?} exited {} (attempt {attempt}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    panic!("prakerja {args:?} kept failing");
}

/// Without settings (as in `deploy/dev.sh test`): a short soak, one minute
/// and two small waves under the same random faults and the same final
/// checks. `deploy/soak.sh` sets the full one (20 minutes or more, 12 waves
/// of 40,000 registrations).
#[tokio::test]
async fn the_pipeline_keeps_every_invariant_under_random_faults() {
    let minutes = setting("SOAK_MINUTES", 1);
    let seed = setting("SOAK_SEED", 1);
    let waves = setting("SOAK_WAVES", 2).clamp(1, 14);
    let per_wave = setting("SOAK_REGISTRATIONS", 3_000).max(10);
    let seats = format!("national:{}", per_wave / 5);
    let started = Instant::now();
    let pg = PrivatePostgres::start("soak", &[]).await;
    let mut rabbit = PrivateRabbit::start("soak").await;
    let services = Services {
        admin_url: pg.admin_url(),
        amqp_url: rabbit.url(),
        ..Services::shared()
    };
    let env = Arc::new(TestEnv::on(&services, crate::disbursement::months_ahead).await);
    rabbit.declare_durably(env.topology()).await;
    let fleet = Fleet::start(&env, pg, rabbit);
    let calm = Arc::new(Mutex::new(()));
    let (stop, stopped) = watch::channel(false);
    let injector = tokio::spawn(inject(
        env.clone(),
        fleet,
        seed,
        calm.clone(),
        stopped,
        started,
    ));
    let period = Duration::from_secs(minutes * 60 / waves);
    let today = Utc::now()
        .with_timezone(&env.app.settings.disburser.timezone)
        .date_naive();
    let mut records = Vec::new();
    let mut stages = Vec::new();
    for index in 0..waves {
        let cycle = Instant::now();
        let wave = {
            let _calm = calm.lock().await;
            data::open_briefly(
                &env,
                &format!("soak-{index}"),
                &seats,
                chrono::Duration::seconds(3),
            )
            .await
        };
        let generated = data::generate(&wave, per_wave, seed * 1_000 + index, 0.1);
        let file = env.dir.join(format!("wave-{index}.jsonl"));
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file).expect("file"));
        for body in data::bodies(&generated) {
            out.write_all(&body)
                .and_then(|()| out.write_all(b"\n"))
                .expect("write");
        }
        out.into_inner().expect("flush");
        let (_, ingest_attempts) =
            prakerja_until_done(&env, &["--json", "ingest", &file.display().to_string()]).await;
        // Every line is stored (some name another wave: judged, not lost).
        let all = (records.len() + generated.len()) as i64;
        let stored = "SELECT count(*) FROM registrations";
        wait_count(&env, stored, all, Duration::from_secs(600)).await;
        let validated = cycle.elapsed();
        {
            let _calm = calm.lock().await;
            crate::selection::close(&env, wave.wave_id).await;
        }
        let drawn = format!(
            "SELECT count(*) FROM waves WHERE wave_id = {} AND state = 'drawn'",
            wave.wave_id
        );
        wait_count(&env, &drawn, 1, Duration::from_secs(600)).await;
        let draw_done = cycle.elapsed();
        let date = (today + Days::new(index)).to_string();
        let (_, run_attempts) = prakerja_until_done(
            &env,
            &[
                "--json",
                "disburse",
                "run",
                "--date",
                &date,
                "--timeout",
                "300",
            ],
        )
        .await;
        let line = format!(
            "wave {} ({} registrations): ingest attempts {ingest_attempts}, validated {:.1} s, \
             drawn {:.1} s, run {date} done {:.1} s (attempts {run_attempts})",
            wave.wave_id,
            generated.len(),
            validated.as_secs_f64(),
            draw_done.as_secs_f64(),
            cycle.elapsed().as_secs_f64()
        );
        eprintln!("soak: [{:>7.1} s] {line}", started.elapsed().as_secs_f64());
        stages.push(line);
        records.extend(generated);
        if let Some(left) = period.checked_sub(cycle.elapsed()) {
            tokio::time::sleep(left).await; // paces the waves over the soak's length
        }
    }
    let minimum = Duration::from_secs(minutes * 60);
    if let Some(left) = minimum.checked_sub(started.elapsed()) {
        tokio::time::sleep(left).await; // the faults go on for the whole soak
    }
    stop.send(true).expect("injector listens");
    let (fleet, faults) = injector.await.expect("injector");
    let checks = crate::soak_checks::check(&env, &records, waves).await;
    let (clean_stops, _pg, _rabbit) = fleet.stop().await;
    let figures = serde_json::json!({
        "seed": seed,
        "minutes": started.elapsed().as_secs_f64() / 60.0,
        "waves": waves,
        "registrations": records.len(),
        "stages": stages,
        "faults": faults,
        "fault_summary": crate::soak_checks::summary(&faults),
        "checks": checks,
        "workers_stopped_cleanly": clean_stops,
    });
    let text = serde_json::to_string_pretty(&figures).expect("json");
    // Unset (the short soak of every test run): beside the test's own files,
    // never in the source tree.
    let path = std::env::var("SOAK_REPORT")
        .unwrap_or_else(|_| env.dir.join("soak-report.json").display().to_string());
    std::fs::write(&path, &text).expect("report written");
    eprintln!("soak: report in {path}\n{text}");
}
