//! A worker's tasks, joined: the first that fails (or panics) cancels the
//! others, and the worker stops with its error.

use std::future::Future;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// The tasks of one worker.
pub struct Tasks {
    worker: &'static str,
    set: JoinSet<anyhow::Result<()>>,
}

impl Tasks {
    /// An empty set for the worker named `worker` (in logs).
    pub fn new(worker: &'static str) -> Self {
        Self {
            worker,
            set: JoinSet::new(),
        }
    }

    /// Starts a task.
    pub fn spawn<F>(&mut self, task: F)
    where
        F: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        self.set.spawn(task);
    }

    /// Waits for every task; on the first failure or panic cancels
    /// `shutdown` (so the others stop) and returns that error at the end.
    pub async fn join(mut self, shutdown: &CancellationToken) -> anyhow::Result<()> {
        tracing::info!("{} started", self.worker);
        let mut result = Ok(());
        while let Some(joined) = self.set.join_next().await {
            let error = match joined {
                Ok(Ok(())) => continue,
                Ok(Err(error)) => error,
                Err(panic) => anyhow::anyhow!("a {} task panicked: {panic}", self.worker),
            };
            tracing::error!(error = %shared::mask::free_text(&format!("{error:#}")), "a {} task failed; stopping", self.worker);
            shutdown.cancel();
            if result.is_ok() {
                result = Err(error);
            }
        }
        tracing::info!("{} stopped", self.worker);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_failing_task_stops_the_others_and_is_returned() {
        let shutdown = CancellationToken::new();
        let mut tasks = Tasks::new("test worker");
        let waiting = shutdown.clone();
        tasks.spawn(async move {
            waiting.cancelled().await;
            Ok(())
        });
        tasks.spawn(async { Err(anyhow::anyhow!("broken")) });
        let error = tasks.join(&shutdown).await.unwrap_err();
        assert_eq!(error.to_string(), "broken");
        assert!(shutdown.is_cancelled());
    }

    #[tokio::test]
    async fn a_panicking_task_is_an_error() {
        let shutdown = CancellationToken::new();
        let mut tasks = Tasks::new("test worker");
        tasks.spawn(async { panic!("boom") });
        let error = tasks.join(&shutdown).await.unwrap_err();
        assert!(error.to_string().contains("panicked"), "{error}");
        assert!(shutdown.is_cancelled());
    }

    #[tokio::test]
    async fn tasks_that_end_well_end_well() {
        let shutdown = CancellationToken::new();
        let mut tasks = Tasks::new("test worker");
        tasks.spawn(async { Ok(()) });
        tasks.join(&shutdown).await.unwrap();
        assert!(!shutdown.is_cancelled());
    }
}
