//! What a production configuration refuses (`PRAKERJA_ENVIRONMENT=production`):
//! a missing credential, or one of development (`config/local.toml`): the
//! PostgreSQL superuser `postgres`, RabbitMQ's `guest`, a URL without a user
//! or a password. Each refusal names the setting and its variable.

use secrecy::ExposeSecret;

use super::Settings;

/// The environment whose configuration must carry real credentials.
pub const PRODUCTION: &str = "production";

/// Refuses a production configuration holding a development or missing
/// credential; any other environment passes.
pub fn check(environment: &str, settings: &Settings) -> anyhow::Result<()> {
    if environment != PRODUCTION {
        return Ok(());
    }
    check_url(
        "database.url",
        "PRAKERJA__DATABASE__URL",
        settings.database.url.expose_secret(),
        "postgres",
        // A client certificate is a credential too.
        "sslcert=",
    )?;
    for url in settings.amqp.url.expose_secret().split(',') {
        check_url("amqp.url", "PRAKERJA__AMQP__URL", url.trim(), "guest", "")?;
    }
    anyhow::ensure!(
        !settings.simulators.gateway,
        "simulators.gateway is true in a production configuration: the gateway simulator moves no money and never runs in production"
    );
    Ok(())
}

/// `url` must name a user other than `development_user`, with a password
/// (or, when `certificate` is not empty and the URL holds it, a client
/// certificate), and no development password.
fn check_url(
    setting: &str,
    variable: &str,
    url: &str,
    development_user: &str,
    certificate: &str,
) -> anyhow::Result<()> {
    let refuse = |why: &str| {
        anyhow::anyhow!(
            "{setting} is refused in production: {why}; set {variable} to the URL of this binary's own login (docs/OPERATIONS.md, \"Credentials and roles\")"
        )
    };
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let Some((credentials, _)) = rest.split_once('@') else {
        return Err(refuse("it names no user"));
    };
    let (user, password) = credentials
        .split_once(':')
        .map_or((credentials, None), |(u, p)| (u, Some(p)));
    if user.is_empty() {
        return Err(refuse("it names no user"));
    }
    if user == development_user {
        return Err(refuse(&format!(
            "it logs in as {development_user:?}, the development user"
        )));
    }
    let certified = !certificate.is_empty() && url.contains(certificate);
    match password {
        None | Some("") if !certified => Err(refuse("it carries no password")),
        Some("guest" | "postgres" | "password" | "changeme") => {
            Err(refuse("it carries a development password"))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::check_url;

    fn refused(url: &str) -> String {
        check_url("amqp.url", "PRAKERJA__AMQP__URL", url, "guest", "")
            .expect_err(url)
            .to_string()
    }

    #[test]
    fn development_and_missing_credentials_are_refused_by_name() {
        assert!(refused("amqp://guest:guest@mq:5672/prakerja").contains("\"guest\""));
        assert!(refused("amqp://mq:5672/prakerja").contains("names no user"));
        assert!(refused("amqp://validator@mq:5672/prakerja").contains("no password"));
        assert!(refused("amqp://validator:guest@mq/prakerja").contains("development password"));
        assert!(refused("amqp://validator@mq/x").starts_with("amqp.url is refused in production"));
        assert!(refused("amqp://validator@mq/x").contains("PRAKERJA__AMQP__URL"));
    }

    #[test]
    fn a_login_with_a_password_or_a_certificate_passes() {
        check_url(
            "amqp.url",
            "V",
            "amqps://validator:s3cr3t@mq:5671/prakerja",
            "guest",
            "",
        )
        .expect("password");
        check_url(
            "database.url",
            "V",
            "postgres://validator_1@db:5432/prakerja?sslmode=verify-full&sslcert=/c.pem&sslkey=/k.pem",
            "postgres",
            "sslcert=",
        )
        .expect("certificate");
        let superuser = check_url(
            "database.url",
            "V",
            "postgres://postgres:x@db/p",
            "postgres",
            "sslcert=",
        );
        assert!(superuser.is_err());
    }
}
