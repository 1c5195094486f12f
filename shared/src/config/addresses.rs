//! The servers in configuration, `[database]` and `[amqp]`: `database.url`
//! with one host or a primary and its standbys (libpq's
//! `host1:port1,host2:port2`), and `amqp.url` with one broker or a cluster's
//! nodes separated by commas. Errors name an address by its position, never
//! with its password.

use std::path::PathBuf;
use std::str::FromStr;

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sqlx::postgres::PgConnectOptions;

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    /// `postgres://user:password@host:port/database`, or with several hosts
    /// (`host1:port1,host2:port2`, a primary and its standbys, as libpq
    /// writes them): every binary then uses whichever is the primary now
    /// (`db::pool`).
    pub url: SecretString,
    pub max_connections: u32,
    pub acquire_timeout_secs: u64,
}

impl DatabaseSettings {
    /// The database name named by `url`.
    pub fn database_name(&self) -> anyhow::Result<String> {
        Ok(self
            .connect_options()?
            .get_database()
            .unwrap_or("postgres")
            .to_owned())
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct AmqpSettings {
    /// `amqp://user:password@host:port/vhost`, or the nodes of a cluster as
    /// such URLs separated by commas, tried in order (see [`Self::brokers`]).
    pub url: SecretString,
    /// Prepended to every queue name, so that test runs can share a broker.
    #[serde(default)]
    pub prefix: String,
    /// Deliveries of one message before the broker dead-letters it.
    pub delivery_limit: u32,
    /// Seconds between reconnection attempts grow up to this.
    pub max_backoff_secs: u64,
    /// Whether the binaries declare their queues and exchanges (a user with
    /// configure permission: development) or only check that the broker's
    /// definitions hold them (`deploy/rabbitmq/definitions.json`: users
    /// without configure permission, production).
    #[serde(default = "default_declare_queues")]
    pub declare_queues: bool,
    /// PEM file of the certificate authority that signed the brokers'
    /// certificates, for `amqps://` URLs (otherwise the system's roots).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Seconds a connection attempt to one broker may take before the next
    /// one of `url` is tried.
    #[serde(default = "default_connect_timeout_secs")]
    pub connect_timeout_secs: u64,
}

fn default_declare_queues() -> bool {
    true
}

fn default_connect_timeout_secs() -> u64 {
    10
}

impl DatabaseSettings {
    /// Connection options of the first host of `url`.
    pub fn connect_options(&self) -> anyhow::Result<PgConnectOptions> {
        let mut hosts = self.hosts()?;
        Ok(hosts.remove(0))
    }

    /// Connection options of every host of `url`, in order. An error names
    /// the host that does not parse (by position, never the password).
    pub fn hosts(&self) -> anyhow::Result<Vec<PgConnectOptions>> {
        use sqlx::ConnectOptions;
        let urls = split_hosts(self.url.expose_secret())
            .context("database.url is not a valid postgres:// URL")?;
        let count = urls.len();
        urls.iter()
            .enumerate()
            .map(|(i, url)| {
                let options = PgConnectOptions::from_str(url).with_context(|| {
                    if count == 1 {
                        "database.url is not a valid postgres:// URL".to_owned()
                    } else {
                        format!("database.url: host {} of {count} is not valid", i + 1)
                    }
                })?;
                Ok(options
                    .log_statements(log::LevelFilter::Trace)
                    // Seen with RUST_LOG=sqlx=info; bulk statements are slow by nature.
                    .log_slow_statements(log::LevelFilter::Info, std::time::Duration::from_secs(2)))
            })
            .collect()
    }
}

/// One broker of `amqp.url`.
#[derive(Debug, Clone)]
pub struct Broker {
    pub url: SecretString,
    /// `host:port`, for logs and errors (no credentials).
    pub address: String,
}

impl AmqpSettings {
    /// The brokers of `url`, in order: one URL, or several separated by commas
    /// (the nodes of a cluster). An error names the address that is not a
    /// valid `amqp://` or `amqps://` URL (by position, never its password).
    pub fn brokers(&self) -> anyhow::Result<Vec<Broker>> {
        let text = self.url.expose_secret();
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        let count = parts.len();
        parts
            .into_iter()
            .enumerate()
            .map(|(i, part)| {
                let uri = lapin::uri::AMQPUri::from_str(part).map_err(|error| {
                    anyhow::anyhow!(
                        "amqp.url: address {} of {count} is not a valid amqp:// URL: {error}",
                        i + 1
                    )
                })?;
                Ok(Broker {
                    url: SecretString::from(part.to_owned()),
                    address: format!("{}:{}", uri.authority.host, uri.authority.port),
                })
            })
            .collect()
    }
}

/// One single-host URL per host of a libpq-style multi-host URL
/// (`scheme://user@h1:p1,h2:p2/db?params`); a single-host URL as it is.
fn split_hosts(url: &str) -> anyhow::Result<Vec<String>> {
    let (scheme, rest) = url.split_once("://").context("no scheme")?;
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (userinfo, hosts) = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => (format!("{userinfo}@"), hosts),
        None => (String::new(), authority),
    };
    Ok(hosts
        .split(',')
        .map(|host| format!("{scheme}://{userinfo}{}{tail}", host.trim()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{AmqpSettings, DatabaseSettings};

    fn amqp(url: &str) -> AmqpSettings {
        AmqpSettings {
            url: SecretString::from(url.to_owned()),
            prefix: String::new(),
            delivery_limit: 10,
            max_backoff_secs: 1,
            connect_timeout_secs: 10,
            declare_queues: true,
            ca_file: None,
        }
    }

    #[test]
    fn one_url_or_a_cluster_s_nodes_in_order() {
        let one = amqp("amqp://guest:guest@127.0.0.1:5672/%2f")
            .brokers()
            .unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].address, "127.0.0.1:5672");
        let three = amqp("amqp://u:p@a:5672/%2f, amqp://u:p@b:5673/%2f,amqp://u:p@c/%2f")
            .brokers()
            .unwrap();
        let addresses: Vec<&str> = three.iter().map(|b| b.address.as_str()).collect();
        assert_eq!(addresses, ["a:5672", "b:5673", "c:5672"]);
        assert_eq!(three[1].url.expose_secret(), "amqp://u:p@b:5673/%2f");
    }

    #[test]
    fn a_database_url_with_several_hosts_gives_one_url_per_host() {
        let hosts =
            split_hosts("postgres://u:p@10.0.0.1:5432,10.0.0.2:5433/prakerja?sslmode=disable")
                .unwrap();
        assert_eq!(
            hosts,
            [
                "postgres://u:p@10.0.0.1:5432/prakerja?sslmode=disable",
                "postgres://u:p@10.0.0.2:5433/prakerja?sslmode=disable"
            ]
        );
        let one = split_hosts("postgres://postgres@127.0.0.1:5432/prakerja").unwrap();
        assert_eq!(one, ["postgres://postgres@127.0.0.1:5432/prakerja"]);
        let settings = DatabaseSettings {
            url: SecretString::from("postgres://u@a:5432,b:6543/db".to_owned()),
            max_connections: 1,
            acquire_timeout_secs: 1,
        };
        let ports: Vec<u16> = settings
            .hosts()
            .unwrap()
            .iter()
            .map(|o| o.get_port())
            .collect();
        assert_eq!(ports, [5432, 6543]);
        assert_eq!(settings.connect_options().unwrap().get_host(), "a");
    }

    #[test]
    fn a_bad_address_is_named_by_position_without_its_password() {
        let error = amqp("amqp://u:secret@a:5672/%2f,http://u:secret@b:x/")
            .brokers()
            .unwrap_err()
            .to_string();
        assert!(error.contains("address 2 of 2"), "{error}");
        assert!(!error.contains("secret"), "{error}");
        assert!(amqp("").brokers().is_err());
    }
}
