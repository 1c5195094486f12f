#!/usr/bin/env bash
# Developer helper for the Prakerja pipeline: brings up PostgreSQL and
# RabbitMQ on this machine, builds and migrates, runs the demo and the checks.
#
#   deploy/dev.sh up            services, then cargo build --release + prakerja migrate
#   deploy/dev.sh demo [ARGS]   up, then `prakerja demo ARGS` on a fresh database
#   deploy/dev.sh test [ARGS]   services, then fmt, clippy and the tests (ARGS go to the test runner)
#   deploy/dev.sh help
#
# This is for a DEVELOPER MACHINE: it may start, install and reconfigure local
# PostgreSQL and RabbitMQ servers (see `usage` below). Never run it on a server.
set -euo pipefail

readonly PG_HOST=127.0.0.1 PG_PORT=5432
readonly AMQP_HOST=127.0.0.1 AMQP_PORT=5672
readonly DEMO_DB=prakerja_demo
readonly DEMO_PREFIX=demo.
# Seconds to wait for a service to answer after starting it.
WAIT_SECS="${DEV_SH_WAIT_SECS:-90}"

# rabbitmq-server, pg_ctlcluster & co. live in sbin, which a user's PATH may lack.
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

# cargo resolves a relative CARGO_TARGET_DIR against the current directory:
# pin it before moving to the repository root.
if [[ -n "${CARGO_TARGET_DIR:-}" && "$CARGO_TARGET_DIR" != /* ]]; then
    export CARGO_TARGET_DIR="$PWD/$CARGO_TARGET_DIR"
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
readonly COMPOSE_FILE="$ROOT/deploy/compose.yaml"
BIN_DIR="${CARGO_TARGET_DIR:-$ROOT/target}/release"
readonly BIN_DIR

usage() {
    cat <<EOF
Usage: deploy/dev.sh COMMAND [ARGS...]

Commands:
  up           Make PostgreSQL ($PG_HOST:$PG_PORT, user postgres) and RabbitMQ
               ($AMQP_HOST:$AMQP_PORT, guest/guest) reachable, then
               'cargo build --release --workspace --bins' and 'prakerja migrate'.
               For each service, in this order: use it if it already answers;
               start the installed server; 'docker compose -f deploy/compose.yaml
               up -d SERVICE' if a Docker engine answers; install the Debian
               package (apt-get, with sudo when not root) and start it.
  demo [ARGS]  'up', then drop and recreate the database $DEMO_DB and run
               'prakerja demo ARGS' (e.g. --count 100000) under least privilege:
               each binary logs in as its own development login and, with
               rabbitmqctl, its own broker user on the vhost prakerja-demo
               (without rabbitmqctl: guest, queue prefix '$DEMO_PREFIX').
               Its last line is the path of the wave's HTML report.
  test [ARGS]  Services as for 'up' (no build), the server programs the fault
               tests run privately (apt packages postgresql and rabbitmq-server,
               installed when missing), Debian's chromium when no browser is
               installed (the report's browser test), then 'cargo fmt --check',
               'cargo clippy -D warnings' (with and without the tests, so with
               and without the failpoints) and the tests ('cargo nextest run' when
               installed, else 'cargo test'); ARGS go to the test runner. Every
               test runs each worker as its own PostgreSQL login and RabbitMQ user:
               it creates per-test logins (the server must trust 127.0.0.1) and
               loads deploy/rabbitmq/definitions.json into a vhost of its own
               with rabbitmqctl (as root, or through passwordless sudo).
  help         This text.

Environment:
  PRAKERJA_TEST_DATABASE_URL  for 'test' (default postgres://postgres@$PG_HOST:$PG_PORT/postgres)
  PRAKERJA_TEST_AMQP_URL      for 'test' (default amqp://guest:guest@$AMQP_HOST:$AMQP_PORT/%2f)
  PRAKERJA_TEST_CHROMIUM      for 'test': the browser binary (default: chromium on the PATH)
  PRAKERJA_TEST_PG_BIN        for 'test': PostgreSQL's bin directory for the private servers
                              (default: the newest /usr/lib/postgresql/*/bin)
  PRAKERJA_TEST_RABBITMQ_BIN  for 'test': the directory of RabbitMQ's scripts for the private
                              nodes (default /usr/lib/rabbitmq/bin)
  PRAKERJA__SECTION__KEY      configuration overrides, passed on to every binary
  CARGO_TARGET_DIR            honoured: binaries are taken from \$CARGO_TARGET_DIR/release
  DEV_SH_WAIT_SECS            how long to wait for a service to answer (default 90)
  DEV_SH_SKIP_BUILD=1         test hook: 'up' only sees to the services, with no cargo
                              check, build or migration (the demo then uses the binaries
                              already in target/release)
EOF
}

