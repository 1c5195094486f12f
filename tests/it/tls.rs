//! TLS to PostgreSQL as configuration asks for it: `database.url` with
//! libpq's `sslmode=verify-full&sslrootcert=…` (config/default.toml), against
//! a private server with `ssl = on` and a certificate signed by a CA the
//! test makes with `openssl`.

use std::path::Path;
use std::process::{Command, Stdio};

use nix::unistd::{Uid, User};
use secrecy::SecretString;
use shared::config::DatabaseSettings;

use crate::helpers::PrivatePostgres;

fn openssl(dir: &Path, args: &[&str]) {
    let status = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl runs");
    assert!(status.success(), "openssl {args:?}");
}

/// `ca.pem`, a server certificate for 127.0.0.1 signed by it, and
/// `other.pem`, a CA that signed nothing here.
fn certificates(dir: &Path) {
    for (name, subject) in [
        ("ca", "/CN=prakerja test CA"),
        ("other", "/CN=someone else"),
    ] {
        openssl(
            dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                subject,
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.pem"),
            ],
        );
    }
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
    );
    std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").expect("write");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "1",
            "-extfile",
            "san.ext",
            "-out",
            "server.crt",
        ],
    );
    // PostgreSQL reads its key only when no one else may.
    let key = dir.join("server.key");
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .expect("chmod");
    if Uid::effective().is_root() {
        let user = User::from_name("postgres")
            .ok()
            .flatten()
            .expect("the OS user postgres");
        std::os::unix::fs::chown(&key, Some(user.uid.as_raw()), Some(user.gid.as_raw()))
            .expect("chown");
    }
}

/// Whether a connection made from `url` is encrypted, or why it failed.
async fn encrypted(url: String) -> Result<bool, String> {
    let settings = DatabaseSettings {
        url: SecretString::from(url),
        max_connections: 1,
        acquire_timeout_secs: 10,
    };
    let pool = shared::db::pool(&settings).map_err(|e| format!("{e:#}"))?;
    let ssl = sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(&pool)
        .await
        .map_err(|e| e.to_string());
    pool.close().await;
    ssl
}

#[tokio::test]
async fn a_database_url_asking_for_verified_tls_gets_it_and_refuses_an_unknown_ca() {
    let dir = std::env::temp_dir().join(format!("prakerja-tls-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    certificates(&dir);
    let cert = dir.join("server.crt").display().to_string();
    let key = dir.join("server.key").display().to_string();
    let pg = PrivatePostgres::start(
        "tls",
        &[
            ("ssl", "on"),
            ("ssl_cert_file", &cert),
            ("ssl_key_file", &key),
        ],
    )
    .await;
    let url = |query: &str| format!("postgres://postgres@{}/postgres?{query}", pg.host());
    let ca = dir.join("ca.pem").display().to_string();
    let other = dir.join("other.pem").display().to_string();
    assert_eq!(
        encrypted(url(&format!("sslmode=verify-full&sslrootcert={ca}"))).await,
        Ok(true),
        "verified TLS with the server's CA"
    );
    let refused = encrypted(url(&format!("sslmode=verify-full&sslrootcert={other}"))).await;
    assert!(
        refused.is_err(),
        "a certificate of another CA is refused: {refused:?}"
    );
    assert_eq!(
        encrypted(url("sslmode=disable")).await,
        Ok(false),
        "the same server without TLS, when the URL says so"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
