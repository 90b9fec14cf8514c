//! A pool of server URLs for one engine: round-robin over the healthy ones,
//! at most `concurrency` requests in flight per URL (GPU servers serialize),
//! and a URL that failed with a transient error is passed over for a while.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// How long a URL that failed is passed over while others are healthy.
pub const COOL_DOWN: Duration = Duration::from_secs(15);

struct State {
    busy: Vec<usize>,
    down_until: Vec<Option<Instant>>,
}

/// The pool.
pub struct Pool {
    urls: Vec<String>,
    per_url: usize,
    state: Mutex<State>,
    freed: Condvar,
    next: AtomicUsize,
}

/// A slot on one URL; released when dropped.
pub struct Lease<'a> {
    pool: &'a Pool,
    /// Index of the URL.
    pub index: usize,
    /// The URL (base, without a trailing slash).
    pub url: &'a str,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Ok(mut s) = self.pool.state.lock() {
            s.busy[self.index] = s.busy[self.index].saturating_sub(1);
        }
        self.pool.freed.notify_all();
    }
}

impl Pool {
    /// A pool over `urls` with `per_url` concurrent requests each.
    pub fn new(urls: &[String], per_url: usize) -> Self {
        let urls: Vec<String> = urls
            .iter()
            .map(|u| u.trim_end_matches('/').to_string())
            .collect();
        let n = urls.len();
        Self {
            urls,
            per_url: per_url.max(1),
            state: Mutex::new(State {
                busy: vec![0; n],
                down_until: vec![None; n],
            }),
            freed: Condvar::new(),
            next: AtomicUsize::new(0),
        }
    }

    /// The URLs.
    pub fn urls(&self) -> &[String] {
        &self.urls
    }

    /// Waits for a free slot, preferring healthy URLs in round-robin order;
    /// when every URL is cooling down, the next free one is tried anyway.
    pub fn acquire(&self) -> Lease<'_> {
        let n = self.urls.len().max(1);
        let mut s = match self.state.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        loop {
            let now = Instant::now();
            let start = self.next.fetch_add(1, Ordering::Relaxed);
            let order: Vec<usize> = (0..n).map(|k| (start + k) % n).collect();
            let healthy = |s: &State, i: usize| s.down_until[i].is_none_or(|t| t <= now);
            let any_healthy = order.iter().any(|&i| healthy(&s, i));
            let pick = order
                .iter()
                .copied()
                .find(|&i| s.busy[i] < self.per_url && (healthy(&s, i) || !any_healthy));
            if let Some(i) = pick {
                s.busy[i] += 1;
                return Lease {
                    pool: self,
                    index: i,
                    url: &self.urls[i],
                };
            }
            s = match self.freed.wait_timeout(s, Duration::from_millis(500)) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        }
    }

    /// Records how a request to URL `index` went.
    pub fn report(&self, index: usize, healthy: bool) {
        if let Ok(mut s) = self.state.lock() {
            s.down_until[index] = if healthy {
                None
            } else {
                Some(Instant::now() + COOL_DOWN)
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_robin_skips_unhealthy_and_respects_concurrency() {
        let p = Pool::new(&["http://a/".into(), "http://b".into()], 1);
        let a = p.acquire();
        let b = p.acquire();
        assert_ne!(a.index, b.index, "two slots, two URLs");
        assert_eq!(p.urls()[0], "http://a");
        drop(a);
        drop(b);
        p.report(0, false);
        for _ in 0..4 {
            assert_eq!(p.acquire().index, 1, "a is cooling down");
        }
        p.report(1, false);
        // Both down: still tries one rather than blocking forever.
        drop(p.acquire());
        // Once a URL is healthy again it is preferred.
        p.report(0, true);
        for _ in 0..3 {
            assert_eq!(p.acquire().index, 0);
        }
    }

    #[test]
    fn waits_for_a_free_slot() {
        let p = std::sync::Arc::new(Pool::new(&["http://a".into()], 1));
        let l = p.acquire();
        let p2 = p.clone();
        let t = std::thread::spawn(move || {
            let started = Instant::now();
            let _l = p2.acquire();
            started.elapsed()
        });
        std::thread::sleep(Duration::from_millis(100));
        drop(l);
        let waited = t.join().expect("join");
        assert!(waited >= Duration::from_millis(90), "{waited:?}");
    }
}
