//! `prakerja ingest FILE`: publishes JSON-lines registrations to
//! `registrations.submitted` with publisher confirms. Every line is checked
//! to be a JSON object before anything is published; judging the
//! registrations is the validator's job.

use std::collections::VecDeque;
use std::io::Read;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;
use shared::amqp::{Publisher, Queue, confirmed, json_properties};
use uuid::Uuid;

use super::error::{CliResult, input};
use super::output::Output;
use crate::app::App;

/// Confirms awaited at once; more would only grow memory.
const WINDOW: usize = 4096;

#[derive(Debug, Serialize)]
pub struct IngestReport {
    pub file: String,
    pub queue: String,
    pub published: u64,
    pub blank_lines_skipped: u64,
}

pub async fn run(app: &App, out: Output, file: &Path) -> CliResult<IngestReport> {
    let data = read_all(file)?;
    let (lines, blank) = check_lines(&data, file)?;
    let connection = shared::amqp::connect(&app.settings.amqp, "prakerja ingest").await?;
    let publisher = Publisher::open(&connection, app.topology.clone()).await?;
    app.topology
        .declare_one(publisher.channel(), Queue::RegistrationsSubmitted)
        .await
        .context("declaring the queues")?;
    let bar = out.progress(Some(lines.len() as u64), "publishing");
    let mut pending = VecDeque::with_capacity(WINDOW);
    for (line, id) in &lines {
        let confirm = publisher
            .send(Queue::RegistrationsSubmitted, line, json_properties(id))
            .await?;
        pending.push_back(confirm);
        if pending.len() >= WINDOW
            && let Some(oldest) = pending.pop_front()
        {
            confirmed(oldest).await?;
            bar.inc(1);
        }
    }
    while let Some(confirm) = pending.pop_front() {
        confirmed(confirm).await?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    let _ = connection.close(200, "ingest done".into()).await;
    Ok(IngestReport {
        file: file.display().to_string(),
        queue: app.topology.name(Queue::RegistrationsSubmitted),
        published: lines.len() as u64,
        blank_lines_skipped: blank,
    })
}

pub fn human(report: &IngestReport) -> String {
    format!(
        "published {} registrations from {} to {}{}",
        report.published,
        report.file,
        report.queue,
        if report.blank_lines_skipped > 0 {
            format!(" ({} blank lines skipped)", report.blank_lines_skipped)
        } else {
            String::new()
        }
    )
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
