//! The two line formats the digests (and the result CSV) are made of,
//! written into a reused byte buffer.

use std::io::{self, Write};

use super::digits::RankDigits;
use super::entrant::{DrawCandidate, DrawRow};
use super::id::CandidateId;
use super::province::Stratum;
use super::status::Status;

/// Bytes buffered before a flush: small enough to stay in the L1/L2 cache
/// between formatting and hashing.
const CAPACITY: usize = 1 << 14;
/// Room for one more line of either format, however long.
const SLACK: usize = 128;
/// Bytes every fast-path line may touch (including scratch past its end):
/// a v2 input line is 71 bytes plus 2 of scratch.
const LINE: usize = 128;

/// Status text with its line end, padded for a fixed-size copy.
fn status_bytes(status: Status) -> (&'static [u8; 16], usize) {
    match status {
        Status::Selected => (b"SELECTED\n\0\0\0\0\0\0\0", 9),
        Status::Waitlist => (b"WAITLIST\n\0\0\0\0\0\0\0", 9),
        Status::KkCap => (b"KK_CAP\n\0\0\0\0\0\0\0\0\0", 7),
    }
}

/// Stores a little-endian word at `at` (8 bytes).
#[inline]
fn put(line: &mut [u8; LINE], at: usize, word: u64) {
    line[at..at + 8].copy_from_slice(&word.to_le_bytes());
}

/// A buffer of formatted lines, flushed by the caller when [`is_full`].
///
/// Lines are assembled with whole-word stores into a fixed-size window;
/// bytes past a line's end are scratch, overwritten by the next line.
///
/// [`is_full`]: LineBuffer::is_full
#[derive(Clone, Debug)]
pub struct LineBuffer {
    buf: Vec<u8>,
    pos: usize,
    rank: RankDigits,
}

impl Default for LineBuffer {
    fn default() -> Self {
        Self {
            buf: vec![0; CAPACITY + SLACK],
            pos: 0,
            rank: RankDigits::default(),
        }
    }
}

impl LineBuffer {
    /// Whether the buffer should be flushed before the next line.
    #[inline]
    pub fn is_full(&self) -> bool {
        self.pos >= CAPACITY
    }

    /// The lines written since the last [`clear`](Self::clear).
    pub fn filled(&self) -> &[u8] {
        &self.buf[..self.pos]
    }

    /// Empties the buffer.
    pub fn clear(&mut self) {
        self.pos = 0;
    }

    /// The fixed-size window at the write position, growing the buffer if
    /// a caller kept writing past [`is_full`](Self::is_full). `None` only
    /// if the position overflows, in which case callers format slowly.
    #[inline]
    fn window(&mut self) -> Option<&mut [u8; LINE]> {
        let end = self.pos.checked_add(LINE)?;
        if end > self.buf.len() {
            self.buf.resize(end + SLACK, 0);
        }
        self.buf.get_mut(self.pos..)?.first_chunk_mut::<LINE>()
    }

    /// Appends `id,family,province,tier\n` (input digest line).
    #[inline]
    pub fn push_candidate<C: DrawCandidate>(&mut self, c: &C) {
        let (id, family, tier) = (c.id(), c.family(), c.tier());
        if id.in_range() && family.in_range() && tier <= 9 {
            let len = C::Id::TEXT_LEN;
            let [p0, p1] = c.province().key();
            let tail = u64::from_le_bytes([b',', p0, p1, b',', b'0' + tier, b'\n', 0, 0]);
            if let Some(line) = self.window() {
                id.put(line, 0);
                line[len] = b',';
                family.put(line, len + 1);
                put(line, 2 * len + 1, tail);
                self.pos += 2 * len + 7;
                return;
            }
        }
        let line = format!(
            "{},{},{},{}\n",
            id.text(),
            family.text(),
            c.province(),
            tier
        );
        self.push_bytes(line.as_bytes());
    }

    /// Appends `stratum,rank,id,status\n` (output digest and CSV line).
    #[inline]
    pub fn push_row<R: DrawRow>(&mut self, row: &R) {
        self.push_result(row.stratum(), row.rank(), row.id(), row.status());
    }

