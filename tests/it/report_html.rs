//! `prakerja report`: a wave with rejections, a draw per province and
//! payments (one on hold) is written as one HTML file that loads nothing,
//! shows no personal data, escapes what comes from data, tells how to
//! recompute the draw (the commands are run here and must match), and
//! renders in headless Chromium with every chart drawn and no console error.

use std::path::{Path, PathBuf};
use std::time::Duration;

use shared::messages::PaymentStatus;
use workers::waves::{Wave, open_wave};

use crate::cli::{prakerja, stdout};
use crate::data;
use crate::disbursement::run;
use crate::helpers::{TestEnv, WorkerKind, bin, chromium};
use crate::payment_results::{first_attempts, store};
use crate::selection::{close, spawn_selector, wait_drawn};

/// A name with markup in it: the page must show it as text.
const NAME: &str = "Gelombang <script>alert(\"x\")</script> & <b>1</b>";

/// Each chart's size on the page and the size of its largest bar or line.
const MEASURE: &str = "Array.from(document.querySelectorAll('svg.chart')).map(s => { \
    const r = s.getBoundingClientRect(); \
    const drawn = Array.from(s.querySelectorAll('rect, polyline')).map(e => e.getBBox().width); \
    return {label: s.getAttribute('aria-label'), width: r.width, height: r.height, drawn: Math.max(0, ...drawn)}; })";

/// A drawn wave (proportional over three provinces, rejections with
/// personal data) whose first training funds were paid, failed, and
/// contradicted (on hold).
async fn paid_wave(env: &TestEnv) -> Wave {
    let wave = open_wave(env.pool(), data::open_request(env, NAME, "proportional:12"))
        .await
        .expect("open");
    data::seed_eligible(
        env,
        wave.wave_id,
        60,
        3_171_010_000_000_000,
        &["31", "32", "33"],
    )
    .await;
    sqlx::query(
        "INSERT INTO registrations (registration_id, wave_id, status, reasons, submitted_at, nik, full_name, phone, email) \
         SELECT gen_random_uuid(), $1, 'rejected', \
                CASE WHEN i % 2 = 0 THEN '{UNDERAGE}'::reason_code[] ELSE '{CONTACT,PAYOUT_ACCOUNT}'::reason_code[] END, \
                w.closes_at - make_interval(hours => i), lpad((3271010000000000 + i)::text, 16, '0'), \
                'Rahasia Pribadi ' || i, '+6281399' || lpad(i::text, 6, '0'), 'rahasia' || i || '@example.id' \
           FROM generate_series(1, 9) i, waves w WHERE w.wave_id = $1",
    )
    .bind(i64::from(wave.wave_id))
    .execute(env.pool())
    .await
    .expect("rejected registrations");
    let (stop, selector) = spawn_selector(env);
    close(env, wave.wave_id).await;
    let drawn = wait_drawn(env, wave.wave_id, Duration::from_secs(60)).await;
    stop.cancel();
    selector.await.expect("joined").expect("selector ran");
    let selected_on: chrono::NaiveDate =
        sqlx::query_scalar("SELECT min(selected_on) FROM participants")
            .fetch_one(env.pool())
            .await
            .expect("selected_on");
    run(env, selected_on).await;
    let firsts = first_attempts(env).await;
    store(env, &firsts[0], &[PaymentStatus::Success]).await;
    store(env, &firsts[1], &[PaymentStatus::Failed]).await;
    store(
        env,
        &firsts[2],
        &[PaymentStatus::Failed, PaymentStatus::Success],
    )
    .await;
    drawn
}

/// Everything personal the database holds.
async fn personal_data(env: &TestEnv) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT v FROM registrations, unnest(ARRAY[nik, kk, full_name, phone, email, payout_account]) v \
          WHERE v IS NOT NULL",
    )
    .fetch_all(env.pool())
    .await
    .expect("personal data")
}

fn artifacts() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")));
    let dir = target.join("test-artifacts");
    std::fs::create_dir_all(&dir).expect("artifacts directory");
    dir
}

