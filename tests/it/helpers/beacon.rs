//! Drand chains for tests: a test chain whose key the test generates, served
//! by the beacon simulator's server in this process on a port of its own;
//! quicknet's recorded round served in replay mode; and URLs that fail
//! (refused, or silent until the client's timeout).

use std::collections::BTreeMap;

use shared::beacon::Chain;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use workers::beacon_sim::{Rounds, SimChain, SimKey, serve};

/// League of Entropy quicknet's round 657413 (CONTRACTS.md).
pub const QUICKNET_ROUND: u64 = 657_413;
pub const QUICKNET_SIGNATURE: &str = "b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be41076862b98fad56e91a6b85b89cd97b";
pub const QUICKNET_RANDOMNESS: &str =
    "fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587";

/// A chain served until dropped.
pub struct ServedChain {
    /// The chain as configuration pins it (name `test`), URL included.
    pub chain: Chain,
    /// The simulated chain (its key signs any round), for signing rounds
    /// an operator would supply.
    pub sim: Option<SimChain>,
    stop: CancellationToken,
}

impl Drop for ServedChain {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn start(rounds: Rounds) -> (String, CancellationToken) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let stop = CancellationToken::new();
    tokio::spawn(serve(listener, rounds, stop.clone()));
    (url, stop)
}

/// A test chain with a freshly generated key: one round a second since ten
/// seconds ago, the draw's round `delay_secs` after the freeze.
pub async fn test_chain(delay_secs: u32) -> ServedChain {
    let sim = SimChain {
        key: SimKey::generate().expect("a key"),
        genesis: chrono::Utc::now().timestamp() - 10,
        period_secs: 1,
    };
    let (url, stop) = start(Rounds::Signing(sim.clone())).await;
    ServedChain {
        chain: sim.chain("test", delay_secs, vec![url]),
        sim: Some(sim),
        stop,
    }
}

/// quicknet as pinned in config/default.toml (URLs left out).
pub fn quicknet() -> Chain {
    let dir = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../config"));
    let settings = shared::config::Settings::load_from(&dir).expect("configuration");
    let mut chain = settings
        .drand
        .chain("quicknet")
        .expect("quicknet is pinned");
    chain.urls.clear();
    chain
}

/// quicknet's recorded round 657413, served in replay mode (with
/// `signature` in its place, to serve a forged one).
pub async fn quicknet_replay(signature: &str) -> ServedChain {
    let chain = quicknet();
    let signatures = BTreeMap::from([(
        QUICKNET_ROUND,
        hex::decode(signature).expect("hex signature"),
    )]);
    let (url, stop) = start(Rounds::Replay {
        chain: chain.clone(),
        signatures,
    })
    .await;
    ServedChain {
        chain: Chain {
            urls: vec![url],
            ..chain
        },
        sim: None,
        stop,
    }
}

/// A URL nothing listens on (connection refused).
pub async fn refused_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    drop(listener);
    url
}

/// A URL that accepts connections and never answers; dropped with the
/// returned token's cancellation.
pub async fn silent_url() -> (String, CancellationToken) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let stop = CancellationToken::new();
    let token = stop.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        loop {
            tokio::select! {
                () = token.cancelled() => return,
                accepted = listener.accept() => match accepted {
                    Ok((socket, _)) => held.push(socket),
                    Err(_) => return,
                },
            }
        }
    });
    (url, stop)
}
