//! The bundle's CSV files, parsed field by field with line numbers.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use csv::{ReaderBuilder, StringRecord};

use super::error::BundleError;
use crate::selection::{CandidateId, DrawCandidate, DrawRow, Province, Status, Stratum};

/// Reads `bytes` as CSV with exactly `header`, calling `row` with each
/// record and its 1-based line number.
pub(super) fn read_csv(
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

fn id<I: CandidateId>(file: &str, line: u64, field: &str, text: &str) -> Result<I, BundleError> {
    I::parse(text).ok_or_else(|| {
        let format = I::ALGORITHM.id_format();
        BundleError::field(file, line, field, text, format!("is not {format}"))
    })
}

pub(super) fn code<T: std::str::FromStr>(
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

/// Parses a tier: one digit 1 to 9.
pub(super) fn tier(file: &str, line: u64, text: &str) -> Result<u8, BundleError> {
    match text.as_bytes() {
        [t @ b'1'..=b'9'] => Ok(t - b'0'),
        _ => Err(BundleError::field(
            file,
            line,
            "tier",
            text,
            "is not a tier 1 to 9",
        )),
    }
}

/// `candidates.csv` (`nik,kk,province,tier` for v1, `pid,fid,province,tier`
/// for v2), in file order; ids unique.
pub fn read_candidates<C: DrawCandidate>(file: &str, bytes: &[u8]) -> Result<Vec<C>, BundleError> {
    let algorithm = C::ALGORITHM;
    let (id_field, family_field) = (algorithm.id_field(), algorithm.family_field());
    let mut candidates = Vec::new();
    let mut lines = Vec::new();
    read_csv(file, bytes, &algorithm.candidates_header(), |line, r| {
        let tier = tier(file, line, &r[3])?;
        candidates.push(C::from_parts(
            id(file, line, id_field, &r[0])?,
            id(file, line, family_field, &r[1])?,
            code(file, line, "province", &r[2])?,
            tier,
        ));
        lines.push(line);
        Ok(())
    })?;
    let mut by_id: Vec<(C::Id, u64)> = candidates.iter().map(C::id).zip(lines).collect();
    by_id.sort_unstable();
    if let Some(pair) = by_id.windows(2).find(|w| w[0].0 == w[1].0) {
        let message = format!(
            "{id_field} {} duplicates line {}",
            pair[1].0.shown(),
            pair[0].1
        );
        return Err(BundleError::line(file, pair[1].1, message));
    }
    Ok(candidates)
}

/// A prior file (`kk,count` for v1, `fid,count` for v2), in file order;
/// families unique.
pub fn read_prior<I: CandidateId>(file: &str, bytes: &[u8]) -> Result<Vec<(I, u32)>, BundleError> {
    let family_field = I::ALGORITHM.family_field();
    let mut prior = Vec::new();
    let mut seen = BTreeMap::new();
    read_csv(file, bytes, &I::ALGORITHM.prior_header(), |line, r| {
        let family: I = id(file, line, family_field, &r[0])?;
        let count = number(file, line, "count", &r[1], "a count 0 to 4294967295")?;
        if let Some(first) = seen.insert(family, line) {
            return Err(BundleError::line(
                file,
                line,
                format!("{family_field} {} duplicates line {first}", family.shown()),
            ));
        }
        prior.push((family, count));
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

/// A result file (`stratum,rank,nik,status` for v1, `stratum,rank,pid,status`
/// for v2), in file order.
pub fn read_rows<R: DrawRow>(file: &str, bytes: &[u8]) -> Result<Vec<R>, BundleError> {
    let algorithm = R::Id::ALGORITHM;
    let mut rows = Vec::new();
    read_csv(file, bytes, &algorithm.result_header(), |line, r| {
        let stratum: Stratum = code(file, line, "stratum", &r[0])?;
        let rank =
            number(file, line, "rank", &r[1], "a rank 1 to 4294967295").and_then(|rank: u32| {
                match rank {
                    0 => Err(BundleError::field(
                        file,
                        line,
                        "rank",
                        &r[1],
                        "is not a rank 1 to 4294967295",
                    )),
                    _ => Ok(rank),
                }
            })?;
        let status: Status = r[3].parse().map_err(|_| {
            BundleError::field(
                file,
                line,
                "status",
                &r[3],
                "is not SELECTED, WAITLIST or KK_CAP",
            )
        })?;
        let id = id(file, line, algorithm.id_field(), &r[2])?;
        rows.push(R::from_parts(stratum, rank, id, status));
        Ok(())
    })?;
    Ok(rows)
}
