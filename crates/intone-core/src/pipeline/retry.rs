//! Bounded retries with exponential backoff and jitter for transient engine
//! errors ("equal jitter": half the exponential delay plus a random half).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::engines::{EngineError, ErrorKind};

/// How hard to try.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Attempts in total (1 = no retry).
    pub max_attempts: u32,
    /// Delay before the first retry, ms (doubles each time).
    pub base_delay_ms: u64,
    /// Longest delay, ms.
    pub max_delay_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay_ms: 500,
            max_delay_ms: 8_000,
        }
    }
}

impl RetryPolicy {
    /// Delay before retry number `retry` (1-based).
    pub fn delay(&self, retry: u32, rng: &mut fastrand::Rng) -> Duration {
        let exp = self
            .base_delay_ms
            .saturating_mul(1u64 << retry.saturating_sub(1).min(20))
            .min(self.max_delay_ms);
        let half = exp / 2;
        Duration::from_millis(half + rng.u64(0..=half))
    }

    /// Runs `f` until it succeeds, fails permanently, `should_stop` says so,
    /// or attempts run out. Transient failures wait [`RetryPolicy::delay`].
    ///
    /// # Errors
    /// The last error, with the attempt count added for transient ones.
    pub fn run<T>(
        &self,
        should_stop: &dyn Fn() -> bool,
        mut f: impl FnMut() -> Result<T, EngineError>,
    ) -> Result<T, EngineError> {
        let mut rng = fastrand::Rng::new();
        let mut attempt = 1;
        loop {
            match f() {
                Ok(v) => return Ok(v),
                Err(e) if e.kind == ErrorKind::Permanent => return Err(e),
                Err(mut e) => {
                    if attempt >= self.max_attempts.max(1) || should_stop() {
                        e.message = format!("{} (gave up after {attempt} attempts)", e.message);
                        return Err(e);
                    }
                    tracing::warn!(
                        "{e}; retrying (attempt {} of {})",
                        attempt + 1,
                        self.max_attempts
                    );
                    std::thread::sleep(self.delay(attempt, &mut rng));
                    attempt += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_caps() {
        let p = RetryPolicy::default();
        let mut rng = fastrand::Rng::with_seed(1);
        for retry in 1..10 {
            let d = p.delay(retry, &mut rng).as_millis() as u64;
            let exp = (500u64 << (retry - 1)).min(8000);
            assert!(d >= exp / 2 && d <= exp, "retry {retry}: {d}");
        }
    }

    #[test]
    fn transient_errors_retry_then_give_up_and_permanent_do_not() {
        let p = RetryPolicy {
            max_attempts: 3,
            base_delay_ms: 1,
            max_delay_ms: 2,
        };
        let mut calls = 0;
        let r: Result<(), _> = p.run(&|| false, || {
            calls += 1;
            Err(EngineError::transient("x", "busy"))
        });
        assert_eq!(calls, 3);
        assert!(r.expect_err("fails").message.contains("after 3 attempts"));
        let mut calls = 0;
        let _ = p.run::<()>(&|| false, || {
            calls += 1;
            Err(EngineError::permanent("x", "bad"))
        });
        assert_eq!(calls, 1);
        let mut calls = 0;
        let ok = p.run(&|| false, || {
            calls += 1;
            if calls < 2 {
                Err(EngineError::transient("x", "busy"))
            } else {
                Ok(7)
            }
        });
        assert_eq!(ok.expect("ok"), 7);
    }
}
