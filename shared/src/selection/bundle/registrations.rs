//! A v2 vector's derivation inputs: `registrations.csv`
//! (`registration_id,kk,province,tier`, the candidates as the programme
//! holds them) and the family key, from which every `pid` and `fid` of
//! `candidates.csv` and the prior file must follow (selection-v2/SPEC.md,
//! "Vectors"). Public bundles never carry these: they are personal data
//! and the programme's secret.

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use super::csv_read::{code, read_csv, tier};
use super::error::BundleError;
use crate::selection::{CandidateV2, FamilyKey, Fid, Province, derive_pid, parse_id};

/// At most this many derivation mismatches are listed.
pub const MAX_MISMATCHES: usize = 20;

/// The header of `registrations.csv`.
pub const REGISTRATIONS_HEADER: [&str; 4] = ["registration_id", "kk", "province", "tier"];

/// One line of `registrations.csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Registration {
    /// The registration id, canonical (lower-case, hyphenated).
    pub registration_id: Uuid,
    /// The family card, 16 digits.
    pub kk: u64,
    /// Province.
    pub province: Province,
    /// Tier, 1 to 9.
    pub tier: u8,
}

/// What derives the ids of a v2 vector: the family key and the
/// registrations.
#[derive(Clone, Debug, PartialEq)]
pub struct Derivation {
    /// The programme's family key (`family_key` in `params.json`).
    pub family_key: FamilyKey,
    /// The file's name inside the bundle (`registrations` in `params.json`).
    pub registrations_file: String,
    /// The registrations in file order.
    pub registrations: Vec<Registration>,
}

/// `registrations.csv`, in file order; registration ids unique and in
/// canonical text (the text is what `pid` hashes).
pub fn read_registrations(file: &str, bytes: &[u8]) -> Result<Vec<Registration>, BundleError> {
    let mut registrations = Vec::new();
    let mut seen = HashMap::new();
    read_csv(file, bytes, &REGISTRATIONS_HEADER, |line, r| {
        let text = &r[0];
        let registration_id = Uuid::parse_str(text)
            .ok()
            .filter(|id| id.hyphenated().to_string() == text)
            .ok_or_else(|| {
                BundleError::field(
                    file,
                    line,
                    "registration_id",
                    text,
                    "is not a UUID in canonical form (36 lower-case characters with hyphens)",
                )
            })?;
        let kk = parse_id(&r[1])
            .ok_or_else(|| BundleError::field(file, line, "kk", "…", "is not 16 ASCII digits"))?;
        let province = code(file, line, "province", &r[2])?;
        let tier = tier(file, line, &r[3])?;
        if let Some(first) = seen.insert(registration_id, line) {
            let message = format!("registration_id {registration_id} duplicates line {first}");
            return Err(BundleError::line(file, line, message));
        }
        registrations.push(Registration {
            registration_id,
            kk,
            province,
            tier,
        });
        Ok(())
    })?;
    Ok(registrations)
}

impl Derivation {
    /// Derives every registration's `pid` and `fid` and lists how the
    /// bundle's `candidates` (lines from 2, in file order) and `prior`
    /// differ from them: a candidate missing, extra or with another `fid`,
    /// province or tier; a prior `fid` that is no registration's. At most
    /// [`MAX_MISMATCHES`] are listed, then a count. Empty means every id
    /// follows from the registrations and the key.
    pub fn check(
        &self,
        candidates: &[CandidateV2],
        candidates_file: &str,
        prior: Option<(&[(Fid, u32)], &str)>,
    ) -> Vec<String> {
        let file = &self.registrations_file;
        let mut found = Vec::new();
        let by_pid: HashMap<u128, (usize, &CandidateV2)> = candidates
            .iter()
            .enumerate()
            .map(|(i, c)| (c.pid, (i + 2, c)))
            .collect();
        let mut derived_pids = HashSet::with_capacity(self.registrations.len());
        let mut fids = HashSet::new();
        for (index, r) in self.registrations.iter().enumerate() {
            let line = index + 2;
            let pid = derive_pid(&r.registration_id);
            // kk was read as 16 digits, so it has a fid.
            let fid = self.family_key.fid(r.kk).unwrap_or_default();
            derived_pids.insert(pid);
            fids.insert(fid);
            let derived = CandidateV2 {
                pid,
                fid,
                province: r.province,
                tier: r.tier,
            };
            match by_pid.get(&pid) {
                None => found.push(format!(
                    "{file} line {line}: pid {pid:032x} (derived from the registration id) is not in {candidates_file}"
                )),
                Some((c_line, c)) if **c != derived => found.push(format!(
                    "{candidates_file} line {c_line}: pid {pid:032x} has {}, but {file} line {line} derives {}",
                    line_of(c),
                    line_of(&derived)
                )),
                Some(_) => {}
            }
        }
        for (index, c) in candidates.iter().enumerate() {
            if !derived_pids.contains(&c.pid) {
                found.push(format!(
                    "{candidates_file} line {}: pid {:032x} is not derived from any registration in {file}",
                    index + 2,
                    c.pid
                ));
            }
        }
        if let Some((prior, prior_file)) = prior {
            for (index, (fid, _)) in prior.iter().enumerate() {
                if !fids.contains(fid) {
                    found.push(format!(
                        "{prior_file} line {}: fid {fid:032x} is not the fid of any kk in {file}",
                        index + 2
                    ));
                }
            }
        }
        if found.len() > MAX_MISMATCHES {
            let more = found.len() - MAX_MISMATCHES;
            found.truncate(MAX_MISMATCHES);
            found.push(format!("... and {more} more derivation mismatches"));
        }
        found
    }
}

fn line_of(c: &CandidateV2) -> String {
    format!("{:032x},{:032x},{},{}", c.pid, c.fid, c.province, c.tier)
}
