//! The private servers the fault tests own: a crash loses nothing committed
//! or confirmed, and dropping one leaves no process and no directory behind.

use shared::amqp::Queue;
use sqlx::{Connection, PgConnection};

use crate::helpers::{PrivatePostgres, PrivateRabbit, Services, TestEnv};

async fn count(url: &str) -> Option<i64> {
    let mut connection = PgConnection::connect(url).await.ok()?;
    let n = sqlx::query_scalar("SELECT count(*) FROM kept")
        .fetch_one(&mut connection)
        .await
        .ok();
    let _ = connection.close().await;
    n
}

#[tokio::test]
async fn a_private_postgres_killed_keeps_every_committed_row_and_leaves_nothing_behind() {
    let mut pg = PrivatePostgres::start("crash", &[]).await;
    let url = pg.admin_url();
    let mut connection = PgConnection::connect(&url).await.expect("connect");
    sqlx::query("CREATE TABLE kept (n int)")
        .execute(&mut connection)
        .await
        .expect("create");
    sqlx::query("INSERT INTO kept SELECT generate_series(1, 1000)")
        .execute(&mut connection)
        .await
        .expect("insert");
    pg.kill();
    let lost = sqlx::query("SELECT 1").execute(&mut connection).await;
    assert!(lost.is_err(), "the server is gone after the kill");
    assert!(count(&url).await.is_none(), "nothing answers while killed");
    pg.boot().await;
    assert_eq!(
        count(&url).await,
        Some(1000),
        "crash recovery kept the commit"
    );
    pg.stop().await;
    assert!(count(&url).await.is_none(), "nothing answers while stopped");
    pg.boot().await;
    assert_eq!(
        count(&url).await,
        Some(1000),
        "a clean restart keeps it too"
    );
    let (port, dir) = (pg.host(), pg.dir().to_owned());
    drop(pg);
    assert!(
        std::net::TcpStream::connect(&port).is_err(),
        "no server left on {port} after the drop"
    );
    assert!(!dir.exists(), "{} removed", dir.display());
}

#[tokio::test]
async fn a_private_rabbitmq_node_killed_keeps_every_confirmed_message() {
    let mut rabbit = PrivateRabbit::start("crash").await;
    let services = Services {
        amqp_url: rabbit.url(),
        ..Services::shared()
    };
    let env = TestEnv::on(&services, |_| {}).await;
    rabbit.declare_durably(env.topology()).await;
    let bodies: Vec<Vec<u8>> = (0..500)
        .map(|i| format!("{{\"n\":{i}}}").into_bytes())
        .collect();
    env.publish_raw(Queue::TrainingEvents, &bodies).await;
    rabbit.kill();
    assert!(
        lapin::Connection::connect(&rabbit.url(), Default::default())
            .await
            .is_err(),
        "the node is gone after the kill"
    );
    rabbit.boot().await;
    let queue = env.topology().name(Queue::TrainingEvents);
    // Right after a restart a passive declaration may still count 0: take them.
    let back = env.drain(&queue).await.len();
    assert_eq!(back, 500, "every confirmed message is back");
    let (amqp, dir) = (
        format!("127.0.0.1:{}", rabbit.amqp_port),
        rabbit.dir().to_owned(),
    );
    drop(env);
    drop(rabbit);
    assert!(
        std::net::TcpStream::connect(&amqp).is_err(),
        "no node left on {amqp} after the drop"
    );
    assert!(!dir.exists(), "{} removed", dir.display());
}
