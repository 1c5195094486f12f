//! The beacon's part of an audit: the beacon a draw's seed took is
//! re-verified (signature against the chain's key, round arithmetic from
//! `frozen_at`, randomness, the bytes in the seed) from what the manifest
//! publishes (bundle) or what the wave holds (database), and the database
//! audit also checks that the manifest publishes exactly the wave's beacon.

use serde::Serialize;
use shared::beacon::{Chain, Finding, PublishedBeacon};
use shared::selection::Manifest;

use super::Check;
use crate::waves::Wave;

/// What the audit says about the beacon besides its checks.
#[derive(Debug, Clone, Serialize)]
pub struct BeaconReport {
    /// The beacon in one line.
    pub description: String,
    /// What could not be checked, said plainly.
    pub notes: Vec<String>,
}

fn checks(findings: Vec<Finding>) -> Vec<Check> {
    findings
        .into_iter()
        .map(|f| Check {
            name: f.name,
            ok: f.ok,
            detail: f.detail,
        })
        .collect()
}

/// A bundle's beacon: the manifest's fields, against the seed's beacon
/// (params.json) and the chains pinned in the configuration at hand.
pub fn from_bundle(
    manifest: &Manifest,
    seed_beacon: &[u8],
    pinned: Option<&[Chain]>,
) -> (Vec<Check>, BeaconReport) {
    match PublishedBeacon::from_extras(&manifest.extra) {
        Ok(published) => {
            let (findings, notes) = published.findings(seed_beacon, pinned);
            (
                checks(findings),
                BeaconReport {
                    description: published.describe(),
                    notes,
                },
            )
        }
        Err(error) => unreadable(error.to_string()),
    }
}

fn unreadable(detail: String) -> (Vec<Check>, BeaconReport) {
    (
        vec![Check {
            name: "the manifest's beacon fields are readable",
            ok: false,
            detail: detail.clone(),
        }],
        BeaconReport {
            description: format!("unreadable: {detail}"),
            notes: Vec::new(),
        },
    )
}

/// A stored draw's beacon: the wave's, re-verified, and the manifest's
/// fields against it.
pub fn from_wave(
    wave: &Wave,
    manifest: &Manifest,
    seed_beacon: &[u8],
    pinned: Option<&[Chain]>,
) -> (Vec<Check>, BeaconReport) {
    let stored = match wave.published_beacon() {
        Ok(Some(stored)) => stored,
        Ok(None) => return unreadable(format!("wave {} has no recorded beacon", wave.wave_id)),
        Err(error) => return unreadable(format!("{error:#}")),
    };
    let (findings, mut notes) = stored.findings(seed_beacon, pinned);
    let mut all = checks(findings);
    match PublishedBeacon::from_extras(&manifest.extra) {
        Ok(PublishedBeacon::Unpublished) if !matches!(stored, PublishedBeacon::Drand(_)) => {
            notes.push("the manifest predates published beacon fields".into());
        }
        Ok(published) => all.push(Check {
            name: "the manifest publishes the wave's beacon",
            ok: published == stored,
            detail: format!(
                "the manifest publishes {}; the wave holds {}",
                published.describe(),
                stored.describe()
            ),
        }),
        Err(error) => all.push(Check {
            name: "the manifest publishes the wave's beacon",
            ok: false,
            detail: error.to_string(),
        }),
    }
    (
        all,
        BeaconReport {
            description: stored.describe(),
            notes,
        },
    )
}
