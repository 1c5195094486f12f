//! The two line formats the digests (and the result CSV) are made of,
//! written into a reused byte buffer.

use std::io::{self, Write};

use super::candidate::{Candidate, MAX_ID};
use super::digits::{RankDigits, sixteen_words};
use super::province::Stratum;
use super::status::{ResultRow, Status};

/// Bytes buffered before a flush: small enough to stay in the L1/L2 cache
/// between formatting and hashing.
const CAPACITY: usize = 1 << 14;
/// Room for one more line of either format, however long.
const SLACK: usize = 128;
/// Bytes every fast-path line may touch (including scratch past its end).
const LINE: usize = 64;

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

    /// Appends `nik,kk,province,tier\n` (input digest line).
    #[inline]
    pub fn push_candidate(&mut self, c: &Candidate) {
        if c.nik <= MAX_ID && c.kk <= MAX_ID && c.tier <= 9 {
            let [n0, n1] = sixteen_words(c.nik);
            let [k0, k1] = sixteen_words(c.kk);
            let [p0, p1] = c.province.key();
            let tail = u64::from_le_bytes([b',', p0, p1, b',', b'0' + c.tier, b'\n', 0, 0]);
            if let Some(line) = self.window() {
                put(line, 0, n0);
                put(line, 8, n1);
                line[16] = b',';
                put(line, 17, k0);
                put(line, 25, k1);
                put(line, 33, tail);
                self.pos += 39;
                return;
            }
        }
        let line = format!("{:016},{:016},{},{}\n", c.nik, c.kk, c.province, c.tier);
        self.push_bytes(line.as_bytes());
    }

    /// Appends `stratum,rank,nik,status\n` (output digest and CSV line).
    #[inline]
    pub fn push_row(&mut self, row: &ResultRow) {
        self.push_result(row.stratum, row.rank, row.nik, row.status);
    }

    /// Appends the line of a result row given by its fields.
    #[inline]
    pub fn push_result(&mut self, stratum: Stratum, rank: u32, nik: u64, status: Status) {
        if nik <= MAX_ID {
            let (digits, len) = self.rank.set(rank);
            // A u32 has at most 10 digits; the mask lets the compiler see it.
            let len = len & 15;
            let [s0, s1] = stratum.key();
            let [n0, n1] = sixteen_words(nik);
            let (text, text_len) = status_bytes(status);
            if let Some(line) = self.window() {
                line[..4].copy_from_slice(&[s0, s1, b',', 0]);
                line[3..19].copy_from_slice(&digits.to_le_bytes());
                let p = 3 + len;
                line[p] = b',';
                put(line, p + 1, n0);
                put(line, p + 9, n1);
                line[p + 17] = b',';
                line[p + 18..p + 34].copy_from_slice(text);
                self.pos += p + 18 + text_len;
                return;
            }
        }
        let line = format!("{stratum},{rank},{nik:016},{status}\n");
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

/// The header line of a result CSV.
pub const RESULT_HEADER: &str = "stratum,rank,nik,status\n";

/// Writes result rows as CSV: the header, then `stratum,rank,nik,status`
/// lines ending in `\n`, unquoted.
pub fn write_rows_csv<W: Write>(mut out: W, rows: &[ResultRow]) -> io::Result<()> {
    out.write_all(RESULT_HEADER.as_bytes())?;
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
