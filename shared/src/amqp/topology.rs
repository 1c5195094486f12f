//! The queues of CONTRACTS.md: durable quorum queues, each dead-lettering to
//! `<name>.dead`, names optionally prefixed so test runs can share a broker.
//! Every queue has a direct exchange of its own name, bound to it: messages
//! are published there, never through the default exchange, so that a
//! broker user's write permission names exactly the queues it may fill
//! (deploy/rabbitmq/definitions.json).

use lapin::options::{
    ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions, QueueDeclareOptions,
    QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{Channel, ExchangeKind};

/// Every queue of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Queue {
    RegistrationsSubmitted,
    WavesClosed,
    ParticipantsSelected,
    TrainingEvents,
    DisbursementsRuns,
    PaymentsInstructions,
    PaymentsResults,
}

impl Queue {
    pub const ALL: [Queue; 7] = [
        Queue::RegistrationsSubmitted,
        Queue::WavesClosed,
        Queue::ParticipantsSelected,
        Queue::TrainingEvents,
        Queue::DisbursementsRuns,
        Queue::PaymentsInstructions,
        Queue::PaymentsResults,
    ];

    /// The contract's name, without prefix.
    pub fn base_name(self) -> &'static str {
        match self {
            Queue::RegistrationsSubmitted => "registrations.submitted",
            Queue::WavesClosed => "waves.closed",
            Queue::ParticipantsSelected => "participants.selected",
            Queue::TrainingEvents => "training.events",
            Queue::DisbursementsRuns => "disbursements.runs",
            Queue::PaymentsInstructions => "payments.instructions",
            Queue::PaymentsResults => "payments.results",
        }
    }
}

/// Queue names under a prefix, and their declaration.
#[derive(Debug, Clone)]
pub struct Topology {
    prefix: String,
    delivery_limit: u32,
    /// Whether [`declare_one`](Self::declare_one) creates what is missing
    /// (development, tests) or only checks that the broker's definitions
    /// hold it (`amqp.declare_queues = false`: users without configure
    /// permission).
    declare: bool,
}

impl Topology {
    pub fn new(prefix: &str, delivery_limit: u32) -> Self {
        Self {
            prefix: prefix.to_owned(),
            delivery_limit,
            declare: true,
        }
    }

    /// This topology, declaring (`true`) or only checking (`false`).
    pub fn declaring(mut self, declare: bool) -> Self {
        self.declare = declare;
        self
    }

    /// The full name of a queue.
    pub fn name(&self, queue: Queue) -> String {
        format!("{}{}", self.prefix, queue.base_name())
    }

    /// The full name of a queue's dead-letter queue.
    pub fn dead_name(&self, queue: Queue) -> String {
        format!("{}.dead", self.name(queue))
    }

    /// Declares every queue and its dead-letter queue (idempotent).
    pub async fn declare(&self, channel: &Channel) -> lapin::Result<()> {
        for queue in Queue::ALL {
            self.declare_one(channel, queue).await?;
        }
        Ok(())
    }

    /// Declares one queue and its dead-letter queue, each with its
    /// exchange; or, when not declaring, checks that both queues exist (a
    /// passive declaration needs no permission).
    pub async fn declare_one(&self, channel: &Channel, queue: Queue) -> lapin::Result<()> {
        let mut dead_args = FieldTable::default();
        dead_args.insert(short("x-queue-type"), long("quorum"));
        for (name, arguments) in [
            (self.dead_name(queue), dead_args),
            (self.name(queue), self.arguments(queue)),
        ] {
            if !self.declare {
                let passive = QueueDeclareOptions {
                    passive: true,
                    ..QueueDeclareOptions::default()
                };
                channel
                    .queue_declare(name.as_str().into(), passive, FieldTable::default())
                    .await?;
                continue;
            }
            channel
                .exchange_declare(
                    name.as_str().into(),
                    ExchangeKind::Direct,
                    ExchangeDeclareOptions {
                        durable: true,
                        ..ExchangeDeclareOptions::default()
                    },
                    FieldTable::default(),
                )
                .await?;
            channel
                .queue_declare(
                    name.as_str().into(),
                    QueueDeclareOptions::durable(),
                    arguments,
                )
                .await?;
            channel
                .queue_bind(
                    name.as_str().into(),
                    name.as_str().into(),
                    name.as_str().into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await?;
        }
        Ok(())
    }

    /// Arguments of an input queue. They must never change for an existing
    /// queue: the broker refuses a redeclaration with other arguments.
    fn arguments(&self, queue: Queue) -> FieldTable {
        let mut args = FieldTable::default();
        args.insert(short("x-queue-type"), long("quorum"));
        args.insert(short("x-dead-letter-exchange"), long(""));
        args.insert(
            short("x-dead-letter-routing-key"),
            long(&self.dead_name(queue)),
        );
        // Dead letters are themselves delivered at least once, so a message
        // over its delivery limit is never silently dropped.
        args.insert(short("x-dead-letter-strategy"), long("at-least-once"));
        args.insert(short("x-overflow"), long("reject-publish"));
        args.insert(
            short("x-delivery-limit"),
            AMQPValue::LongInt(self.delivery_limit as i32),
        );
        args
    }

    /// Deletes every queue of this prefix (tests clean up after themselves).
    pub async fn delete_all(&self, channel: &Channel) -> lapin::Result<()> {
        for queue in Queue::ALL {
            for name in [self.name(queue), self.dead_name(queue)] {
                channel
                    .queue_delete(name.as_str().into(), QueueDeleteOptions::default())
                    .await?;
                channel
                    .exchange_delete(name.as_str().into(), ExchangeDeleteOptions::default())
                    .await?;
            }
        }
        Ok(())
    }

    /// Ready messages and consumers of a queue, from a passive declaration.
    pub async fn inspect(&self, channel: &Channel, queue: Queue) -> lapin::Result<QueueState> {
        let declared = channel
            .queue_declare(
                self.name(queue).as_str().into(),
                QueueDeclareOptions {
                    passive: true,
                    ..QueueDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await?;
        Ok(QueueState {
            ready: declared.message_count(),
            consumers: declared.consumer_count(),
        })
    }
}

/// What a passive declaration tells of a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueState {
    /// Messages waiting for delivery (not counting those delivered and unacknowledged).
    pub ready: u32,
    pub consumers: u32,
}

fn short(s: &str) -> ShortString {
    s.into()
}

fn long(s: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(s))
}
