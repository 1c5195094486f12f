//! Draws and disbursement runs, each one span and one duration.

use std::time::Duration;

use metrics::histogram;

/// A draw stored.
#[derive(Debug)]
pub struct DrawFinished {
    pub wave_id: i32,
    pub candidates: usize,
    pub selected: u64,
    pub elapsed: Duration,
}

impl DrawFinished {
    pub fn emit(&self) {
        tracing::info!(
            wave_id = self.wave_id,
            candidates = self.candidates,
            selected = self.selected,
            seconds = self.elapsed.as_secs_f64(),
            "draw stored"
        );
        histogram!("prakerja_draw_seconds").record(self.elapsed.as_secs_f64());
    }
}

/// One execution of a disbursement run finished.
#[derive(Debug)]
pub struct RunFinished {
    pub run_date: chrono::NaiveDate,
    pub first_execution: bool,
    pub instructions: u64,
    pub resent: u64,
    pub revoked: u64,
    pub promoted: u64,
    /// The run waits for a second operator's approval.
    pub awaiting_approval: bool,
    pub elapsed: Duration,
}

impl RunFinished {
    pub fn emit(&self) {
        tracing::info!(
            run_date = %self.run_date,
            first_execution = self.first_execution,
            instructions = self.instructions,
            resent = self.resent,
            revoked = self.revoked,
            promoted = self.promoted,
            awaiting_approval = self.awaiting_approval,
            seconds = self.elapsed.as_secs_f64(),
            "disbursement run done"
        );
        histogram!("prakerja_run_seconds").record(self.elapsed.as_secs_f64());
    }
}