say() { printf '%s\n' "$*"; }              # one outcome line per service/step
note() { printf 'dev.sh: %s\n' "$*" >&2; }  # progress
warn() { printf 'dev.sh: warning: %s\n' "$*" >&2; }
die() {
    printf 'dev.sh: error: %s\n' "$*" >&2
    exit 1
}
usage_error() {
    printf 'dev.sh: error: %s (see deploy/dev.sh help)\n' "$*" >&2
    exit 2
}
have() { command -v "$1" >/dev/null 2>&1; }

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif have sudo; then
        sudo "$@"
    else
        die "root is needed to run '$*': run this script as root or install sudo"
    fi
}

# As root only if that needs no password (for optional checks); else fails.
as_root_quietly() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif have sudo && sudo -n true 2>/dev/null; then
        sudo -n "$@"
    else
        return 1
    fi
}

# tcp_open HOST PORT: succeeds when something accepts a TCP connection.
# (The inner shell expands $0 and $1 itself: hence the single quotes.)
# shellcheck disable=SC2016
tcp_open() {
    if have timeout; then
        timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
    else
        bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
    fi
}

# wait_until DESCRIPTION COMMAND...: retries COMMAND every second until it
# succeeds, or fails with an error naming DESCRIPTION after WAIT_SECS.
wait_until() {
    local what=$1
    shift
    local deadline=$((SECONDS + WAIT_SECS))
    until "$@"; do
        if ((SECONDS >= deadline)); then
            die "timed out after ${WAIT_SECS}s waiting for $what (set DEV_SH_WAIT_SECS to wait longer)"
        fi
        sleep 1
    done
}

# ---------------------------------------------------------------- Docker ---

compose() {
    if docker compose version >/dev/null 2>&1; then
        docker compose -f "$COMPOSE_FILE" "$@"
    else
        docker-compose -f "$COMPOSE_FILE" "$@"
    fi
}

# A Docker engine answers and a compose front end exists.
docker_usable() {
    have docker || return 1
    if have timeout; then
        timeout 15 docker info >/dev/null 2>&1 || return 1
    else
        docker info >/dev/null 2>&1 || return 1
    fi
    docker compose version >/dev/null 2>&1 || have docker-compose
}

# ------------------------------------------------------------------- apt ---

APT_UPDATED=""
apt_install() {
    have apt-get || die "$* is not installed, no Docker engine answers, and this machine has no apt-get: install and start it yourself"
    if [[ -z $APT_UPDATED ]]; then
        note "apt-get update"
        as_root apt-get update >&2
        APT_UPDATED=1
    fi
    note "apt-get install -y $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >&2
}

# ------------------------------------------------------------ PostgreSQL ---

pg_answers() {
    if have pg_isready; then
        pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 3
    else
        tcp_open "$PG_HOST" "$PG_PORT"
    fi
}

# Prints "VERSION CLUSTER" for every Debian-style cluster in /etc/postgresql.
pg_clusters() {
    local conf dir
    for conf in /etc/postgresql/*/*/postgresql.conf; do
        [[ -e $conf ]] || continue
        dir=${conf%/postgresql.conf}
        printf '%s %s\n' "$(basename "$(dirname "$dir")")" "$(basename "$dir")"
    done
}

pg_installed() {
    { have pg_ctlcluster && [[ -n "$(pg_clusters)" ]]; } || [[ -x /etc/init.d/postgresql ]]
}

