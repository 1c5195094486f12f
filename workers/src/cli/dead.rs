//! `prakerja dead list QUEUE` and `prakerja dead replay QUEUE`: what was
//! dead-lettered, and sending it back.

use clap::{Args, Subcommand};

use super::error::{CliResult, input};
use super::operator::operator;
use crate::app::App;
use crate::dead_letters::{self, DeadList, DeadMessage, ReplayOptions, ReplayReport};

#[derive(Debug, Subcommand)]
pub enum DeadCommand {
    /// The messages of QUEUE's dead-letter queue: reason, age, a masked summary (they stay there).
    List(ListArgs),
    /// Publish QUEUE's dead letters back to QUEUE (confirmed), then remove them; recorded.
    Replay(ReplayArgs),
}

#[derive(Debug, Args)]
#[command(
    after_help = "QUEUE is the contract's name (registrations.submitted, waves.closed, participants.selected,\n\
training.events, disbursements.runs, payments.instructions, payments.results); amqp.prefix is applied.\n\
Reasons: undecodable, refused_by_database, oversized, panicked (ours, with the full reason), or\n\
the broker's delivery_limit, rejected, expired. NIKs, phones and accounts are masked.\n\
Exit codes: 0 listed; 2 an unknown queue; 3 a service failed (or the dead-letter queue does not exist)."
)]
pub struct ListArgs {
    pub queue: String,
    /// At most this many messages.
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Each message is published back to QUEUE with publisher confirms and only then removed from\n\
QUEUE.dead: killed half-way, a message is at worst in both, and QUEUE's consumer drops the copy by\n\
its id. A message replayed dead_letters.max_replays times already stays dead and is reported.\n\
--filter matches a reason (undecodable, refused_by_database, oversized, panicked, delivery_limit,\n\
...) or words of the full reason, case-insensitive. Every replay is recorded (who, when, queue, filter, how many).\n\
Exit codes: 0 replayed (the report lists what stayed dead); 2 an unknown queue or a bad --limit;\n\
3 a service failed."
)]
pub struct ReplayArgs {
    pub queue: String,
    /// Only messages whose reason matches.
    #[arg(long)]
    pub filter: Option<String>,
    /// At most this many messages.
    #[arg(long)]
    pub limit: Option<u32>,
}

pub async fn list(app: &App, args: ListArgs) -> CliResult<DeadList> {
    let queue = dead_letters::queue_named(&args.queue).map_err(input)?;
    if args.limit == 0 {
        return Err(input("--limit must be at least 1"));
    }
    Ok(dead_letters::list(app, queue, args.limit).await?)
}

pub async fn replay(app: &App, args: ReplayArgs) -> CliResult<ReplayReport> {
    let queue = dead_letters::queue_named(&args.queue).map_err(input)?;
    if args.limit == Some(0) {
        return Err(input("--limit must be at least 1"));
    }
    let filter = args.filter.filter(|f| !f.trim().is_empty());
    let options = ReplayOptions {
        filter,
        limit: args.limit,
        by: operator(app),
    };
    dead_letters::replay(app, queue, &options)
        .await
        .map_err(Into::into)
}

fn line(m: &DeadMessage) -> String {
    let age = m
        .age_secs
        .map(|s| format!("{s}s ago"))
        .unwrap_or_else(|| "age unknown".to_owned());
    format!(
        "  {:<20} {:>12}  replays {}  {}\n    {}\n",
        m.kind, age, m.replays, m.summary, m.reason
    )
}

pub fn list_human(l: &DeadList) -> String {
    let mut text = format!(
        "{}: {} message(s){}\n",
        l.dead_queue,
        l.total,
        if (l.messages.len() as u32) < l.total {
            format!(", the first {} shown", l.messages.len())
        } else {
            String::new()
        }
    );
    for m in &l.messages {
        text.push_str(&line(m));
    }
    text
}

pub fn replay_human(r: &ReplayReport) -> String {
    let mut text = format!(
        "replay {}: {} message(s) of {} sent back to {}{}\n",
        r.replay_id,
        r.replayed,
        r.dead_queue,
        r.queue,
        if r.not_matching > 0 {
            format!("; {} left (the filter does not match them)", r.not_matching)
        } else {
            String::new()
        }
    );
    if !r.over_cap.is_empty() {
        text.push_str(&format!(
            "{} message(s) stay dead: replayed {} time(s) already (dead_letters.max_replays)\n",
            r.over_cap.len(),
            r.max_replays
        ));
        for m in &r.over_cap {
            text.push_str(&line(m));
        }
    }
    text
}
