//! RabbitMQ sessions.

use std::time::Duration;

use metrics::counter;

/// A supervised session ended in an error; it is rebuilt after `retry_in`.
#[derive(Debug)]
pub struct SessionEnded<'a> {
    pub connection: &'a str,
    pub error: &'a anyhow::Error,
    pub retry_in: Duration,
}

impl SessionEnded<'_> {
    pub fn emit(&self) {
        tracing::warn!(
            connection = self.connection,
            error = %format!("{:#}", self.error),
            retry_in_ms = self.retry_in.as_millis() as u64,
            "session ended; reconnecting"
        );
        counter!("prakerja_amqp_reconnects_total", "connection" => self.connection.to_owned())
            .increment(1);
    }
}
