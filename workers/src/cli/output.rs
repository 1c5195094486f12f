//! Printing a command's result: one JSON object with `--json`, a readable
//! summary otherwise; progress bars only on a terminal.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

/// Where results go, and in which form.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub json: bool,
}

impl Output {
    /// Prints `value` as one JSON line with `--json`, else the text `human` builds.
    pub fn print<T: Serialize>(&self, value: &T, human: impl FnOnce(&T) -> String) {
        if self.json {
            match serde_json::to_string(value) {
                Ok(line) => println!("{line}"),
                Err(error) => eprintln!("error: could not serialize the result: {error}"),
            }
        } else {
            let text = human(value);
            if !text.is_empty() {
                println!("{}", text.trim_end());
            }
        }
    }

    /// A note for a person (stderr, never with `--json` on a non-terminal).
    pub fn note(&self, message: impl AsRef<str>) {
        if !self.json || std::io::stderr().is_terminal() {
            eprintln!("{}", message.as_ref());
        }
    }

    /// A progress bar on a terminal; hidden otherwise.
    pub fn progress(&self, total: Option<u64>, what: &str) -> ProgressBar {
        if !std::io::stderr().is_terminal() || !std::io::stdout().is_terminal() {
            return ProgressBar::hidden();
        }
        let bar = match total {
            Some(total) => ProgressBar::new(total).with_style(
                ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, eta {eta})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{spinner} {msg} {pos} ({per_sec})")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        bar.set_message(what.to_owned());
        bar
    }
}
