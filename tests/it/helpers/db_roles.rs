//! The database roles a test's processes log in as: one login user per part
//! of the pipeline, unique to the test, member of the group role that
//! `shared/migrations/20261209000000_roles.sql` creates; and the test's own
//! owner, which runs the migrations and owns the schema.

use secrecy::SecretString;
use sqlx::PgConnection;
use workers::app::App;

use super::env::TestEnv;
use super::workers::WorkerKind;

/// Who connects to a test's database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbRole {
    /// Owns the database and its schema; runs the migrations. The gateway
    /// simulator (no part of the pipeline: it keeps a schema of its own in
    /// the test's database) logs in as it too.
    Owner,
    Validator,
    Selector,
    Disburser,
    /// The operator's tool, `prakerja`.
    Operator,
    /// Auditors and reports.
    Readonly,
}

impl DbRole {
    /// The roles that join a group role (all but the owner).
    pub const MEMBERS: [DbRole; 5] = [
        DbRole::Validator,
        DbRole::Selector,
        DbRole::Disburser,
        DbRole::Operator,
        DbRole::Readonly,
    ];

    /// The group role of the migrations this role's login user joins.
    pub fn group(self) -> Option<&'static str> {
        match self {
            DbRole::Owner => None,
            DbRole::Validator => Some("prakerja_validator"),
            DbRole::Selector => Some("prakerja_selector"),
            DbRole::Disburser => Some("prakerja_disburser"),
            DbRole::Operator => Some("prakerja_operator"),
            DbRole::Readonly => Some("prakerja_readonly"),
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            DbRole::Owner => "owner",
            DbRole::Validator => "validator",
            DbRole::Selector => "selector",
            DbRole::Disburser => "disburser",
            DbRole::Operator => "operator",
            DbRole::Readonly => "readonly",
        }
    }

    /// The login user of this role in the test `id`.
    pub fn login(self, id: &str) -> String {
        format!("t{id}_{}", self.suffix())
    }
}

impl WorkerKind {
    /// The role a binary logs in as.
    pub fn db_role(self) -> DbRole {
        match self {
            WorkerKind::Validator => DbRole::Validator,
            WorkerKind::Selector => DbRole::Selector,
            WorkerKind::Disburser => DbRole::Disburser,
            WorkerKind::GatewaySimulator => DbRole::Owner,
            WorkerKind::Prakerja => DbRole::Operator,
        }
    }
}

/// Creates the test's owner: a login user that may create the group roles
/// (the first migration on a cluster does) but is no superuser.
pub(super) async fn create_owner(admin: &mut PgConnection, id: &str) {
    let owner = DbRole::Owner.login(id);
    sqlx::query(&format!("CREATE ROLE \"{owner}\" LOGIN CREATEROLE"))
        .execute(admin)
        .await
        .expect("create the test's owner role");
}

/// Creates the members' login users (after the migrations made the groups).
pub(super) async fn create_members(admin: &mut PgConnection, id: &str) {
    for role in DbRole::MEMBERS {
        let group = role.group().expect("members have a group");
        sqlx::query(&format!(
            "CREATE ROLE \"{}\" LOGIN IN ROLE {group}",
            role.login(id)
        ))
        .execute(&mut *admin)
        .await
        .expect("create a login user of the test");
    }
}

/// Drops every login user of the test (after its database).
pub(super) async fn drop_all(admin: &mut PgConnection, id: &str) {
    for role in DbRole::MEMBERS.into_iter().chain([DbRole::Owner]) {
        let _ = sqlx::query(&format!("DROP ROLE IF EXISTS \"{}\"", role.login(id)))
            .execute(&mut *admin)
            .await;
    }
}

impl TestEnv {
    /// The URL of this test's database for `role`'s login user.
    pub fn url_as(&self, role: DbRole) -> String {
        self.services
            .database_url(&role.login(&self.id), &self.database)
    }

    /// The AMQP URL a binary of `kind` uses: its own user on the test's
    /// vhost, or the administrator's on a private broker.
    pub fn amqp_url_for(&self, kind: WorkerKind) -> String {
        self.broker
            .as_ref()
            .map_or_else(|| self.amqp_url.clone(), |b| b.url(kind.broker_user()))
    }

    /// This test's app (same settings) as a binary of `kind` runs it in the
    /// test's process: its database role and broker user.
    pub fn app_for(&self, kind: WorkerKind) -> App {
        let mut settings = (*self.app.settings).clone();
        settings.database.url = SecretString::from(self.url_as(kind.db_role()));
        settings.amqp.url = SecretString::from(self.amqp_url_for(kind));
        settings.amqp.declare_queues = self.broker.is_none();
        App::new(settings).expect("app builds")
    }
}