# Starts every stopped cluster; with "reload", reloads the running ones too.
# Fails, naming the logs, when no cluster runs afterwards.
pg_start_installed() {
    local mode=${1:-} ver cluster line running=0
    local -a clusters=()
    if have pg_ctlcluster; then
        mapfile -t clusters < <(pg_clusters)
    fi
    if ((${#clusters[@]} == 0)); then
        note "service postgresql start"
        as_root service postgresql start >&2 || die "PostgreSQL: 'service postgresql start' failed"
        return
    fi
    for line in "${clusters[@]}"; do
        read -r ver cluster <<<"$line"
        if as_root pg_ctlcluster "$ver" "$cluster" status >/dev/null 2>&1; then
            if [[ $mode == reload ]]; then
                note "pg_ctlcluster $ver $cluster reload"
                as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$cluster" reload >&2
            fi
            running=$((running + 1))
        else
            note "pg_ctlcluster --skip-systemctl-redirect $ver $cluster start"
            if as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$cluster" start >&2; then
                running=$((running + 1))
            else
                warn "PostgreSQL cluster $ver/$cluster did not start (see /var/log/postgresql/postgresql-$ver-$cluster.log)"
            fi
        fi
    done
    ((running > 0)) || die "PostgreSQL: no cluster of /etc/postgresql could be started (see the logs in /var/log/postgresql/)"
}

# Prints pg_hba.conf FILE with RULE inserted before its first rule.
hba_with_rule() { # FILE RULE
    as_root awk -v rule="$2" '
        !done && /^[[:space:]]*(local|host|hostssl|hostnossl|hostgssenc|hostnogssenc|include|include_if_exists|include_dir)[[:space:]]/ {
            print "# Added by deploy/dev.sh: developer machine only (passwordless local TCP logins as postgres)."
            print rule
            done = 1
        }
        { print }
        END { if (!done) print rule }
    ' "$1"
}

# DEVELOPER MACHINE ONLY: lets user postgres log in over local TCP without a
# password (a `host all postgres 127.0.0.1/32 trust` rule ahead of the
# others), as the default URLs in config/default.toml expect. Only done on a
# server this script has just installed; never do this on a shared server.
pg_trust_local_postgres() {
    local rule='host    all    postgres    127.0.0.1/32    trust'
    local line hba tmp
    local -a clusters=()
    mapfile -t clusters < <(pg_clusters)
    for line in "${clusters[@]}"; do
        hba="/etc/postgresql/${line% *}/${line#* }/pg_hba.conf"
        as_root test -f "$hba" || continue
        if as_root grep -Eq '^[[:space:]]*host[[:space:]]+all[[:space:]]+postgres[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
            continue
        fi
        note "adding '$rule' to $hba (developer machine setup)"
        tmp=$(mktemp)
        hba_with_rule "$hba" "$rule" >"$tmp"
        # tee keeps the file's owner and mode.
        as_root tee "$hba" <"$tmp" >/dev/null
        rm -f "$tmp"
    done
}

pg_wait() { # WHERE-TO-LOOK
    wait_until "PostgreSQL on $PG_HOST:$PG_PORT to accept connections (pg_isready -h $PG_HOST -p $PG_PORT); see $1" pg_answers
}

pg_check_login() {
    have psql || return 0
    if ! PGCONNECT_TIMEOUT=5 psql -X -q -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -Atc 'SELECT 1' >/dev/null 2>&1; then
        warn "PostgreSQL answers, but 'psql -h $PG_HOST -U postgres' cannot log in without a password:" \
            "add 'host all postgres 127.0.0.1/32 trust' to pg_hba.conf (developer machine), or put the password in PRAKERJA__DATABASE__URL and PGPASSWORD"
    fi
}

ensure_postgres() {
    if pg_answers; then
        say "PostgreSQL: already running on $PG_HOST:$PG_PORT"
    elif pg_installed; then
        pg_start_installed
        pg_wait "/var/log/postgresql/"
        say "PostgreSQL: started the installed server"
    elif docker_usable; then
        note "docker compose -f deploy/compose.yaml up -d postgres"
        compose up -d postgres >&2 || die "'docker compose -f deploy/compose.yaml up -d postgres' failed"
        pg_wait "'docker compose -f deploy/compose.yaml logs postgres'"
        say "PostgreSQL: started the 'postgres' container of deploy/compose.yaml"
    else
        apt_install postgresql
        if ! have pg_ctlcluster || [[ -z "$(pg_clusters)" ]]; then
            local version
            version=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -n | tail -n 1)
            [[ -n $version ]] || die "apt-get installed postgresql, but no server version is in /usr/lib/postgresql"
            note "pg_createcluster $version main"
            as_root pg_createcluster "$version" main >&2
        fi
        pg_trust_local_postgres
        pg_start_installed reload
        pg_wait "/var/log/postgresql/"
        say "PostgreSQL: installed the Debian package, allowed passwordless local TCP logins as postgres, started it"
    fi
    pg_check_login
}

# -------------------------------------------------------------- RabbitMQ ---

amqp_answers() { tcp_open "$AMQP_HOST" "$AMQP_PORT"; }

# The local node answers its CLI tools (false when that cannot be checked).
rabbit_local_ping() {
    have rabbitmq-diagnostics && as_root_quietly rabbitmq-diagnostics -q ping >/dev/null 2>&1
}

# Ready: the AMQP port accepts connections and, when the local node can be
# asked (root or passwordless sudo), it answers a ping.
rabbit_local_ready() {
    amqp_answers || return 1
    if have rabbitmq-diagnostics && as_root_quietly true 2>/dev/null; then
        rabbit_local_ping
    fi
}

rabbit_container_ready() {
    amqp_answers && compose exec -T rabbitmq rabbitmq-diagnostics -q ping >/dev/null 2>&1
}

readonly RABBIT_WAIT="RabbitMQ on $AMQP_HOST:$AMQP_PORT to accept AMQP connections"

rabbit_start_installed() {
    if rabbit_local_ping; then
        # The Erlang node runs but the broker application does not listen
        # (stopped with stop_app, or still booting): start_app is idempotent.
        note "rabbitmqctl start_app (the local node runs, but nothing listens on $AMQP_PORT)"
        as_root rabbitmqctl -q start_app >&2 || warn "rabbitmqctl start_app failed; waiting anyway"
    else
        note "rabbitmq-server -detached"
        as_root rabbitmq-server -detached >&2 ||
            die "RabbitMQ: 'rabbitmq-server -detached' failed (see /var/log/rabbitmq/)"
    fi
    wait_until "$RABBIT_WAIT (see /var/log/rabbitmq/)" rabbit_local_ready
}

ensure_rabbitmq() {
    if amqp_answers; then
        say "RabbitMQ: already running on $AMQP_HOST:$AMQP_PORT"
    elif have rabbitmq-server; then
        rabbit_start_installed
        say "RabbitMQ: started the installed server"
    elif docker_usable; then
        note "docker compose -f deploy/compose.yaml up -d rabbitmq"
        compose up -d rabbitmq >&2 || die "'docker compose -f deploy/compose.yaml up -d rabbitmq' failed"
        wait_until "$RABBIT_WAIT (see 'docker compose -f deploy/compose.yaml logs rabbitmq')" rabbit_container_ready
        say "RabbitMQ: started the 'rabbitmq' container of deploy/compose.yaml"
    else
        apt_install rabbitmq-server
        if amqp_answers; then
            say "RabbitMQ: installed the Debian package (its install started it)"
        else
            rabbit_start_installed
            say "RabbitMQ: installed the Debian package and started it"
        fi
    fi
}

# ------------------------------------------------- private test servers ---

# The fault tests start PostgreSQL servers and RabbitMQ nodes of their own
# (never the services above) from the installed programs: PostgreSQL's
# initdb, postgres and pg_basebackup, RabbitMQ's scripts and Erlang's epmd.
# When PostgreSQL and RabbitMQ answer from containers, the packages that
# hold these programs may be missing.
private_server_packages_missing() {
    if [[ -z ${PRAKERJA_TEST_PG_BIN:-} ]] && ! compgen -G '/usr/lib/postgresql/*/bin/pg_basebackup' >/dev/null; then
        printf '%s\n' postgresql
    fi
    if [[ -z ${PRAKERJA_TEST_RABBITMQ_BIN:-} && ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] || ! have epmd; then
        printf '%s\n' rabbitmq-server
    fi
}

ensure_private_server_programs() {
    local -a missing=() still=()
    mapfile -t missing < <(private_server_packages_missing)
    if ((${#missing[@]} > 0)); then
        apt_install "${missing[@]}"
        mapfile -t still < <(private_server_packages_missing)
        ((${#still[@]} == 0)) || die "the fault tests' server programs are still missing after 'apt-get install ${missing[*]}' (set PRAKERJA_TEST_PG_BIN / PRAKERJA_TEST_RABBITMQ_BIN)"
        say "Fault tests: installed ${missing[*]} for the private servers"
    else
        say "Fault tests: PostgreSQL and RabbitMQ server programs present (the tests start private servers)"
    fi
}

# ----------------------------------------------------------------- cargo ---

need_cargo() {
    if ! have cargo && [[ -x "${HOME:-/nonexistent}/.cargo/bin/cargo" ]]; then
        PATH="$HOME/.cargo/bin:$PATH"
    fi
    have cargo || die "cargo not found: install the Rust toolchain (https://rustup.rs) and put ~/.cargo/bin on PATH"
}

need_cargo_tool() { # SUBCOMMAND RUSTUP-COMPONENT
    cargo "$1" --version >/dev/null 2>&1 ||
        die "'cargo $1' is not available: install it with 'rustup component add $2'"
}

run() {
    note "$*"
    "$@"
}

# ------------------------------------------------------------- commands ---

ensure_services() {
    ensure_postgres
    ensure_rabbitmq
}

cmd_up() {
    if [[ "${DEV_SH_SKIP_BUILD:-}" == 1 ]]; then
        ensure_services
        say "Build and migration: skipped (DEV_SH_SKIP_BUILD=1)"
        return
    fi
    need_cargo
    ensure_services
    run cargo build --release --workspace --bins
    run "$BIN_DIR/prakerja" migrate
    say "Build and migration: done ($BIN_DIR)"
}

# Deletes the demo's queues left by an earlier run, so that their messages
# cannot leak into the fresh demo database. Best effort: needs rabbitmqctl
# and root (or passwordless sudo), or the compose container.
purge_demo_queues() {
    local -a queues=()
    local queue
    if have rabbitmqctl && as_root_quietly rabbitmqctl -q status >/dev/null 2>&1; then
        mapfile -t queues < <(as_root_quietly rabbitmqctl list_queues --silent name | grep -F "$DEMO_PREFIX" || true)
        for queue in "${queues[@]}"; do
            [[ $queue == "$DEMO_PREFIX"* ]] || continue
            note "rabbitmqctl delete_queue $queue"
            as_root_quietly rabbitmqctl -q delete_queue "$queue" >/dev/null
        done
    elif docker_usable && compose exec -T rabbitmq true >/dev/null 2>&1; then
        mapfile -t queues < <(compose exec -T rabbitmq rabbitmqctl list_queues --silent name | tr -d '\r' | grep -F "$DEMO_PREFIX" || true)
        for queue in "${queues[@]}"; do
            [[ $queue == "$DEMO_PREFIX"* ]] || continue
            note "rabbitmqctl delete_queue $queue (container)"
            compose exec -T rabbitmq rabbitmqctl -q delete_queue "$queue" >/dev/null
        done
    else
        warn "cannot reach rabbitmqctl: queues '${DEMO_PREFIX}*' of an earlier demo, if any, are kept"
    fi
}

# The demo runs under least privilege, as a deployment does
# (docs/OPERATIONS.md, "Credentials and roles"): the database belongs to
# the login $DEMO_ROLE_PREFIX-owner, which runs the migrations; each binary
# logs in as a DEVELOPMENT login user of its group role (no password: the
# local server trusts 127.0.0.1).
readonly DEMO_ROLE_PREFIX=prakerja_demo
demo_sql() {
    psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -c "$1"
}
demo_login() {  # demo_login NAME [GROUP] [OPTIONS]: creates the login when missing
    local options="LOGIN ${3:-}"
    [[ -n "${2:-}" ]] && options="$options IN ROLE $2"
    demo_sql "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$1') THEN CREATE ROLE $1 $options; END IF; END \$\$"
}
demo_database_url() { printf 'postgres://%s@%s:%s/%s' "$1" "$PG_HOST" "$PG_PORT" "$DEMO_DB"; }

# The broker: the vhost $DEMO_VHOST made from deploy/rabbitmq/definitions.json,
# its users given DEVELOPMENT passwords (dev-USER). Needs rabbitmqctl (as for
# purge_demo_queues); without it the demo runs as guest on / with prefix
# $DEMO_PREFIX, and says so.
readonly DEMO_VHOST=prakerja-demo
demo_broker_users() {
    local user definitions
    if ! { have rabbitmqctl && as_root_quietly rabbitmqctl -q status >/dev/null 2>&1; }; then
        warn "cannot reach rabbitmqctl: the demo's binaries share guest on / (no broker users)"
        return 1
    fi
    as_root_quietly rabbitmqctl -q delete_vhost "$DEMO_VHOST" >/dev/null 2>&1 || true
    definitions="$(mktemp)"
    sed 's/"prakerja"/"'"$DEMO_VHOST"'"/g' "$ROOT/deploy/rabbitmq/definitions.json" >"$definitions"
    chmod 644 "$definitions"
    as_root_quietly rabbitmqctl -q import_definitions "$definitions" >/dev/null
    rm -f "$definitions"
    for user in prakerja-validator prakerja-selector prakerja-disburser prakerja-operator payment-gateway; do
        # The import is asynchronous: retry until the user is there.
        for _ in $(seq 1 50); do
            as_root_quietly rabbitmqctl -q change_password "$user" "dev-$user" >/dev/null 2>&1 && break
            sleep 0.2
        done
    done
    note "broker: vhost $DEMO_VHOST with the users of deploy/rabbitmq/definitions.json (development passwords dev-USER)"
}
demo_amqp_url() { printf 'amqp://%s:dev-%s@%s:%s/%s' "$1" "$1" "$AMQP_HOST" "$AMQP_PORT" "$DEMO_VHOST"; }

cmd_demo() {
    cmd_up
    [[ -x "$BIN_DIR/prakerja" ]] || die "$BIN_DIR/prakerja is missing: run 'deploy/dev.sh demo' without DEV_SH_SKIP_BUILD to build it"
    have psql || die "psql not found: install the PostgreSQL client (apt-get install postgresql-client)"
    run demo_sql "DROP DATABASE IF EXISTS $DEMO_DB WITH (FORCE)"
    demo_login "${DEMO_ROLE_PREFIX}_owner" "" CREATEROLE
    run demo_sql "CREATE DATABASE $DEMO_DB OWNER ${DEMO_ROLE_PREFIX}_owner"
    PRAKERJA__DATABASE__URL="$(demo_database_url "${DEMO_ROLE_PREFIX}_owner")" \
        run "$BIN_DIR/prakerja" migrate
    local part
    for part in validator selector disburser operator; do
        demo_login "${DEMO_ROLE_PREFIX}_$part" "prakerja_$part"
    done
    export PRAKERJA__DATABASE__URL PRAKERJA_DEMO_VALIDATOR__DATABASE__URL \
        PRAKERJA_DEMO_SELECTOR__DATABASE__URL PRAKERJA_DEMO_DISBURSER__DATABASE__URL \
        PRAKERJA_DEMO_GATEWAY_SIMULATOR__DATABASE__URL
    PRAKERJA__DATABASE__URL="$(demo_database_url "${DEMO_ROLE_PREFIX}_operator")"
    PRAKERJA_DEMO_VALIDATOR__DATABASE__URL="$(demo_database_url "${DEMO_ROLE_PREFIX}_validator")"
    PRAKERJA_DEMO_SELECTOR__DATABASE__URL="$(demo_database_url "${DEMO_ROLE_PREFIX}_selector")"
    PRAKERJA_DEMO_DISBURSER__DATABASE__URL="$(demo_database_url "${DEMO_ROLE_PREFIX}_disburser")"
    # The simulated gateway keeps a schema of its own in the demo's database.
    PRAKERJA_DEMO_GATEWAY_SIMULATOR__DATABASE__URL="$(demo_database_url "${DEMO_ROLE_PREFIX}_owner")"
    if demo_broker_users; then
        export PRAKERJA__AMQP__URL PRAKERJA__AMQP__DECLARE_QUEUES=false PRAKERJA__AMQP__PREFIX="" \
            PRAKERJA_DEMO_VALIDATOR__AMQP__URL PRAKERJA_DEMO_SELECTOR__AMQP__URL \
            PRAKERJA_DEMO_DISBURSER__AMQP__URL PRAKERJA_DEMO_GATEWAY_SIMULATOR__AMQP__URL
        PRAKERJA__AMQP__URL="$(demo_amqp_url prakerja-operator)"
        PRAKERJA_DEMO_VALIDATOR__AMQP__URL="$(demo_amqp_url prakerja-validator)"
        PRAKERJA_DEMO_SELECTOR__AMQP__URL="$(demo_amqp_url prakerja-selector)"
        PRAKERJA_DEMO_DISBURSER__AMQP__URL="$(demo_amqp_url prakerja-disburser)"
        PRAKERJA_DEMO_GATEWAY_SIMULATOR__AMQP__URL="$(demo_amqp_url payment-gateway)"
    else
        export PRAKERJA__AMQP__PREFIX="$DEMO_PREFIX"
        purge_demo_queues
    fi
    run "$BIN_DIR/prakerja" demo "$@"
}

# The report's test loads it in headless Chromium: install Debian's package
# when no browser is there. Where that cannot be done, the test says it
# skipped the browser half, and everything else still runs.
ensure_chromium() {
    if [[ -n "${PRAKERJA_TEST_CHROMIUM:-}" ]] || have chromium || have chromium-browser || have google-chrome; then
        say "Chromium: present (for the report's browser test)"
        return
    fi
    if have apt-get && (apt_install chromium); then
        APT_UPDATED=1
        say "Chromium: installed the Debian package (for the report's browser test)"
    else
        warn "Chromium could not be installed: the report's browser test will skip its browser half"
    fi
}

cmd_test() {
    need_cargo
    need_cargo_tool fmt rustfmt
    need_cargo_tool clippy clippy
    ensure_services
    ensure_private_server_programs
    ensure_chromium
    export PRAKERJA_TEST_DATABASE_URL="${PRAKERJA_TEST_DATABASE_URL:-postgres://postgres@$PG_HOST:$PG_PORT/postgres}"
    export PRAKERJA_TEST_AMQP_URL="${PRAKERJA_TEST_AMQP_URL:-amqp://guest:guest@$AMQP_HOST:$AMQP_PORT/%2f}"
    run cargo fmt --all -- --check
    # Twice: the tests' build has the workers' failpoints (the feature its
    # integration tests turn on, so the binaries they spawn carry them); the
    # release build has none.
    run cargo clippy --workspace --all-targets -- -D warnings
    run cargo clippy --workspace -- -D warnings
    if cargo nextest --version >/dev/null 2>&1; then
        run cargo nextest run --workspace --no-fail-fast "$@"
    else
        run cargo test --workspace --no-fail-fast "$@"
    fi
}

main() {
    local command=${1:-help}
    (($# == 0)) || shift
    cd "$ROOT"
    case $command in
    up)
        (($# == 0)) || usage_error "'up' takes no arguments"
        cmd_up
        ;;
    demo) cmd_demo "$@" ;;
    test) cmd_test "$@" ;;
    help | -h | --help) usage ;;
    *)
        usage_error "unknown command '$command'"
        ;;
    esac
}

# Run unless sourced (tests source this file to call single functions).
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    main "$@"
fi