#[tokio::test]
async fn a_wave_report_is_one_offline_page_without_personal_data_that_chromium_renders() {
    let env = TestEnv::new().await;
    let wave = paid_wave(&env).await;
    let id = wave.wave_id.to_string();
    let out = env.dir.join("reports/wave.html");
    let written = prakerja(
        Some(&env),
        &["report", &id, "--out", out.to_str().expect("path")],
    );
    assert!(written.status.success(), "{written:?}");
    let path = stdout(&written).trim().to_owned();
    assert_eq!(
        Path::new(&path),
        std::fs::canonicalize(&out).expect("written"),
        "prints its path"
    );
    let html = std::fs::read_to_string(&out).expect("the report");

    // Self-contained: nothing to load, nothing to run.
    for banned in ["<script", "<link", " src=", "@import", "url("] {
        assert!(!html.contains(banned), "the report contains {banned:?}");
    }
    let external: Vec<&str> = html
        .match_indices("http")
        .map(|(i, _)| &html[i..(i + 40).min(html.len())])
        .filter(|s| !s.starts_with("http://www.w3.org/2000/svg") && !s.starts_with("http-equiv"))
        .collect();
    assert!(external.is_empty(), "addresses in the report: {external:?}");
    // What comes from data is text, never markup.
    assert!(
        !html.contains("<script>alert"),
        "the wave's name is escaped"
    );
    assert!(html.contains(
        "Gelombang &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;1&lt;/b&gt;"
    ));
    // No personal data: counts and masked NIKs only.
    let personal = personal_data(&env).await;
    assert!(personal.len() > 100, "the wave holds personal data to leak");
    for value in &personal {
        assert!(!html.contains(value.as_str()), "the report shows {value:?}");
    }
    // The story: registrants, the draw per province, the proof, the money.
    for shown in [
        "69</b> registrations",
        "UNDERAGE",
        "PAYOUT_ACCOUNT",
        "<td>Daerah Khusus Ibukota Jakarta</td>",
        "Skew check",
        "submission_hour",
        "Recompute the draw",
        &format!("prakerja audit --bundle wave-{id}"),
        "Disbursement funnel",
        "1 entitlement(s) on hold",
        "badge bad\">waits for an operator",
    ] {
        assert!(html.contains(shown), "the report lacks {shown:?}");
    }
    assert!(
        html.contains("3171**********"),
        "the held participant, masked"
    );

    // The commands the report gives recompute the draw, and it matches.
    let script = commands_shown(&html);
    assert!(
        script.contains(&format!("prakerja wave export {id} --dir wave-{id}")),
        "{script}"
    );
    let bin_dir = bin(WorkerKind::Prakerja).parent().expect("dir").to_owned();
    let path_var = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let ran = std::process::Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(&env.dir)
        .envs(env.process_env(WorkerKind::Prakerja))
        .env("PATH", path_var)
        .output()
        .expect("bash runs");
    assert!(ran.status.success(), "the report's commands: {ran:?}");
    let said = String::from_utf8_lossy(&ran.stdout);
    assert!(
        said.contains("MATCH") && said.contains("the same result"),
        "{said}"
    );

    // In a real browser: every chart drawn, no console error.
    let Some(browser) = chromium::find() else {
        eprintln!(
            "SKIPPED the Chromium half: no chromium binary (deploy/dev.sh test installs Debian's chromium; \
             or set PRAKERJA_TEST_CHROMIUM)"
        );
        return;
    };
    let page = out.clone();
    let loaded = tokio::task::spawn_blocking(move || {
        chromium::load(&browser, &page, MEASURE, Duration::from_secs(60))
    })
    .await
    .expect("joined")
    .expect("Chromium loads the report");
    let shot = artifacts().join("report-wave.png");
    std::fs::write(&shot, &loaded.screenshot).expect("screenshot saved");
    eprintln!("screenshot: {}", shot.display());
    assert!(
        loaded.errors.is_empty(),
        "console errors: {:?}",
        loaded.errors
    );
    let charts = loaded.measured.as_array().expect("charts measured");
    assert!(charts.len() >= 6, "{charts:?}");
    for chart in charts {
        for key in ["width", "height", "drawn"] {
            assert!(chart[key].as_f64().unwrap_or(0.0) > 0.0, "{key} of {chart}");
        }
    }
    assert!(loaded.screenshot.starts_with(b"\x89PNG") && loaded.screenshot.len() > 20_000);
}

