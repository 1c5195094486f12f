//! The demo's public check of a v2 draw: one applicant's receipt, and the
//! independent Python verifier (`verify/verify_draw.py`) run on the
//! exported public bundle, for the whole draw and for that applicant's line.

use std::path::{Path, PathBuf};

use crate::app::App;
use crate::cli::error::CliResult;
use crate::cli::receipt;

/// The demo's family key when none is configured: a fixed development
/// key (SHA-256 of "prakerja demo family key: development only"), so that
/// every demo on a database derives the same `fid`s. Never a programme's.
pub const DEMO_FAMILY_KEY: &str =
    "c7387a32691c8ba6c40ca8998abcb95a4a1feb1f3ab239adc333cd665ca40040";

/// The verifier shipped in the repository.
pub fn verifier() -> PathBuf {
    let here = PathBuf::from("verify/verify_draw.py");
    if here.is_file() {
        return here;
    }
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../verify/verify_draw.py"
    ))
}

/// Prints one selected applicant's receipt and runs the verifier on the
/// public bundle, whole and for that applicant; fails unless both say MATCH.
pub async fn receipt_and_verifier(app: &App, wave_id: i32, bundle: &Path) -> CliResult<()> {
    let registration: Option<uuid::Uuid> = sqlx::query_scalar(
        "SELECT registration_id FROM selection_results \
          WHERE wave_id = $1 AND status = 'SELECTED' ORDER BY stratum, rank LIMIT 1",
    )
    .bind(wave_id)
    .fetch_optional(&app.pool)
    .await?;
    if let Some(id) = registration {
        let receipt = receipt::run(app, &id.to_string()).await?;
        println!("$ prakerja receipt {id}");
        println!("{}", receipt::human(&receipt).trim_end());
    }
    let script = verifier();
    let bundle_text = bundle.display().to_string();
    let mut runs = vec![vec![bundle_text.clone()]];
    if let Some(id) = registration {
        runs.push(vec![
            bundle_text,
            "--registration-id".to_owned(),
            id.to_string(),
        ]);
    }
    for args in runs {
        println!("$ python3 {} {}", script.display(), args.join(" "));
        let output = tokio::process::Command::new("python3")
            .arg(&script)
            .args(&args)
            .output()
            .await
            .map_err(|e| anyhow::anyhow!("running python3 {}: {e}", script.display()))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        println!("{}", stdout.trim_end());
        if !output.status.success() || !stdout.contains("MATCH") || stdout.contains("MISMATCH") {
            return Err(anyhow::anyhow!(
                "the verifier did not say MATCH ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            )
            .into());
        }
    }
    Ok(())
}
