//! drand's public HTTP API for a SIMULATED chain: `GET /{hash}/info`,
//! `GET /{hash}/public/{round}` and `GET /{hash}/public/latest`. A round
//! whose time has not come is not served (404). In replay mode it serves
//! recorded rounds of a real chain instead (tests: quicknet's round 657413).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use serde_json::json;
use shared::beacon::{Chain, randomness};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::SimChain;

/// What the server answers with.
#[derive(Debug, Clone)]
pub enum Rounds {
    /// Rounds signed on demand, each once its time has come.
    Signing(SimChain),
    /// Rounds recorded from a chain (signatures by round); `chain` gives the
    /// info.
    Replay {
        chain: Chain,
        signatures: BTreeMap<u64, Vec<u8>>,
    },
}

impl Rounds {
    fn hash(&self) -> [u8; 32] {
        match self {
            Self::Signing(sim) => sim.hash(),
            Self::Replay { chain, .. } => chain.hash,
        }
    }

    fn info(&self) -> serde_json::Value {
        let (public_key, period, genesis) = match self {
            Self::Signing(sim) => (sim.key.public_key(), sim.period_secs, sim.genesis),
            Self::Replay { chain, .. } => (chain.public_key, chain.period_secs, chain.genesis),
        };
        json!({
            "public_key": hex::encode(public_key),
            "period": period,
            "genesis_time": genesis,
            "hash": hex::encode(self.hash()),
            "groupHash": hex::encode(self.hash()),
            "schemeID": "bls-unchained-g1-rfc9380",
            "metadata": {"beaconID": "beacon-simulator"},
        })
    }

    /// The round's signature, if it is served now.
    fn signature(&self, round: Option<u64>) -> Option<(u64, Vec<u8>)> {
        match self {
            Self::Signing(sim) => {
                let latest = sim.latest_round(Utc::now());
                let round = round.unwrap_or(latest);
                (round >= 1 && round <= latest).then(|| (round, sim.key.sign(round).to_vec()))
            }
            Self::Replay { signatures, .. } => match round {
                Some(round) => signatures.get(&round).map(|s| (round, s.clone())),
                None => signatures.last_key_value().map(|(r, s)| (*r, s.clone())),
            },
        }
    }
}

/// Serves `rounds` on `listener` until `shutdown`.
pub async fn serve(
    listener: TcpListener,
    rounds: Rounds,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let router = Router::new()
        .route("/{hash}/info", get(info))
        .route("/{hash}/public/{round}", get(public))
        .with_state(Arc::new(rounds));
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await?;
    Ok(())
}

fn json_response(status: StatusCode, body: serde_json::Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn not_found(what: String) -> Response {
    json_response(StatusCode::NOT_FOUND, json!({ "error": what }))
}

async fn info(State(rounds): State<Arc<Rounds>>, Path(hash): Path<String>) -> Response {
    if hash != hex::encode(rounds.hash()) {
        return not_found(format!("no chain {hash}"));
    }
    json_response(StatusCode::OK, rounds.info())
}

async fn public(
    State(rounds): State<Arc<Rounds>>,
    Path((hash, round)): Path<(String, String)>,
) -> Response {
    if hash != hex::encode(rounds.hash()) {
        return not_found(format!("no chain {hash}"));
    }
    let wanted = match round.as_str() {
        "latest" => None,
        number => match number.parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => {
                return json_response(
                    StatusCode::BAD_REQUEST,
                    json!({"error": format!("{number:?} is not a round")}),
                );
            }
        },
    };
    match rounds.signature(wanted) {
        Some((round, signature)) => json_response(
            StatusCode::OK,
            json!({
                "round": round,
                "randomness": hex::encode(randomness(&signature)),
                "signature": hex::encode(&signature),
            }),
        ),
        None => not_found(format!("round {round} is not available")),
    }
}
