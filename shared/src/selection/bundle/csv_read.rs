//! The bundle's CSV files, parsed field by field with line numbers.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use csv::{ReaderBuilder, StringRecord};

use super::error::BundleError;
use crate::selection::{Candidate, Province, ResultRow, Status, Stratum, mask_id, parse_id};

/// Reads `bytes` as CSV with exactly `header`, calling `row` with each
/// record and its 1-based line number.
fn read_csv(
    file: &str,
    bytes: &[u8],
    header: &[&str],
    mut row: impl FnMut(u64, &StringRecord) -> Result<(), BundleError>,
) -> Result<(), BundleError> {
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = StringRecord::new();
    let mut first = true;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return Err(BundleError::line(file, line, format!("not valid CSV: {e}")));
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        if first {
            first = false;
            if record.iter().ne(header.iter().copied()) {
                let found = record.iter().collect::<Vec<_>>().join(",");
                return Err(BundleError::line(
                    file,
                    line,
                    format!("header is {found:?}, expected {:?}", header.join(",")),
                ));
            }
            continue;
        }
        if record.len() != header.len() {
            return Err(BundleError::line(
                file,
                line,
                format!(
                    "{} fields, expected {} ({})",
                    record.len(),
                    header.len(),
                    header.join(",")
                ),
            ));
        }
        row(line, &record)?;
    }
    if first {
        return Err(BundleError::line(
            file,
            1,
            format!("missing header {:?}", header.join(",")),
        ));
    }
    Ok(())
}

fn id(file: &str, line: u64, field: &str, text: &str) -> Result<u64, BundleError> {
    parse_id(text)
        .ok_or_else(|| BundleError::field(file, line, field, text, "is not 16 ASCII digits"))
}

fn code<T: std::str::FromStr>(
    file: &str,
    line: u64,
    field: &str,
    text: &str,
) -> Result<T, BundleError> {
    text.parse()
        .map_err(|_| BundleError::field(file, line, field, text, "is not 2 ASCII digits"))
}

fn number<T: std::str::FromStr>(
    file: &str,
    line: u64,
    field: &str,
    text: &str,
    what: &str,
) -> Result<T, BundleError> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    digits
        .then(|| text.parse().ok())
        .flatten()
        .ok_or_else(|| BundleError::field(file, line, field, text, format!("is not {what}")))
}

/// `candidates.csv` (`nik,kk,province,tier`), in file order; NIKs unique.
pub fn read_candidates(file: &str, bytes: &[u8]) -> Result<Vec<Candidate>, BundleError> {
    let mut candidates = Vec::new();
    let mut lines = Vec::new();
    read_csv(
        file,
        bytes,
        &["nik", "kk", "province", "tier"],
        |line, r| {
            let tier_text = &r[3];
            let tier = match tier_text.as_bytes() {
                [t @ b'1'..=b'9'] => t - b'0',
                _ => {
                    return Err(BundleError::field(
                        file,
                        line,
                        "tier",
                        tier_text,
                        "is not a tier 1 to 9",
                    ));
                }
            };
            candidates.push(Candidate {
                nik: id(file, line, "nik", &r[0])?,
                kk: id(file, line, "kk", &r[1])?,
                province: code(file, line, "province", &r[2])?,
                tier,
            });
            lines.push(line);
            Ok(())
        },
    )?;
    let mut by_nik: Vec<(u64, u64)> = candidates.iter().map(|c| c.nik).zip(lines).collect();
    by_nik.sort_unstable();
    if let Some(pair) = by_nik.windows(2).find(|w| w[0].0 == w[1].0) {
        let message = format!("nik {} duplicates line {}", mask_id(pair[1].0), pair[0].1);
        return Err(BundleError::line(file, pair[1].1, message));
    }
    Ok(candidates)
}

/// A prior file (`kk,count`), in file order; KKs unique.
pub fn read_prior(file: &str, bytes: &[u8]) -> Result<Vec<(u64, u32)>, BundleError> {
    let mut prior = Vec::new();
    let mut seen = BTreeMap::new();
    read_csv(file, bytes, &["kk", "count"], |line, r| {
        let kk = id(file, line, "kk", &r[0])?;
        let count = number(file, line, "count", &r[1], "a count 0 to 4294967295")?;
        if let Some(first) = seen.insert(kk, line) {
            return Err(BundleError::line(
                file,
                line,
                format!("kk {} duplicates line {first}", mask_id(kk)),
            ));
        }
        prior.push((kk, count));
        Ok(())
    })?;
    Ok(prior)
}

/// A quotas file (`province,quota`); provinces unique.
pub fn read_quotas(file: &str, bytes: &[u8]) -> Result<BTreeMap<Province, u64>, BundleError> {
    let mut quotas = BTreeMap::new();
    let mut lines = BTreeMap::new();
    read_csv(file, bytes, &["province", "quota"], |line, r| {
        let province: Province = code(file, line, "province", &r[0])?;
        let quota = number(file, line, "quota", &r[1], "a non-negative integer")?;
        match lines.entry(province) {
            Entry::Occupied(first) => {
                let message = format!("province {province} duplicates line {}", first.get());
                return Err(BundleError::line(file, line, message));
            }
            Entry::Vacant(slot) => slot.insert(line),
        };
        quotas.insert(province, quota);
        Ok(())
    })?;
    Ok(quotas)
}

/// A result file (`stratum,rank,nik,status`), in file order.
pub fn read_rows(file: &str, bytes: &[u8]) -> Result<Vec<ResultRow>, BundleError> {
    let mut rows = Vec::new();
    read_csv(
        file,
        bytes,
        &["stratum", "rank", "nik", "status"],
        |line, r| {
            let stratum: Stratum = code(file, line, "stratum", &r[0])?;
            let rank = number(file, line, "rank", &r[1], "a rank 1 to 4294967295").and_then(
                |rank: u32| match rank {
                    0 => Err(BundleError::field(
                        file,
                        line,
                        "rank",
                        &r[1],
                        "is not a rank 1 to 4294967295",
                    )),
                    _ => Ok(rank),
                },
            )?;
            let status: Status = r[3].parse().map_err(|_| {
                BundleError::field(
                    file,
                    line,
                    "status",
                    &r[3],
                    "is not SELECTED, WAITLIST or KK_CAP",
                )
            })?;
            rows.push(ResultRow {
                stratum,
                rank,
                nik: id(file, line, "nik", &r[2])?,
                status,
            });
            Ok(())
        },
    )?;
    Ok(rows)
}
