//! What a manifest publishes of its wave's beacon (extra fields; the spec's
//! required fields are untouched): `frozen_at`, `beacon_source`, and for a
//! drand wave the chain, round, signature and randomness (see
//! `shared::beacon::PublishedBeacon`). All of it is stored on the wave, so a
//! restarted draw publishes the identical manifest.

use shared::beacon::format_instant;
use shared::selection::Manifest;

use crate::waves::Wave;

/// Adds the wave's beacon fields to the manifest's extras.
pub fn publish(manifest: &mut Manifest, wave: &Wave) -> anyhow::Result<()> {
    let published = wave
        .published_beacon()?
        .ok_or_else(|| anyhow::anyhow!("wave {} has no beacon yet", wave.wave_id))?;
    if let Some(frozen_at) = wave.frozen_at {
        manifest
            .extra
            .insert("frozen_at".into(), format_instant(frozen_at).into());
    }
    published.to_extras(&mut manifest.extra);
    Ok(())
}
