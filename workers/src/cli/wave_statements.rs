//! Every statement that reads a whole wave (the draw's freeze and inputs,
//! the audit, `wave status` and `wave list`, `wave export`), listed by name.
//! A wave holds up to millions of registrations, so each must keep a plan
//! linear in the wave's size whatever the planner's statistics say, fresh,
//! stale or absent: `tests/it/plans.rs` runs each on a wave that was never
//! analysed and counts the rows its plan visits. (Closing a wave reads only
//! its `waves` row; the close barrier reads the queue and the validators'
//! heartbeats.)

use super::{export, wave_status};
use crate::audit::queries as audit;
use crate::selector::inputs;

/// One statement and how to run it.
#[derive(Debug, Clone)]
pub struct WaveStatement {
    pub name: &'static str,
    pub sql: String,
    /// Whether `$1` is the wave's id (a bigint); otherwise the id is inlined
    /// (the statement is read with `COPY`, which takes no parameters).
    pub binds_wave: bool,
}

impl WaveStatement {
    fn bound(name: &'static str, sql: &str) -> Self {
        Self {
            name,
            sql: sql.to_owned(),
            binds_wave: true,
        }
    }

    fn inlined(name: &'static str, sql: String) -> Self {
        Self {
            name,
            sql,
            binds_wave: false,
        }
    }
}

/// What the freeze writes, in the transaction that moves the wave to
/// `drawing` (they insert: run them there), after the selector's
/// `inputs::analyze_before_freeze`.
pub fn freeze() -> Vec<WaveStatement> {
    vec![
        WaveStatement::bound("freeze: prior counts", inputs::PRIOR_SQL),
        WaveStatement::bound("freeze: registrations left out", inputs::EXCLUDED_SQL),
    ]
}

/// What the draw reads once the inputs are frozen, after the selector's
/// `inputs::analyze_frozen` (a restarted draw too).
pub fn draw_inputs(wave_id: i32) -> Vec<WaveStatement> {
    vec![WaveStatement::inlined(
        "draw: candidates",
        inputs::candidates_select(wave_id),
    )]
}

/// What an operator or auditor runs, at any time (the counts) or once the
/// wave is drawn, whatever the statistics: these must not depend on them.
pub fn reads(wave_id: i32) -> Vec<WaveStatement> {
    let mut statements = vec![
        WaveStatement::inlined("audit: stored rows", audit::stored_rows(wave_id)),
        WaveStatement::inlined("audit: skew check rows", audit::skew_rows(wave_id)),
        WaveStatement::inlined("export: rejected.csv", export::rejected_rows(wave_id)),
        WaveStatement::inlined(
            "export: rejected.csv (v2)",
            crate::cli::export_v2::rejected_v2_rows(wave_id),
        ),
        WaveStatement::bound(
            "status: registrations",
            wave_status::REGISTRATION_COUNTS_SQL,
        ),
        WaveStatement::bound("status: reasons", wave_status::REASON_COUNTS_SQL),
        WaveStatement::bound("status: warnings", wave_status::WARNING_COUNTS_SQL),
        WaveStatement::bound("status: participants", wave_status::PARTICIPANT_COUNTS_SQL),
    ];
    statements.extend(
        audit::COUNT_CHECKS
            .iter()
            .map(|check| WaveStatement::bound(check.name, check.sql)),
    );
    statements
}
