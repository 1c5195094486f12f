//! Least privilege on the broker (`deploy/rabbitmq/definitions.json`, loaded
//! into the test's own vhost): each user publishes only to the queues the
//! definitions name, reads only its own, and configures nothing.

use lapin::options::{BasicGetOptions, QueueDeleteOptions};
use secrecy::SecretString;
use shared::amqp::{Publisher, Queue, confirmed, json_properties};

use crate::helpers::{BrokerUser, TestEnv};

/// Connects as `user` to the test's vhost.
async fn connect(env: &TestEnv, user: BrokerUser) -> lapin::Connection {
    let broker = env.broker.as_ref().expect("tests run on the shared broker");
    let mut settings = env.app.settings.amqp.clone();
    settings.url = SecretString::from(broker.url(user));
    shared::amqp::connect(&settings, "test permissions")
        .await
        .unwrap_or_else(|e| panic!("{user:?} connects: {e:#}"))
}

/// Publishes one message as `user` to `queue`, confirmed.
async fn publish_as(env: &TestEnv, user: BrokerUser, queue: Queue) -> anyhow::Result<()> {
    let connection = connect(env, user).await;
    let publisher = Publisher::open(&connection, env.topology().clone()).await?;
    let sent = async {
        let confirm = publisher
            .send(queue, br#"{"forged": true}"#, json_properties("forged"))
            .await?;
        confirmed(confirm).await
    }
    .await;
    let _ = connection.close(200, "done".into()).await;
    sent
}

async fn refused(env: &TestEnv, user: BrokerUser, queue: Queue) {
    let error = publish_as(env, user, queue)
        .await
        .expect_err(&format!("{user:?} may not publish to {queue:?}"));
    let text = format!("{error:#}");
    assert!(
        text.contains("ACCESS_REFUSED") || text.contains("access to exchange"),
        "{user:?} -> {queue:?}: refused for its permissions, got: {text}"
    );
    assert_eq!(
        env.ready(&env.topology().name(queue)).await,
        0,
        "nothing of {user:?} reached {queue:?}"
    );
}

#[tokio::test]
async fn each_broker_user_publishes_only_where_the_definitions_let_it() {
    let env = TestEnv::new().await;
    // A hostile platform, a stolen worker credential, the gateway.
    refused(&env, BrokerUser::TrainingPlatform, Queue::PaymentsResults).await;
    refused(&env, BrokerUser::Validator, Queue::PaymentsResults).await;
    refused(&env, BrokerUser::Disburser, Queue::PaymentsResults).await;
    refused(&env, BrokerUser::Selector, Queue::PaymentsInstructions).await;
    refused(&env, BrokerUser::Gateway, Queue::RegistrationsSubmitted).await;
    refused(&env, BrokerUser::FrontEnd, Queue::TrainingEvents).await;
    refused(
        &env,
        BrokerUser::TrainingPlatform,
        Queue::RegistrationsSubmitted,
    )
    .await;
    // What each is there for goes through.
    for (user, queue) in [
        (BrokerUser::TrainingPlatform, Queue::TrainingEvents),
        (BrokerUser::Gateway, Queue::PaymentsResults),
        (BrokerUser::FrontEnd, Queue::RegistrationsSubmitted),
        (BrokerUser::Disburser, Queue::PaymentsInstructions),
    ] {
        publish_as(&env, user, queue)
            .await
            .unwrap_or_else(|e| panic!("{user:?} publishes to {queue:?}: {e:#}"));
        assert_eq!(env.ready(&env.topology().name(queue)).await, 1);
    }
}

#[tokio::test]
async fn broker_users_read_only_their_queues_and_configure_nothing() {
    let env = TestEnv::new().await;
    for (user, queue) in [
        (BrokerUser::Validator, Queue::PaymentsInstructions),
        (BrokerUser::TrainingPlatform, Queue::ParticipantsSelected),
        (BrokerUser::Gateway, Queue::RegistrationsSubmitted),
    ] {
        let connection = connect(&env, user).await;
        let channel = connection.create_channel().await.expect("channel");
        let got = channel
            .basic_get(
                env.topology().name(queue).as_str().into(),
                BasicGetOptions::default(),
            )
            .await;
        assert!(
            got.as_ref()
                .is_err_and(|e| e.to_string().contains("ACCESS_REFUSED")),
            "{user:?} reads {queue:?}: {got:?}"
        );
        let channel = connection.create_channel().await.expect("channel");
        let deleted = channel
            .queue_delete(
                env.topology()
                    .name(Queue::RegistrationsSubmitted)
                    .as_str()
                    .into(),
                QueueDeleteOptions::default(),
            )
            .await;
        assert!(
            deleted
                .as_ref()
                .is_err_and(|e| e.to_string().contains("ACCESS_REFUSED")),
            "{user:?} deletes a queue: {deleted:?}"
        );
        let _ = connection.close(200, "done".into()).await;
    }
}
