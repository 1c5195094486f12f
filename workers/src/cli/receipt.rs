//! `prakerja receipt REGISTRATION_ID`: what an applicant may know about
//! their registration (CONTRACTS.md): the wave, the `pid` of a v2 wave,
//! eligible or rejected with every reason, and once the wave is drawn their
//! stratum, rank and status, with the one command that checks that line
//! against the wave's published bundle without trusting anyone. It shows
//! no NIK, KK, name or contact.

use serde::Serialize;
use shared::selection::{Algorithm, derive_pid};
use uuid::Uuid;

use super::error::{CliResult, input};
use crate::app::App;
use crate::waves::{Wave, WaveState};

#[derive(Debug, Serialize)]
pub struct Receipt {
    pub registration_id: Uuid,
    pub wave_id: i64,
    /// The wave's name, if the wave exists (`WAVE_UNKNOWN` otherwise).
    pub wave_name: Option<String>,
    /// `prakerja-selection-v1` or `-v2`.
    pub selection: Option<String>,
    /// The `pid` of a v2 wave: SHA-256 of `PRAKERJA-PID-V2` and the
    /// registration id, first 16 bytes (anyone can recompute it).
    pub pid: Option<String>,
    /// `eligible` or `rejected`.
    pub eligibility: String,
    /// Every reason of a rejection (empty when eligible).
    pub reasons: Vec<String>,
    /// The draw's line, once the wave is drawn.
    pub draw: Option<DrawLine>,
    /// An eligible registration its wave's draw left out, and why.
    pub left_out: Option<String>,
    /// How to check the line against the published bundle.
    pub check: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DrawLine {
    pub stratum: String,
    pub rank: i32,
    /// `SELECTED`, `WAITLIST` or `KK_CAP`, as drawn.
    pub status: String,
    /// `promoted` when the waiting list later gave this registration a seat.
    pub since: Option<String>,
}

pub async fn run(app: &App, registration_id: &str) -> CliResult<Receipt> {
    let id: Uuid = registration_id.trim().parse().map_err(|_| {
        input(format!(
            "{registration_id:?} is not a registration id (a UUID, as on the receipt of submission)"
        ))
    })?;
    let pool = &app.pool;
    let row: Option<(i64, String, Vec<String>)> = sqlx::query_as(
        "SELECT wave_id, status, reasons::text[] FROM registrations WHERE registration_id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let Some((wave_id, eligibility, reasons)) = row else {
        return Err(input(format!("no registration {id} is known")));
    };
    let wave = Wave::find(pool, wave_id).await?;
    let algorithm = wave.as_ref().map(Wave::algorithm).transpose()?;
    let pid = (algorithm == Some(Algorithm::V2)).then(|| format!("{:032x}", derive_pid(&id)));
    let mut receipt = Receipt {
        registration_id: id,
        wave_id,
        wave_name: wave.as_ref().map(|w| w.name.clone()),
        selection: algorithm.map(|a| a.name().to_owned()),
        pid,
        eligibility: eligibility.clone(),
        reasons,
        draw: None,
        left_out: None,
        check: None,
    };
    let drawn = wave.as_ref().is_some_and(|w| w.state() == WaveState::Drawn);
    if !drawn || eligibility != "eligible" {
        return Ok(receipt);
    }
    let line: Option<(String, i32, String, Option<String>)> = sqlx::query_as(
        "SELECT s.stratum, s.rank, s.status, p.origin FROM selection_results s \
           LEFT JOIN participants p ON p.registration_id = s.registration_id \
          WHERE s.wave_id = $1 AND s.registration_id = $2",
    )
    .bind(wave_id as i32)
    .bind(id)
    .fetch_optional(pool)
    .await?;
    match line {
        Some((stratum, rank, status, origin)) => {
            receipt.draw = Some(DrawLine {
                stratum,
                rank,
                status,
                since: origin.filter(|o| o == "promoted"),
            });
            receipt.check = Some(match algorithm {
                Some(Algorithm::V2) => format!(
                    "python3 verify/verify_draw.py wave-{wave_id} --registration-id {id}   \
                     (wave-{wave_id}: the wave's published bundle, `prakerja wave export \
                     {wave_id} --dir wave-{wave_id}`)"
                ),
                _ => format!(
                    "python3 verify/verify_draw.py wave-{wave_id}   (a v1 bundle holds NIKs: \
                     entitled auditors only)"
                ),
            });
        }
        None => {
            receipt.left_out = Some(
                "left out of this wave's draw: by the close the NIK was already a \
                 beneficiary of another wave (ALREADY_BENEFICIARY)"
                    .to_owned(),
            );
        }
    }
    Ok(receipt)
}

pub fn human(r: &Receipt) -> String {
    let mut text = format!(
        "registration {}\nwave {}{}{}\n",
        r.registration_id,
        r.wave_id,
        r.wave_name
            .as_ref()
            .map(|n| format!(" {n:?}"))
            .unwrap_or_default(),
        r.selection
            .as_ref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default()
    );
    if let Some(pid) = &r.pid {
        text.push_str(&format!("pid {pid}\n"));
    }
    if r.reasons.is_empty() {
        text.push_str(&format!("{}\n", r.eligibility));
    } else {
        text.push_str(&format!("{}: {}\n", r.eligibility, r.reasons.join(", ")));
    }
    match (&r.draw, &r.left_out) {
        (Some(line), _) => text.push_str(&format!(
            "drawn: stratum {}, rank {}, {}{}\n",
            line.stratum,
            line.rank,
            line.status,
            line.since
                .as_ref()
                .map(|s| format!(" (since {s} from the waiting list)"))
                .unwrap_or_default()
        )),
        (None, Some(why)) => text.push_str(&format!("{why}\n")),
        (None, None) if r.eligibility == "eligible" => {
            text.push_str("not drawn yet\n");
        }
        (None, None) => {}
    }
    if let Some(check) = &r.check {
        text.push_str(&format!("check it yourself: {check}\n"));
    }
    text
}
