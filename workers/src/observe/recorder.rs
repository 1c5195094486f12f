//! The process's Prometheus recorder, installed once, with histogram
//! buckets suited to each histogram and every metric described.

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use shared::events::{DESCRIPTIONS, Kind};

/// Installs the recorder (labels every metric with `binary`); returns the
/// handle that renders it.
pub fn install(binary: &str) -> anyhow::Result<PrometheusHandle> {
    let seconds = [
        0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
        900.0, 3600.0,
    ];
    let sizes = [
        1.0, 5.0, 10.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0,
    ];
    let handle = PrometheusBuilder::new()
        .add_global_label("binary", binary)
        .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), &seconds)?
        .set_buckets_for_metric(Matcher::Full("prakerja_batch_size".to_owned()), &sizes)?
        .install_recorder()?;
    for (name, kind, help) in DESCRIPTIONS {
        match kind {
            Kind::Counter => metrics::describe_counter!(*name, *help),
            Kind::Gauge => metrics::describe_gauge!(*name, *help),
            Kind::Histogram => metrics::describe_histogram!(*name, *help),
        }
    }
    Ok(handle)
}
