//! When the selector cannot fetch a drand wave's round, it waits (a selector
//! killed while waiting resumes the wait) for `prakerja wave beacon`, which
//! is refused (exit 2, naming why) unless the round is the derived one and
//! its signature verifies. The operator never passes a beacon at close.

use std::process::Output;
use std::time::Duration;

use workers::procs::Worker;
use workers::waves::Wave;

use crate::beacon_draw::{env_with, open_drand_wave};
use crate::helpers::beacon::{refused_url, test_chain};
use crate::helpers::{TestEnv, WorkerKind, bin, eventually_async};
use crate::{data, selection};

fn prakerja(env: &TestEnv, args: &[&str]) -> Output {
    std::process::Command::new(bin(WorkerKind::Prakerja))
        .args(args)
        .envs(env.process_env(WorkerKind::Prakerja))
        .output()
        .expect("prakerja runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn spawn_selector(env: &TestEnv, log: &str) -> Worker {
    Worker::spawn(
        &bin(WorkerKind::Selector),
        &[],
        &env.process_env(WorkerKind::Selector),
        &env.dir.join(log),
    )
    .expect("selector starts")
}

#[tokio::test]
async fn wave_beacon_refuses_a_wrong_round_or_bad_signature_and_the_right_one_is_drawn_with() {
    let served = test_chain(1).await;
    let sim = served.sim.clone().expect("simulated");
    // The chain's only URL refuses connections: the selector cannot fetch.
    let mut chain = served.chain.clone();
    chain.urls = vec![refused_url().await];
    let env = env_with(&chain).await;
    let wave_id = open_drand_wave(&env, "national:10").await;
    data::seed_eligible(&env, wave_id, 40, 3_171_010_000_000_000, &["31"]).await;
    let wave = wave_id.to_string();

    // No beacon at close: the flag does not exist, and nothing is closed.
    let output = prakerja(
        &env,
        &["wave", "close", &wave, "--beacon", "00ff", "--no-wait"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let state: String = sqlx::query_scalar("SELECT state FROM waves WHERE wave_id = $1")
        .bind(wave_id)
        .fetch_one(env.pool())
        .await
        .expect("state");
    assert_eq!(state, "open");
    // Before the freeze there is no round to supply.
    let early = hex::encode(sim.key.sign(5));
    let output = prakerja(
        &env,
        &[
            "wave",
            "beacon",
            &wave,
            "--round",
            "5",
            "--signature",
            &early,
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("has not come yet"),
        "{}",
        stderr(&output)
    );

    let first = spawn_selector(&env, "selector-1.log");
    selection::close(&env, wave_id).await;
    eventually_async(
        "the selector waiting for its round",
        Duration::from_secs(60),
        || async {
            let note: Option<String> =
                sqlx::query_scalar("SELECT last_error FROM selection_jobs WHERE wave_id = $1")
                    .bind(wave_id)
                    .fetch_optional(env.pool())
                    .await
                    .expect("job")
                    .flatten();
            note.filter(|n| n.contains("waiting for drand round"))
        },
    )
    .await;
    let output = prakerja(&env, &["--json", "wave", "status", &wave]);
    assert!(output.status.success(), "{}", stderr(&output));
    let status: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(status["beacon"]["source"], "drand:test");
    assert!(status["beacon"]["round"].is_u64(), "{status}");
    assert!(status["beacon"]["beacon"].is_null(), "{status}");
    // Killed while waiting; another selector resumes the wait.
    first.crash().await.expect("killed");
    let second = spawn_selector(&env, "selector-2.log");

    let frozen = Wave::find(env.pool(), i64::from(wave_id))
        .await
        .expect("read")
        .expect("wave");
    let round = chain.round_for(frozen.frozen_at.expect("frozen"));
    assert_eq!(status["beacon"]["round"], round);
    let (round_text, next_text) = (round.to_string(), (round + 1).to_string());
    let right = hex::encode(sim.key.sign(round));
    let next_signature = hex::encode(sim.key.sign(round + 1));
    let refusals = [
        (
            vec![
                "--round",
                next_text.as_str(),
                "--signature",
                next_signature.as_str(),
            ],
            format!("waits for round {round}"),
        ),
        (
            vec![
                "--round",
                round_text.as_str(),
                "--signature",
                next_signature.as_str(),
            ],
            "does not verify".to_owned(),
        ),
        (
            vec!["--round", round_text.as_str(), "--signature", "abc"],
            "--signature is not hex".to_owned(),
        ),
    ];
    for (args, why) in refusals {
        let mut all = vec!["wave", "beacon", wave.as_str()];
        all.extend(args.iter().copied());
        let output = prakerja(&env, &all);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).contains(&why),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let output = prakerja(
        &env,
        &[
            "--json",
            "wave",
            "beacon",
            &wave,
            "--round",
            &round_text,
            "--signature",
            &right,
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["recorded_now"], true);
    let randomness = hex::encode(shared::beacon::randomness(&sim.key.sign(round)));
    assert_eq!(report["randomness"], randomness.as_str());
    // The same again is no error; it records nothing new.
    let output = prakerja(
        &env,
        &[
            "--json",
            "wave",
            "beacon",
            &wave,
            "--round",
            &round_text,
            "--signature",
            &right,
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let again: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(again["recorded_now"], false);

    let drawn = selection::wait_drawn(&env, wave_id, Duration::from_secs(60)).await;
    second.stop(Duration::from_secs(30)).await.expect("stopped");
    assert_eq!(drawn.beacon_round, Some(round as i64));
    let text: String =
        sqlx::query_scalar("SELECT manifest_text FROM selections WHERE wave_id = $1")
            .bind(wave_id)
            .fetch_one(env.pool())
            .await
            .expect("manifest");
    let manifest: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(manifest["drand"]["round"], round);
    let pinned = env.app.settings.drand.all();
    let report =
        workers::audit::audit_wave_pinned(env.pool(), i64::from(wave_id), 0.001, Some(&pinned))
            .await
            .expect("audit");
    assert!(report.matched(), "{:?}", report.differences);
}
