//! Where the installed server programs are (PostgreSQL's, RabbitMQ's,
//! Erlang's), overridable for machines that keep them elsewhere; a missing
//! one fails the test with what to install. And who runs PostgreSQL.

use std::path::PathBuf;

use nix::unistd::{Gid, Uid, User};

/// The first of `candidates` that is a file, or a panic naming all of them
/// and how to get one.
pub fn find_binary(what: &str, candidates: &[PathBuf], install: &str) -> PathBuf {
    candidates
        .iter()
        .find(|path| path.is_file())
        .cloned()
        .unwrap_or_else(|| {
            let looked: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
            panic!(
                "{what} not found (looked for {}); {install}",
                looked.join(", ")
            )
        })
}

/// Paths `dir/VERSION/rest` (e.g. every installed PostgreSQL version),
/// highest version first.
pub fn versioned(dir: &str, rest: &str) -> Vec<PathBuf> {
    let mut found: Vec<(f64, PathBuf)> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|entry| {
                    let version = entry.file_name().to_str()?.parse::<f64>().ok()?;
                    Some((version, entry.path().join(rest)))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    found.into_iter().map(|(_, path)| path).collect()
}

/// A PostgreSQL program: `PRAKERJA_TEST_PG_BIN`, else the newest
/// `/usr/lib/postgresql/*/bin`, else `/usr/bin`.
pub fn pg_bin(program: &str) -> PathBuf {
    let mut candidates = Vec::new();
    if let Ok(dir) = std::env::var("PRAKERJA_TEST_PG_BIN") {
        candidates.push(PathBuf::from(dir).join(program));
    }
    candidates.extend(versioned("/usr/lib/postgresql", &format!("bin/{program}")));
    candidates.push(PathBuf::from("/usr/bin").join(program));
    find_binary(
        &format!("PostgreSQL's {program}"),
        &candidates,
        "install the server (apt-get install postgresql) or set PRAKERJA_TEST_PG_BIN to its bin directory",
    )
}

/// A RabbitMQ script: `PRAKERJA_TEST_RABBITMQ_BIN`, else Debian's
/// `/usr/lib/rabbitmq/bin`.
pub fn rabbit_bin(program: &str) -> PathBuf {
    let mut candidates = Vec::new();
    if let Ok(dir) = std::env::var("PRAKERJA_TEST_RABBITMQ_BIN") {
        candidates.push(PathBuf::from(dir).join(program));
    }
    candidates.push(PathBuf::from("/usr/lib/rabbitmq/bin").join(program));
    find_binary(
        &format!("RabbitMQ's {program}"),
        &candidates,
        "install the broker (apt-get install rabbitmq-server) or set PRAKERJA_TEST_RABBITMQ_BIN \
         to the directory of its scripts (not the /usr/sbin wrappers, which switch user)",
    )
}

/// An Erlang program on the usual paths.
pub fn erlang_bin(program: &str) -> PathBuf {
    find_binary(
        &format!("Erlang's {program}"),
        &[
            PathBuf::from("/usr/bin").join(program),
            PathBuf::from("/usr/local/bin").join(program),
        ],
        "install Erlang (apt-get install rabbitmq-server brings it)",
    )
}

/// PostgreSQL refuses to run as root: a root test runs it as `postgres`.
pub fn server_user() -> Option<(Uid, Gid)> {
    if !Uid::effective().is_root() {
        return None;
    }
    let user = User::from_name("postgres").ok().flatten().expect(
        "running as root, the private PostgreSQL needs the OS user `postgres` \
         (apt-get install postgresql creates it)",
    );
    Some((user.uid, user.gid))
}