/// The shell text of the page's "Recompute the draw" block, unescaped.
fn commands_shown(html: &str) -> String {
    let from = html
        .find("<h3>Recompute the draw</h3>")
        .expect("the section");
    let pre = &html[from..];
    let start = pre.find("<pre>").expect("commands") + "<pre>".len();
    let end = pre.find("</pre>").expect("end of commands");
    pre[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The browser check is not blind: a console error and a blocked load are caught.
#[tokio::test]
async fn the_browser_check_catches_console_errors_and_blocked_loads() {
    let Some(browser) = chromium::find() else {
        eprintln!("SKIPPED: no chromium binary (deploy/dev.sh test installs Debian's chromium)");
        return;
    };
    let dir = std::env::temp_dir().join(format!("prakerja-page-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let page = dir.join("bad.html");
    std::fs::write(
        &page,
        format!(
            "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\"{}\"></head>\
             <body><img src=\"https://example.invalid/x.png\"><p>page</p></body></html>",
            workers::report::CONTENT_SECURITY_POLICY
        ),
    )
    .expect("page");
    let script = dir.join("script.html");
    std::fs::write(
        &script,
        "<!DOCTYPE html><html><body><script>console.error('deliberate')</script></body></html>",
    )
    .expect("page");
    let (blocked, errored) = tokio::task::spawn_blocking(move || {
        (
            chromium::load(&browser, &page, "1", Duration::from_secs(60)),
            chromium::load(&browser, &script, "1", Duration::from_secs(60)),
        )
    })
    .await
    .expect("joined");
    let _ = std::fs::remove_dir_all(&dir);
    let blocked = blocked.expect("loads");
    assert!(!blocked.errors.is_empty(), "the blocked image is reported");
    let errored = errored.expect("loads");
    assert!(
        errored.errors.iter().any(|e| e.contains("deliberate")),
        "{:?}",
        errored.errors
    );
}

#[tokio::test]
async fn a_report_of_no_such_wave_or_into_a_directory_exits_2_and_writes_nothing() {
    let env = TestEnv::new().await;
    let out = env.dir.join("r.html");
    let missing = prakerja(
        Some(&env),
        &["report", "77", "--out", out.to_str().expect("path")],
    );
    assert_eq!(missing.status.code(), Some(2), "{missing:?}");
    assert!(String::from_utf8_lossy(&missing.stderr).contains("wave 77 does not exist"));
    assert!(!out.exists());
    let into_dir = prakerja(
        Some(&env),
        &["report", "1", "--out", env.dir.to_str().expect("path")],
    );
    assert_eq!(into_dir.status.code(), Some(2), "{into_dir:?}");
    assert!(String::from_utf8_lossy(&into_dir.stderr).contains("is a directory"));
}

/// A wave just opened has a report too: nothing drawn or paid yet, said so.
#[tokio::test]
async fn an_open_wave_reports_what_there_is_and_that_nothing_is_drawn_yet() {
    let env = TestEnv::new().await;
    let wave = open_wave(env.pool(), data::open_request(&env, "Baru", "national:5"))
        .await
        .expect("open");
    let page = workers::report::WaveReport::build(&env.app, i64::from(wave.wave_id))
        .await
        .expect("report")
        .render();
    for shown in [
        "<b>0</b> registrations",
        "No draw yet: the wave has not been closed.",
        "not recorded yet: the draw has not happened",
        "No entitlement yet",
        "nothing to show yet",
    ] {
        assert!(page.contains(shown), "the report lacks {shown:?}");
    }
    assert_eq!(
        page.matches("<svg").count(),
        4,
        "every chart is there, empty"
    );
}
