//! The selector's side of the skew check ([`shared::skew::draw_check`]):
//! what it reads of a candidate, and the verdict written into the manifest.

use shared::selection::{Manifest, Province};
use shared::skew::draw_check::{SkewCheck, Submitted};

use super::inputs::CandidateInfo;
use crate::waves::Wave;

impl Submitted for CandidateInfo {
    fn province(&self) -> Province {
        self.province
    }

    fn tier(&self) -> u8 {
        self.tier
    }

    fn submitted_at(&self) -> i64 {
        self.submitted_at
    }
}

/// Adds the check's verdict and the wave's context to the manifest's extra
/// fields (all deterministic, so a restarted draw writes the same manifest).
pub fn annotate(manifest: &mut Manifest, wave: &Wave, check: &SkewCheck) {
    let tests: Vec<serde_json::Value> = check
        .tests
        .iter()
        .map(|t| {
            serde_json::json!({
                "dimension": t.dimension,
                "statistic": t.statistic,
                "dof": t.dof,
                "p_value": t.p_value,
                "significant": t.significant,
            })
        })
        .collect();
    let extra = &mut manifest.extra;
    extra.insert("scheme".into(), wave.scheme_name.clone().into());
    extra.insert("allocation".into(), wave.allocation.clone().into());
    extra.insert("kk_cap_limit".into(), wave.kk_cap.into());
    extra.insert(
        "beacon".into(),
        hex::encode(wave.beacon.as_deref().unwrap_or_default()).into(),
    );
    extra.insert(
        "skew_check".into(),
        serde_json::json!({
            "alpha": check.alpha,
            "flagged": check.flagged,
            "quotas_met": check.strata.iter().all(|s| s.quota_met),
            "tests": tests,
        }),
    );
}
