//! A cluster of private RabbitMQ nodes sharing one port mapper and cookie:
//! the first boots alone, the others join it on their first boot (classic
//! peer discovery). A quorum queue declared once all are members has a
//! replica on every node.

use std::sync::Arc;

use super::epmd::Epmd;
use super::private_rabbit::PrivateRabbit;

pub struct RabbitCluster {
    pub nodes: Vec<PrivateRabbit>,
    _epmd: Arc<Epmd>,
}

/// Where a quorum queue lives.
#[derive(Debug)]
pub struct Placement {
    /// Index in `nodes` of the queue's leader.
    pub leader: usize,
    pub members: Vec<String>,
}

impl RabbitCluster {
    /// Boots `size` nodes and checks that every one of them runs in the cluster.
    pub async fn start(size: usize) -> RabbitCluster {
        let epmd = Epmd::start().await;
        let mut seed = PrivateRabbit::prepare("rabbit0", epmd.clone(), &[]);
        seed.boot().await;
        let peers = [seed.node.clone()];
        let mut others: Vec<PrivateRabbit> = (1..size)
            .map(|i| PrivateRabbit::prepare(&format!("rabbit{i}"), epmd.clone(), &peers))
            .collect();
        futures_util::future::join_all(others.iter_mut().map(PrivateRabbit::boot)).await;
        let mut nodes = vec![seed];
        nodes.extend(others);
        let cluster = RabbitCluster { nodes, _epmd: epmd };
        let running = cluster.running_nodes().await;
        assert_eq!(running.len(), size, "cluster members: {running:?}");
        cluster
    }

    /// Every node's URL, comma-separated, in order (the workers' `amqp.url`).
    pub fn urls(&self) -> String {
        let urls: Vec<String> = self.nodes.iter().map(PrivateRabbit::url).collect();
        urls.join(",")
    }

    fn live(&self) -> &PrivateRabbit {
        self.nodes
            .iter()
            .find(|node| node.is_running())
            .expect("a running node")
    }

    /// Nodes running in the cluster, as a live member sees it.
    pub async fn running_nodes(&self) -> Vec<String> {
        let status = self
            .live()
            .ctl(&["cluster_status", "--formatter", "json"])
            .await
            .expect("cluster_status");
        let status: serde_json::Value = serde_json::from_str(&status).expect("json status");
        serde_json::from_value(status["running_nodes"].clone()).expect("running_nodes")
    }

    /// A quorum queue's leader and members, as a live member sees them.
    pub async fn placement(&self, queue: &str) -> Placement {
        let listing = self
            .live()
            .ctl(&[
                "list_queues",
                "name",
                "leader",
                "members",
                "--formatter",
                "json",
            ])
            .await
            .expect("list_queues");
        let queues: Vec<serde_json::Value> =
            serde_json::from_str(&listing).expect("json queue list");
        let entry = queues
            .iter()
            .find(|q| q["name"] == queue)
            .unwrap_or_else(|| panic!("queue {queue} not listed: {listing}"));
        let leader = entry["leader"].as_str().expect("a leader");
        Placement {
            leader: self
                .nodes
                .iter()
                .position(|node| node.node == leader)
                .unwrap_or_else(|| panic!("leader {leader} is not one of the cluster's nodes")),
            members: serde_json::from_value(entry["members"].clone()).expect("members"),
        }
    }
}
