//! The HTTP endpoint of a worker: `/metrics`, `/healthz`, `/readyz`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;
use shared::config::{MetricsBinary, MetricsSettings};
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::health::readiness;
use super::samplers::Samplers;

/// What a worker's endpoint watches.
#[derive(Debug, Clone)]
pub struct Observed {
    pub binary: MetricsBinary,
    /// The database, checked by `/readyz` and read by the samplers.
    pub pool: Option<PgPool>,
    /// Whether the binary consumes or relays (`/readyz` needs its sessions).
    pub amqp: bool,
}

/// Serves a worker's endpoint: its database, and its RabbitMQ sessions.
pub async fn start_worker(
    app: &crate::app::App,
    binary: MetricsBinary,
    shutdown: CancellationToken,
) -> anyhow::Result<Option<SocketAddr>> {
    let observed = Observed {
        binary,
        pool: Some(app.pool.clone()),
        amqp: true,
    };
    start(&app.settings.metrics, observed, shutdown).await
}

struct Endpoint {
    handle: PrometheusHandle,
    observed: Observed,
    samplers: tokio::sync::Mutex<Samplers>,
}

/// Installs the recorder and serves the endpoint until `shutdown`; returns
/// the bound address (`None` when `metrics.enabled` is false). A port that
/// cannot be bound is an error: a worker nobody can watch should not start.
pub async fn start(
    settings: &MetricsSettings,
    observed: Observed,
    shutdown: CancellationToken,
) -> anyhow::Result<Option<SocketAddr>> {
    if !settings.enabled {
        tracing::info!("metrics and health disabled (metrics.enabled = false)");
        return Ok(None);
    }
    let address = settings.address(observed.binary);
    let listener = TcpListener::bind(address).await.with_context(|| {
        format!(
            "serving metrics on {address} (metrics.listen or metrics.{})",
            observed.binary.name().replace('-', "_")
        )
    })?;
    let bound = listener.local_addr()?;
    let handle = super::recorder::install(observed.binary.name())?;
    let endpoint = Arc::new(Endpoint {
        handle: handle.clone(),
        samplers: tokio::sync::Mutex::new(Samplers::for_binary(observed.binary)),
        observed,
    });
    let router = Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready))
        .with_state(endpoint);
    let stop = shutdown.clone();
    tokio::spawn(async move {
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(stop.cancelled_owned())
            .await;
        if let Err(error) = served {
            tracing::error!(%error, "the metrics endpoint failed");
        }
    });
    // Histograms are drained into their buckets by upkeep.
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(Duration::from_secs(5)) => handle.run_upkeep(),
            }
        }
    });
    if let Some(path) = &settings.address_file {
        let partial = path.with_extension("partial");
        std::fs::write(&partial, bound.to_string())
            .with_context(|| format!("writing {}", partial.display()))?;
        std::fs::rename(&partial, path).with_context(|| format!("writing {}", path.display()))?;
    }
    tracing::info!(addr = %bound, "serving metrics and health: /metrics, /healthz, /readyz");
    Ok(Some(bound))
}

async fn metrics(State(endpoint): State<Arc<Endpoint>>) -> Response {
    if let Some(pool) = &endpoint.observed.pool {
        endpoint.samplers.lock().await.sample(pool).await;
    }
    endpoint.handle.run_upkeep();
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        endpoint.handle.render(),
    )
        .into_response()
}

async fn ready(State(endpoint): State<Arc<Endpoint>>) -> Response {
    let observed = &endpoint.observed;
    let found = readiness(observed.pool.as_ref(), observed.amqp).await;
    let status = if found.ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = serde_json::to_string(&found).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}
