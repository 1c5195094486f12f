//! A wave's beacon as stored: its source fixed at open (`none`, a drand
//! chain frozen into the wave, or `operator` for waves closed before drand
//! beacons), and, once recorded, what the manifest publishes of it.

use shared::beacon::{Chain, PublishedBeacon, PublishedRound};

use super::Wave;

/// Where a wave's beacon comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaveBeacon {
    /// No beacon: the seed takes the secret alone.
    None,
    /// A beacon the operator passed at close (waves from before drand beacons).
    Operator,
    /// The derived round of this chain (parameters as frozen at open).
    Drand(Chain),
}

impl Wave {
    /// The beacon source fixed when the wave opened.
    pub fn beacon_plan(&self) -> anyhow::Result<WaveBeacon> {
        match self.beacon_source.as_str() {
            "none" => Ok(WaveBeacon::None),
            "operator" => Ok(WaveBeacon::Operator),
            source if source.starts_with("drand:") => {
                let chain = self.beacon_chain.as_ref().ok_or_else(|| {
                    anyhow::anyhow!("wave {} names {source} but froze no chain", self.wave_id)
                })?;
                Ok(WaveBeacon::Drand(chain.0.clone()))
            }
            other => anyhow::bail!(
                "wave {} has an unknown beacon source {other:?}",
                self.wave_id
            ),
        }
    }

    /// The drand round the wave's draw takes: known once its inputs are frozen.
    pub fn derived_round(&self) -> anyhow::Result<Option<(Chain, u64)>> {
        let WaveBeacon::Drand(chain) = self.beacon_plan()? else {
            return Ok(None);
        };
        Ok(self.frozen_at.map(|frozen| {
            let round = chain.round_for(frozen);
            (chain, round)
        }))
    }

    /// The beacon as the manifest publishes it; `None` while a drand wave
    /// still waits for its round.
    pub fn published_beacon(&self) -> anyhow::Result<Option<PublishedBeacon>> {
        Ok(Some(match self.beacon_plan()? {
            WaveBeacon::None => PublishedBeacon::None,
            WaveBeacon::Operator => PublishedBeacon::Operator,
            WaveBeacon::Drand(mut chain) => {
                let (Some(round), Some(signature), Some(randomness), Some(frozen_at)) = (
                    self.beacon_round,
                    &self.beacon_signature,
                    &self.beacon,
                    self.frozen_at,
                ) else {
                    return Ok(None);
                };
                chain.urls.clear();
                PublishedBeacon::Drand(Box::new(PublishedRound {
                    chain,
                    frozen_at,
                    round: u64::try_from(round)?,
                    signature: signature.clone(),
                    randomness: randomness.clone(),
                }))
            }
        }))
    }
}
