//! Where a test's PostgreSQL and RabbitMQ are: the machine's shared ones
//! (overridable for CI), or private ones the test owns.

/// Where the tests find the services (overridable for CI).
fn admin_url() -> String {
    std::env::var("PRAKERJA_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn amqp_url() -> String {
    std::env::var("PRAKERJA_TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned())
}

/// The PostgreSQL and RabbitMQ a test uses: the machine's shared ones, or
/// private ones the test owns (`PrivatePostgres`, `PrivateRabbit`).
#[derive(Debug, Clone)]
pub struct Services {
    /// Where the test's database is created (a primary).
    pub admin_url: String,
    /// `host:port,host:port` the workers get in `database.url` instead of
    /// the admin URL's host (a primary and its standby).
    pub database_hosts: Option<String>,
    /// `amqp.url`: one URL, or several separated by commas (a cluster).
    pub amqp_url: String,
}

impl Services {
    pub fn shared() -> Services {
        Services {
            admin_url: admin_url(),
            database_hosts: None,
            amqp_url: amqp_url(),
        }
    }

    /// The URL of `database` for the administrator.
    pub(super) fn admin_database_url(&self, database: &str) -> String {
        match &self.database_hosts {
            Some(hosts) => format!("postgres://postgres@{hosts}/{database}"),
            None => replace_database(&self.admin_url, database),
        }
    }

    /// The URL of `database` on the administrator's server (the primary)
    /// for the login user `user`.
    pub(super) fn primary_url(&self, user: &str, database: &str) -> String {
        replace_user(&replace_database(&self.admin_url, database), user)
    }

    /// The URL of `database` for the login user `user` (no password: the
    /// test servers trust local connections).
    pub(super) fn database_url(&self, user: &str, database: &str) -> String {
        match &self.database_hosts {
            Some(hosts) => format!("postgres://{user}@{hosts}/{database}"),
            None => replace_user(&replace_database(&self.admin_url, database), user),
        }
    }
}

/// A URL with another user (and no password).
fn replace_user(url: &str, user: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a database URL has a scheme");
    let host = rest.split_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}@{host}")
}

/// The admin URL with another database name.
fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let cut = base.rfind('/').expect("a database URL has a path");
    let mut out = format!("{}/{database}", &base[..cut]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}
