//! `prakerja ingest FILE`: publishes JSON-lines registrations to
//! `registrations.submitted` with publisher confirms. Every line is checked
//! to be a JSON object before anything is published; judging the
//! registrations is the validator's job. A broker that goes away mid-file
//! is waited for (`ingest_publish`).

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use serde::Serialize;
use shared::amqp::Queue;
use uuid::Uuid;

use super::error::{CliResult, input};
use super::ingest_publish::publish_all;
use super::output::Output;
use crate::app::App;

#[derive(Debug, Serialize)]
pub struct IngestReport {
    pub file: String,
    pub queue: String,
    pub published: u64,
    pub blank_lines_skipped: u64,
    /// Lines published again after a lost connection (their confirm was
    /// lost with it); each is still one registration.
    pub resent: u64,
    /// Attempts to connect again after a connection was lost.
    pub reconnections: u32,
}

/// Publishes `file`; after a lost connection, reconnects for up to `retry`
/// without progress.
pub async fn run(app: &App, out: Output, file: &Path, retry: Duration) -> CliResult<IngestReport> {
    let data = read_all(file)?;
    let (lines, blank) = check_lines(&data, file)?;
    let bar = out.progress(Some(lines.len() as u64), "publishing");
    let published = publish_all(app, &lines, retry, &bar).await?;
    bar.finish_and_clear();
    Ok(IngestReport {
        file: file.display().to_string(),
        queue: app.topology.name(Queue::RegistrationsSubmitted),
        published: lines.len() as u64,
        blank_lines_skipped: blank,
        resent: published.resent,
        reconnections: published.reconnections,
    })
}

pub fn human(report: &IngestReport) -> String {
    let mut text = format!(
        "published {} registrations from {} to {}",
        report.published, report.file, report.queue
    );
    if report.blank_lines_skipped > 0 {
        text.push_str(&format!(
            " ({} blank lines skipped)",
            report.blank_lines_skipped
        ));
    }
    if report.reconnections > 0 {
        text.push_str(&format!(
            "; the broker went away {} time(s): {} line(s) published again, each still one registration",
            report.reconnections, report.resent
        ));
    }
    text
}

fn read_all(file: &Path) -> CliResult<Vec<u8>> {
    let mut data = Vec::new();
    if file == Path::new("-") {
        std::io::stdin()
            .lock()
            .read_to_end(&mut data)
            .map_err(|e| input(format!("reading standard input: {e}")))?;
    } else {
        data =
            std::fs::read(file).map_err(|e| input(format!("reading {}: {e}", file.display())))?;
    }
    Ok(data)
}

/// Lines of a file with their message ids.
pub type Lines<'a> = Vec<(&'a [u8], String)>;

/// Splits into lines, each of which must be a JSON object, and finds each
/// one's message id (its `registration_id` when it is a string). Blank lines
/// are skipped. Fails on the first bad line, naming it.
pub fn check_lines<'a>(data: &'a [u8], file: &Path) -> CliResult<(Lines<'a>, u64)> {
    #[derive(serde::Deserialize)]
    struct Id {
        registration_id: Option<serde_json::Value>,
    }
    let mut lines = Vec::new();
    let mut blank = 0;
    let segments = data.split(|&b| b == b'\n');
    let count = data.iter().filter(|&&b| b == b'\n').count() + 1;
    for (index, line) in segments.enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let number = index + 1;
        match line.iter().find(|b| !b.is_ascii_whitespace()) {
            None => {
                // The empty tail after the last newline is not a line.
                blank += u64::from(number < count || !line.is_empty());
                continue;
            }
            Some(b'{') => {}
            Some(_) => {
                let what = match serde_json::from_slice::<serde_json::Value>(line) {
                    Ok(value) => format!("expected a JSON object, found {}", kind(&value)),
                    Err(error) => format!("not valid JSON: {error}"),
                };
                return Err(input(format!("{} line {number}: {what}", file.display())));
            }
        }
        match serde_json::from_slice::<Id>(line) {
            Ok(id) => {
                let id = id
                    .registration_id
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_else(|| Uuid::new_v4().to_string());
                lines.push((line, id));
            }
            Err(error) => {
                return Err(input(format!(
                    "{} line {number}: not valid JSON: {error}",
                    file.display()
                )));
            }
        }
    }
    Ok((lines, blank))
}

fn kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}