    /// Appends the line of a result row given by its fields.
    #[inline]
    pub fn push_result<I: CandidateId>(
        &mut self,
        stratum: Stratum,
        rank: u32,
        id: I,
        status: Status,
    ) {
        if id.in_range() {
            let (digits, len) = self.rank.set(rank);
            // A u32 has at most 10 digits; the mask lets the compiler see it.
            let len = len & 15;
            let [s0, s1] = stratum.key();
            let (text, text_len) = status_bytes(status);
            if let Some(line) = self.window() {
                line[..4].copy_from_slice(&[s0, s1, b',', 0]);
                line[3..19].copy_from_slice(&digits.to_le_bytes());
                let p = 3 + len;
                line[p] = b',';
                id.put(line, p + 1);
                let q = p + 1 + I::TEXT_LEN;
                line[q] = b',';
                line[q + 1..q + 17].copy_from_slice(text);
                self.pos += q + 1 + text_len;
                return;
            }
        }
        let line = format!("{stratum},{rank},{},{status}\n", id.text());
        self.push_bytes(line.as_bytes());
    }

    fn push_bytes(&mut self, bytes: &[u8]) {
        let end = self.pos + bytes.len();
        if end > self.buf.len() {
            self.buf.resize(end, 0);
        }
        self.buf[self.pos..end].copy_from_slice(bytes);
        self.pos = end;
    }
}

/// The header line of a v1 result CSV.
pub const RESULT_HEADER: &str = "stratum,rank,nik,status\n";

/// Writes result rows as CSV: the header, then `stratum,rank,nik,status`
/// (v1) or `stratum,rank,pid,status` (v2) lines ending in `\n`, unquoted.
pub fn write_rows_csv<W: Write, R: DrawRow>(mut out: W, rows: &[R]) -> io::Result<()> {
    let header = R::Id::ALGORITHM.result_header().join(",");
    out.write_all(header.as_bytes())?;
    out.write_all(b"\n")?;
    let mut lines = LineBuffer::default();
    for row in rows {
        lines.push_row(row);
        if lines.is_full() {
            out.write_all(lines.filled())?;
            lines.clear();
        }
    }
    out.write_all(lines.filled())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selection::province::Province;
    use crate::selection::{Candidate, MAX_ID, ResultRow};

    #[test]
    fn lines_match_the_spec_format() {
        let mut lines = LineBuffer::default();
        let province = Province::new(5).expect("05");
        lines.push_candidate(&Candidate {
            nik: 1,
            kk: 1234567890123456,
            province,
            tier: 3,
        });
        lines.push_candidate(&Candidate {
            nik: MAX_ID + 1,
            kk: 2,
            province,
            tier: 12,
        });
        for (rank, status) in [
            (9, Status::Selected),
            (10, Status::KkCap),
            (3, Status::Waitlist),
        ] {
            let stratum = Stratum::from(province);
            lines.push_row(&ResultRow {
                stratum,
                rank,
                nik: 42,
                status,
            });
        }
        let expected = "0000000000000001,1234567890123456,05,3\n\
                        10000000000000000,0000000000000002,05,12\n\
                        05,9,0000000000000042,SELECTED\n\
                        05,10,0000000000000042,KK_CAP\n\
                        05,3,0000000000000042,WAITLIST\n";
        assert_eq!(String::from_utf8_lossy(lines.filled()), expected);
    }

    #[test]
    fn unflushed_buffer_grows() {
        let mut lines = LineBuffer::default();
        let row = ResultRow {
            stratum: Stratum::NATIONAL,
            rank: 1,
            nik: 7,
            status: Status::Waitlist,
        };
        for rank in 1..=2_000 {
            lines.push_row(&ResultRow { rank, ..row });
        }
        let text = String::from_utf8_lossy(lines.filled()).into_owned();
        assert_eq!(text.lines().count(), 2_000);
        assert!(text.ends_with("00,2000,0000000000000007,WAITLIST\n"));
    }
}
