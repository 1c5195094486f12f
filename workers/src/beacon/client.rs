//! An HTTP client for drand's public API: `GET {url}/{chain_hash}/public/{round}`
//! answers `{"round": R, "signature": HEX, "randomness": HEX}`. Each URL is
//! tried in turn with a timeout; an answer counts only if it is the round
//! asked for and its signature verifies against the chain's pinned key.

use std::time::Duration;

use serde::Deserialize;
use shared::beacon::{Chain, verify_round};

/// A verified round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub round: u64,
    pub signature: Vec<u8>,
    pub randomness: [u8; 32],
    /// The URL that answered.
    pub url: String,
}

/// Every URL failed; one line per URL.
#[derive(Debug, thiserror::Error)]
#[error("drand round {round} of chain {chain} not fetched: {}", .failures.join("; "))]
pub struct FetchError {
    pub chain: String,
    pub round: u64,
    pub failures: Vec<String>,
}

/// drand's JSON for one round (unchained schemes have no previous signature).
#[derive(Debug, Deserialize)]
struct RoundJson {
    round: u64,
    signature: String,
    #[serde(default)]
    randomness: Option<String>,
}

/// The client (one connection pool for every URL).
#[derive(Debug, Clone)]
pub struct DrandClient {
    http: reqwest::Client,
}

impl DrandClient {
    /// A client whose every request gives up after `timeout`.
    pub fn new(timeout: Duration) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("prakerja/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { http })
    }

    /// One pass over `urls`: the first verified answer for `round`.
    pub async fn fetch_round(
        &self,
        chain: &Chain,
        urls: &[String],
        round: u64,
    ) -> Result<Fetched, FetchError> {
        let mut failures = Vec::new();
        if urls.is_empty() {
            failures.push("no URL is configured for the chain".to_owned());
        }
        for url in urls {
            match self.fetch_from(chain, url, round).await {
                Ok(fetched) => return Ok(fetched),
                Err(error) => {
                    tracing::debug!(url, round, error = %shared::mask::free_text(&format!("{error:#}")), "drand URL failed");
                    failures.push(format!("{url}: {error:#}"));
                }
            }
        }
        Err(FetchError {
            chain: chain.name.clone(),
            round,
            failures,
        })
    }

    async fn fetch_from(&self, chain: &Chain, url: &str, round: u64) -> anyhow::Result<Fetched> {
        let address = format!(
            "{}/{}/public/{round}",
            url.trim_end_matches('/'),
            chain.hash_hex()
        );
        let response = self.http.get(&address).send().await?;
        let status = response.status();
        let body = response.bytes().await?;
        anyhow::ensure!(
            status.is_success(),
            "HTTP {status}{}",
            if status.as_u16() == 404 || status.as_u16() == 425 {
                " (not published yet?)"
            } else {
                ""
            }
        );
        let answer: RoundJson =
            serde_json::from_slice(&body).map_err(|e| anyhow::anyhow!("not a drand round: {e}"))?;
        anyhow::ensure!(
            answer.round == round,
            "answered round {} instead of {round}",
            answer.round
        );
        let signature = hex::decode(answer.signature.trim())
            .map_err(|e| anyhow::anyhow!("signature is not hex: {e}"))?;
        let randomness = verify_round(chain, round, &signature)?;
        if let Some(claimed) = answer.randomness {
            anyhow::ensure!(
                claimed
                    .trim()
                    .eq_ignore_ascii_case(&hex::encode(randomness)),
                "its randomness is not the SHA-256 of its signature"
            );
        }
        Ok(Fetched {
            round,
            signature,
            randomness,
            url: url.to_owned(),
        })
    }
}

/// Where to fetch a wave's rounds: the URLs frozen with its chain, then
/// those configured now for the same chain (a mirror added later).
pub fn urls_for(frozen: &Chain, configured: &[Chain]) -> Vec<String> {
    let mut urls = frozen.urls.clone();
    for chain in configured.iter().filter(|c| c.same_chain(frozen)) {
        for url in &chain.urls {
            if !urls.contains(url) {
                urls.push(url.clone());
            }
        }
    }
    urls
}
