//! The selector's HTTP client for drand's public API, against a local
//! server that serves recorded rounds (the beacon simulator's server in
//! replay mode): the real quicknet round 657413 is fetched past URLs that
//! refuse or never answer, and a forged answer is not believed.

use std::time::Duration;

use workers::beacon::DrandClient;
use workers::beacon_sim::SimKey;

use crate::helpers::beacon::{
    QUICKNET_RANDOMNESS, QUICKNET_ROUND, QUICKNET_SIGNATURE, quicknet_replay, refused_url,
    silent_url,
};

fn client() -> DrandClient {
    DrandClient::new(Duration::from_millis(500)).expect("client")
}

#[tokio::test]
async fn a_recorded_quicknet_round_is_fetched_past_failing_urls_and_verified() {
    let served = quicknet_replay(QUICKNET_SIGNATURE).await;
    let (silent, _silent) = silent_url().await;
    let urls = vec![refused_url().await, silent, served.chain.urls[0].clone()];
    let fetched = client()
        .fetch_round(&served.chain, &urls, QUICKNET_ROUND)
        .await
        .expect("the third URL answers");
    assert_eq!(fetched.round, QUICKNET_ROUND);
    assert_eq!(hex::encode(&fetched.signature), QUICKNET_SIGNATURE);
    assert_eq!(hex::encode(fetched.randomness), QUICKNET_RANDOMNESS);
    assert_eq!(fetched.url, urls[2]);

    // A round the server does not have: every URL's failure is named.
    let error = client()
        .fetch_round(&served.chain, &urls, QUICKNET_ROUND + 1)
        .await
        .expect_err("no URL has it");
    assert_eq!(error.failures.len(), 3, "{error}");
    assert!(error.failures[2].contains("404"), "{error}");
    assert!(
        error.failures[1].contains(&urls[1])
            && error.failures[1].to_lowercase().contains("timed out"),
        "{error}"
    );
}

#[tokio::test]
async fn a_forged_or_corrupted_round_is_not_believed() {
    // A valid G1 point, signed by another key.
    let forged = hex::encode(SimKey::from_seed(b"forger").sign(QUICKNET_ROUND));
    let served = quicknet_replay(&forged).await;
    let error = client()
        .fetch_round(&served.chain, &served.chain.urls, QUICKNET_ROUND)
        .await
        .expect_err("forged");
    assert!(error.to_string().contains("does not verify"), "{error}");

    // One bit flipped in the real signature.
    let mut flipped = hex::decode(QUICKNET_SIGNATURE).expect("hex");
    flipped[20] ^= 0x10;
    let served = quicknet_replay(&hex::encode(flipped)).await;
    let error = client()
        .fetch_round(&served.chain, &served.chain.urls, QUICKNET_ROUND)
        .await
        .expect_err("corrupted");
    assert!(
        error.to_string().contains("does not verify") || error.to_string().contains("G1 point"),
        "{error}"
    );
}

#[tokio::test]
async fn the_simulator_serves_drand_info_and_published_rounds_only() {
    let served = crate::helpers::beacon::test_chain(0).await;
    let sim = served.sim.clone().expect("simulated");
    let base = format!("{}/{}", served.chain.urls[0], served.chain.hash_hex());
    let get = |path: String| async move {
        let response = reqwest::get(path).await.expect("GET");
        let status = response.status().as_u16();
        let body: serde_json::Value = response.json_body().await;
        (status, body)
    };
    let (status, info) = get(format!("{base}/info")).await;
    assert_eq!(status, 200);
    assert_eq!(
        info["public_key"],
        hex::encode(sim.key.public_key()).as_str()
    );
    assert_eq!(info["schemeID"], "bls-unchained-g1-rfc9380");
    assert_eq!(info["genesis_time"], sim.genesis);
    let (status, latest) = get(format!("{base}/public/latest")).await;
    assert_eq!(status, 200);
    let round = latest["round"].as_u64().expect("a round");
    assert!(round >= 10, "ten seconds of rounds: {latest}");
    let signature = hex::decode(latest["signature"].as_str().expect("hex")).expect("hex");
    assert!(shared::beacon::verify_round(&served.chain, round, &signature).is_ok());
    let (status, _) = get(format!("{base}/public/{}", round + 5)).await;
    assert_eq!(status, 404, "a round whose time has not come is not served");
    let (status, _) = get(format!(
        "{}/{}/public/1",
        served.chain.urls[0],
        "00".repeat(32)
    ))
    .await;
    assert_eq!(status, 404, "another chain");
}

trait JsonBody {
    async fn json_body(self) -> serde_json::Value;
}

impl JsonBody for reqwest::Response {
    async fn json_body(self) -> serde_json::Value {
        serde_json::from_slice(&self.bytes().await.expect("body")).expect("JSON")
    }
}
