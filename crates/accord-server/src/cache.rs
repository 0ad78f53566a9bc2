//! Answers that cannot change while the server runs, kept serialized so
//! that reading them costs no database access and no JSON encoding: the
//! model (`GET /api/model`; the data are loaded once at start) and finished
//! runs (`GET /api/runs/{id}` of a `done` run: the store changes a run only
//! while it is queued or running, and a rerun gets a new id). The load test
//! (`bench/load.sh`, `docs/performance.md`) measured why: encoding the model
//! and a stored forecast (≈ 145 KB) on every request held the p99 latency
//! at 50 connections near a second.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, OnceLock};

use accord_store::RunId;
use axum::body::Bytes;

/// At most this many bytes of finished runs are kept (the oldest kept
/// leaves first); a larger run is served from the store every time.
pub const MAX_RUN_BYTES: usize = 64 * 1024 * 1024;

/// The cache of one server process.
#[derive(Debug, Default)]
pub struct Cache {
    model: OnceLock<Bytes>,
    runs: Mutex<Runs>,
}

#[derive(Debug, Default)]
struct Runs {
    order: VecDeque<RunId>,
    bodies: HashMap<RunId, Bytes>,
    bytes: usize,
}

impl Cache {
    /// The model's answer, built by `build` on first use.
    pub fn model<E>(&self, build: impl FnOnce() -> Result<Bytes, E>) -> Result<Bytes, E> {
        if let Some(b) = self.model.get() {
            return Ok(b.clone());
        }
        let body = build()?;
        Ok(self.model.get_or_init(|| body).clone())
    }

    /// A finished run's answer, if kept.
    pub fn run(&self, id: RunId) -> Option<Bytes> {
        let runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
        runs.bodies.get(&id).cloned()
    }

    /// Keeps a finished run's answer (only a run that can no longer change).
    pub fn keep_run(&self, id: RunId, body: Bytes) {
        if body.len() > MAX_RUN_BYTES {
            return;
        }
        let mut runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
        if runs.bodies.contains_key(&id) {
            return;
        }
        while runs.bytes + body.len() > MAX_RUN_BYTES {
            let Some(old) = runs.order.pop_front() else { break };
            if let Some(b) = runs.bodies.remove(&old) {
                runs.bytes -= b.len();
            }
        }
        runs.bytes += body.len();
        runs.order.push_back(id);
        runs.bodies.insert(id, body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_is_built_once() {
        let cache = Cache::default();
        let calls = std::sync::atomic::AtomicUsize::new(0);
        for _ in 0..3 {
            let b = cache
                .model(|| {
                    calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    Ok::<_, ()>(Bytes::from_static(b"{}"))
                })
                .unwrap();
            assert_eq!(&b[..], b"{}");
        }
        assert_eq!(calls.into_inner(), 1);
        // A failed build is not kept.
        let cache = Cache::default();
        assert!(cache.model(|| Err::<Bytes, _>("no")).is_err());
        assert!(cache.model(|| Ok::<_, ()>(Bytes::from_static(b"1"))).is_ok());
    }

    #[test]
    fn runs_are_kept_within_the_byte_bound_oldest_leaving_first() {
        let cache = Cache::default();
        let big = Bytes::from(vec![b'x'; MAX_RUN_BYTES / 2]);
        cache.keep_run(RunId(1), big.clone());
        cache.keep_run(RunId(2), big.clone());
        assert!(cache.run(RunId(1)).is_some() && cache.run(RunId(2)).is_some());
        cache.keep_run(RunId(3), Bytes::from_static(b"{}"));
        assert!(cache.run(RunId(1)).is_none(), "the oldest leaves first");
        assert_eq!(cache.run(RunId(3)).as_deref(), Some(&b"{}"[..]));
        // Too large to keep at all.
        cache.keep_run(RunId(4), Bytes::from(vec![b'x'; MAX_RUN_BYTES + 1]));
        assert!(cache.run(RunId(4)).is_none());
    }
}
