//! The draw's proof: the manifest as published, the beacon (source, chain,
//! round, signature) re-verified here, and the commands that recompute the
//! draw from the audit bundle.

use std::fmt::Write;

use shared::beacon::{Chain, PublishedBeacon, format_instant};

use super::draw::DrawFacts;
use super::html::{Cell, escape, facts, table, verdict};
use crate::waves::Wave;

/// The beacon as stored, and its checks.
#[derive(Debug, Clone, Default)]
pub struct BeaconFacts {
    pub source: String,
    pub description: String,
    /// What is published of it, by name.
    pub fields: Vec<(&'static str, String)>,
    /// (check, holds, detail when it does not).
    pub checks: Vec<(String, bool, String)>,
    /// What could not be checked, said plainly.
    pub notes: Vec<String>,
}

impl BeaconFacts {
    /// The wave's beacon; re-verified once the draw is stored. `pinned`:
    /// the chains of the configuration at hand.
    pub fn of(wave: &Wave, drawn: bool, pinned: &[Chain]) -> Self {
        let mut facts = BeaconFacts {
            source: wave.beacon_source.clone(),
            ..Default::default()
        };
        if let Ok(Some((chain, round))) = wave.derived_round() {
            facts
                .fields
                .push(("round (derived from frozen_at)", round.to_string()));
            facts
                .fields
                .push(("round time", format_instant(chain.round_time(round))));
        }
        if !drawn {
            facts.description = "not recorded yet: the draw has not happened".into();
            return facts;
        }
        match wave.published_beacon() {
            Ok(Some(published)) => {
                facts.description = published.describe();
                if let PublishedBeacon::Drand(r) = &published {
                    let c = &r.chain;
                    facts.fields = vec![
                        ("chain", c.name.clone()),
                        ("chain hash", c.hash_hex()),
                        ("public key", hex::encode(c.public_key)),
                        ("scheme", c.scheme.as_str().to_owned()),
                        ("genesis (Unix time)", c.genesis.to_string()),
                        ("period", format!("{} s", c.period_secs)),
                        ("delay after the freeze", format!("{} s", c.delay_secs)),
                        ("inputs frozen at", format_instant(r.frozen_at)),
                        ("round", r.round.to_string()),
                        ("round time", format_instant(c.round_time(r.round))),
                        ("signature", hex::encode(&r.signature)),
                        (
                            "randomness (SHA-256 of the signature)",
                            hex::encode(&r.randomness),
                        ),
                    ];
                }
                let seed_beacon = wave.beacon.as_deref().unwrap_or_default();
                let (findings, notes) = published.findings(seed_beacon, Some(pinned));
                facts.checks = findings
                    .into_iter()
                    .map(|f| {
                        (
                            f.name.to_owned(),
                            f.ok,
                            if f.ok { String::new() } else { f.detail },
                        )
                    })
                    .collect();
                facts.notes = notes;
            }
            Ok(None) => facts.description = "not recorded yet".into(),
            Err(error) => facts.description = format!("unreadable: {error:#}"),
        }
        facts
    }
}

/// The section: beacon, manifest, and how to recompute.
pub fn html(wave: &Wave, draw: Option<&DrawFacts>, beacon: &BeaconFacts) -> String {
    let mut out = String::from("<h3>The beacon</h3>");
    let _ = write!(
        out,
        "<p>Source <code>{}</code>, fixed when the wave opened: {}.</p>",
        escape(&beacon.source),
        escape(&beacon.description)
    );
    if !beacon.fields.is_empty() {
        out.push_str(&facts(
            &beacon
                .fields
                .iter()
                .map(|(k, v)| (*k, v.clone()))
                .collect::<Vec<_>>(),
            true,
        ));
    }
    if !beacon.checks.is_empty() {
        let rows: Vec<Vec<Cell>> = beacon
            .checks
            .iter()
            .map(|(name, ok, detail)| {
                vec![
                    Cell::Html(verdict(*ok, if *ok { "verified" } else { "FAILED" })),
                    Cell::Text(name.clone()),
                    Cell::Text(detail.clone()),
                ]
            })
            .collect();
        out.push_str(&table(
            &["", "check (re-done for this report)", "detail"],
            &rows,
        ));
    }
    for note in &beacon.notes {
        let _ = write!(out, "<p class=\"note\">{}</p>", escape(note));
    }
    let Some(draw) = draw else {
        out.push_str("<p>No draw yet: the manifest and the commands to recompute it appear once the wave is drawn.</p>");
        return out;
    };
    let _ = write!(
        out,
        "<h3>The manifest</h3><p>As published with the draw. The commitment was published when the wave opened; \
         the secret, revealed at the close, hashes to it.</p>{}<pre class=\"manifest\">{}</pre>",
        facts(
            &[
                ("commitment", wave.commitment_hex()),
                (
                    "secret (revealed at the close)",
                    wave.secret.as_deref().map(hex::encode).unwrap_or_default()
                ),
            ],
            true
        ),
        escape(draw.manifest_text.trim_end())
    );
    out.push_str(&commands(wave, draw.has_prior));
    out
}

/// The exact commands that recompute the draw, as shell text.
pub fn command_text(wave: &Wave, has_prior: bool) -> String {
    let id = wave.wave_id;
    let dir = format!("wave-{id}");
    let allocation = if wave.allocation == "explicit" {
        format!("explicit:{dir}/quotas.csv")
    } else {
        wave.allocation.clone()
    };
    let prior = if has_prior {
        format!(" --prior {dir}/prior.csv")
    } else {
        String::new()
    };
    format!(
        "# 1. the audit bundle: params.json, candidates.csv, prior.csv, expected.csv, manifest.json, rejected.csv\n\
         prakerja wave export {id} --dir {dir}\n\
         # 2. recompute the draw from the bundle alone (no database): MATCH, exit 0; MISMATCH, exit 1.\n\
         #    Also re-verifies the beacon: the round from frozen_at, the signature, the randomness in the seed.\n\
         prakerja audit --bundle {dir}\n\
         # 3. or run the algorithm yourself on the bundle's files and compare with the published result\n\
         prakerja select --candidates {dir}/candidates.csv --wave-id {id} \\\n    --secret {secret} \\\n    \
         --beacon '{beacon}' --allocation {allocation} --kk-cap {kk}{prior} --output result.csv\n\
         cmp result.csv {dir}/expected.csv && echo the same result\n\
         # 4. with access to the database: recompute from the stored inputs\n\
         prakerja audit {id}\n\
         # 5. a second, independent implementation (Python, standard library; from a checkout of the repository):\n\
         #    python3 verify/verify_draw.py {dir}\n",
        secret = wave.secret.as_deref().map(hex::encode).unwrap_or_default(),
        beacon = wave.beacon.as_deref().map(hex::encode).unwrap_or_default(),
        kk = wave.kk_cap,
    )
}

fn commands(wave: &Wave, has_prior: bool) -> String {
    let (spec, applicant) = if wave.selection_algorithm == "v2" {
        (
            "docs/selection-v2.md",
            format!(
                "<p>An applicant checks their own line: <code>prakerja receipt REGISTRATION_ID</code> shows \
                 their <code>pid</code>, eligibility with every reason, stratum, rank and status, and \
                 <code>python3 verify/verify_draw.py wave-{id} --registration-id REGISTRATION_ID</code> \
                 derives the <code>pid</code> from the registration id, recomputes the draw and finds their \
                 line in <code>expected.csv</code>. The bundle holds <code>pid</code>s and <code>fid</code>s, \
                 no NIK, KK, name or contact: it is published.</p>",
                id = wave.wave_id
            ),
        )
    } else {
        (
            "docs/selection-v1.md",
            "<p>An applicant checks their own line in the bundle: <code>expected.csv</code> holds \
             <code>stratum,rank,nik,status</code> for every candidate, <code>rejected.csv</code> every \
             rejected registration with its reasons. The bundle holds NIKs: it is given to auditors, not \
             published.</p>"
                .to_owned(),
        )
    };
    format!(
        "<h3>Recompute the draw</h3><p>Anyone with the bundle recomputes the draw with the published algorithm \
         (<code>{spec}</code>, byte for byte): the same inputs, secret and beacon give the same \
         ranks and the same digests.</p><pre>{}</pre>{applicant}",
        escape(&command_text(wave, has_prior))
    )
}
