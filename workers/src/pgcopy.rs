//! Bulk I/O with PostgreSQL's `COPY` in text format: reading a query's rows
//! line by line, and streaming rows in through a bounded buffer.

use anyhow::Context;
use futures_util::StreamExt;
use sqlx::PgConnection;
use sqlx::postgres::PgCopyIn;

/// Runs `COPY (query) TO STDOUT` and calls `each` with every line (without
/// its newline), in order. Fields are tab-separated; `\N` is NULL.
pub async fn copy_out_lines(
    connection: &mut PgConnection,
    statement: &str,
    mut each: impl FnMut(&[u8]) -> anyhow::Result<()>,
) -> anyhow::Result<u64> {
    let mut stream = connection.copy_out_raw(statement).await?;
    let mut carry: Vec<u8> = Vec::new();
    let mut lines = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.context("reading COPY output")?;
        let mut rest: &[u8] = &chunk;
        if !carry.is_empty() {
            let Some(end) = rest.iter().position(|&b| b == b'\n') else {
                carry.extend_from_slice(rest);
                continue;
            };
            carry.extend_from_slice(&rest[..end]);
            each(&carry)?;
            lines += 1;
            carry.clear();
            rest = &rest[end + 1..];
        }
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            each(&rest[..end])?;
            lines += 1;
            rest = &rest[end + 1..];
        }
        carry.extend_from_slice(rest);
    }
    anyhow::ensure!(
        carry.is_empty(),
        "COPY output ended in the middle of a line"
    );
    Ok(lines)
}

/// Streams text-format rows into a `COPY … FROM STDIN`, a buffer at a time.
pub struct CopyWriter<'c> {
    copy: PgCopyIn<&'c mut PgConnection>,
    buffer: Vec<u8>,
    rows: u64,
}

impl<'c> CopyWriter<'c> {
    const FLUSH_AT: usize = 1 << 20;

    pub async fn begin(connection: &'c mut PgConnection, statement: &str) -> anyhow::Result<Self> {
        Ok(Self {
            copy: connection.copy_in_raw(statement).await?,
            buffer: Vec::with_capacity(Self::FLUSH_AT + 4096),
            rows: 0,
        })
    }

    /// The buffer to append one row to (fields separated by `\t`, ending in
    /// `\n`); call [`row_done`](Self::row_done) after each row.
    pub fn buffer(&mut self) -> &mut Vec<u8> {
        &mut self.buffer
    }

    pub async fn row_done(&mut self) -> anyhow::Result<()> {
        self.rows += 1;
        if self.buffer.len() >= Self::FLUSH_AT {
            self.copy.send(std::mem::take(&mut self.buffer)).await?;
            self.buffer.reserve(Self::FLUSH_AT + 4096);
        }
        Ok(())
    }

    /// Sends the rest and completes the COPY; returns the rows written.
    pub async fn finish(mut self) -> anyhow::Result<u64> {
        if !self.buffer.is_empty() {
            self.copy.send(std::mem::take(&mut self.buffer)).await?;
        }
        let written = self.copy.finish().await?;
        anyhow::ensure!(
            written == self.rows,
            "COPY wrote {written} rows of {}",
            self.rows
        );
        Ok(written)
    }
}

/// Splits a COPY text line into its tab-separated fields.
pub fn fields(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|&b| b == b'\t')
}

/// A field as UTF-8 text (COPY text fields of ours never need unescaping:
/// digits, codes, UUIDs).
pub fn text(field: &[u8]) -> anyhow::Result<&str> {
    std::str::from_utf8(field).context("COPY field is not UTF-8")
}
