//! Which supervised RabbitMQ sessions this process runs, and which of them
//! are connected right now: what a worker's `/readyz` reports. Every session
//! goes through [`supervise`](super::supervise), which registers it for its
//! life and marks it live from the moment it is connected until it ends.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT: AtomicU64 = AtomicU64::new(0);
static SESSIONS: Mutex<BTreeMap<u64, (String, bool)>> = Mutex::new(BTreeMap::new());

/// A registered session; unregistered when dropped.
#[derive(Debug)]
pub struct Session {
    id: u64,
}

/// Registers a session named `name`, not connected yet.
pub fn register(name: &str) -> Session {
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    lock().insert(id, (name.to_owned(), false));
    Session { id }
}

impl Session {
    /// Marks the session connected (`true`) or not.
    pub fn set_live(&self, live: bool) {
        if let Some(entry) = lock().get_mut(&self.id) {
            entry.1 = live;
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        lock().remove(&self.id);
    }
}

/// Every registered session: its name and whether it is connected.
pub fn snapshot() -> Vec<(String, bool)> {
    lock().values().cloned().collect()
}

fn lock() -> std::sync::MutexGuard<'static, BTreeMap<u64, (String, bool)>> {
    // A panic while holding this lock cannot leave it inconsistent.
    SESSIONS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
