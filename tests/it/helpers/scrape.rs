//! A worker process's metrics endpoint: its address (from the file the
//! worker writes once listening), its pages, and values of its metrics.

use std::path::Path;
use std::time::Duration;

use crate::helpers::eventually_async;

/// The address a worker wrote to `file` (`metrics.address_file`).
pub async fn address(file: &Path) -> String {
    eventually_async(
        "the worker's metrics address",
        Duration::from_secs(60),
        || async { std::fs::read_to_string(file).ok().filter(|a| !a.is_empty()) },
    )
    .await
}

/// GET `path` of the endpoint: its status and body (`None`: no answer).
pub async fn get(address: &str, path: &str) -> Option<(u16, String)> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("an HTTP client");
    let response = client
        .get(format!("http://{address}{path}"))
        .send()
        .await
        .ok()?;
    let status = response.status().as_u16();
    Some((status, response.text().await.ok()?))
}

/// The value of `name` with (at least) `labels` in a Prometheus text page.
pub fn value(page: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    page.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            let (series, number) = line.rsplit_once(' ')?;
            let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
            if metric != name {
                return None;
            }
            let all = labels
                .iter()
                .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\"")));
            all.then(|| number.parse().ok()).flatten()
        })
}

/// Polls the endpoint until `name{labels}` reads `expected`.
pub async fn wait_for(address: &str, name: &str, labels: &[(&str, &str)], expected: f64) {
    let what = format!("{name}{labels:?} = {expected}");
    eventually_async(&what, Duration::from_secs(60), || async {
        let (_, page) = get(address, "/metrics").await?;
        (value(&page, name, labels) == Some(expected)).then_some(())
    })
    .await
}
