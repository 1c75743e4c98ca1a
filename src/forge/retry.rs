//! Politeness towards the API: spacing, rate limits, bounded retries.
//!
//! [`Clock`] is injectable so that tests can check waits without sleeping.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Time source and sleeper.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> SystemTime;
    /// Blocks for `duration`.
    fn sleep(&self, duration: Duration);
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// A clock that does not sleep: it advances its own time and records every
/// requested wait. For tests.
#[derive(Debug)]
pub struct ManualClock {
    state: Mutex<(SystemTime, Vec<Duration>)>,
}

impl ManualClock {
    /// A clock starting at `start` seconds after the Unix epoch.
    pub fn at(start_secs: u64) -> ManualClock {
        ManualClock {
            state: Mutex::new((UNIX_EPOCH + Duration::from_secs(start_secs), Vec::new())),
        }
    }

    /// Every wait requested so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.state.lock().map(|s| s.1.clone()).unwrap_or_default()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        self.state.lock().map(|s| s.0).unwrap_or(UNIX_EPOCH)
    }
    fn sleep(&self, duration: Duration) {
        if let Ok(mut s) = self.state.lock() {
            s.0 += duration;
            s.1.push(duration);
        }
    }
}

/// Limits for talking to the API.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// First backoff after a server error; doubled on each retry.
    pub backoff: Duration,
    /// Longest single wait gomend accepts; a longer one is an error instead.
    pub max_wait: Duration,
    /// Least time between two write requests.
    pub spacing: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            backoff: Duration::from_secs(2),
            max_wait: Duration::from_secs(120),
            spacing: Duration::from_secs(1),
        }
    }
}

/// Reads a `Retry-After` value: a number of seconds, or an HTTP date (then
/// the seconds from `now` until it, zero when it has passed).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<u64> {
    let v = value.trim();
    if let Ok(secs) = v.parse() {
        return Some(secs);
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).map_or(0, |d| d.as_secs()))
}

/// The headers of a response that matter for retrying.
#[derive(Clone, Debug, Default)]
pub struct RateHeaders {
    /// `Retry-After`, in seconds.
    pub retry_after: Option<u64>,
    /// `X-RateLimit-Remaining`.
    pub remaining: Option<u64>,
    /// `X-RateLimit-Reset`, seconds since the Unix epoch.
    pub reset: Option<u64>,
}

/// What to do after a response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Use the response.
    Accept,
    /// Wait this long, then send the request again.
    Retry(Duration),
    /// Stop; the text explains why.
    Fail(String),
}

impl RetryPolicy {
    /// Decides what to do after `status` on attempt `attempt` (1-based).
    ///
    /// Retried: 429, and 403 that carries `Retry-After` or an exhausted rate
    /// limit (GitHub's secondary and primary limits), waiting as the headers
    /// say; 500, 502, 503 and 504 with exponential backoff. Any wait longer than
    /// `max_wait`, or a retry past `max_attempts`, fails with a reason.
    pub fn decide(
        &self,
        status: u16,
        headers: &RateHeaders,
        attempt: u32,
        now: SystemTime,
    ) -> Decision {
        let limited = status == 429
            || (status == 403 && (headers.retry_after.is_some() || headers.remaining == Some(0)));
        let wait = if limited {
            if let Some(secs) = headers.retry_after {
                Duration::from_secs(secs)
            } else if let (Some(0), Some(reset)) = (headers.remaining, headers.reset) {
                until(now, reset)
            } else {
                self.backoff * 2u32.saturating_pow(attempt - 1)
            }
        } else if matches!(status, 500 | 502 | 503 | 504) {
            self.backoff * 2u32.saturating_pow(attempt - 1)
        } else {
            return Decision::Accept;
        };
        let what = if limited {
            "rate limited".to_string()
        } else {
            format!("server error {status}")
        };
        if attempt >= self.max_attempts {
            return Decision::Fail(format!("{what}; gave up after {attempt} attempts"));
        }
        if wait > self.max_wait {
            return Decision::Fail(format!(
                "{what}; the API asks to wait {}s, longer than the {}s gomend allows",
                wait.as_secs(),
                self.max_wait.as_secs()
            ));
        }
        Decision::Retry(wait)
    }

    /// How long to wait before the next request when the last response said
    /// the rate limit is used up (`X-RateLimit-Remaining: 0`); `None` otherwise.
    pub fn pause_before_next(&self, headers: &RateHeaders, now: SystemTime) -> Option<Duration> {
        match (headers.remaining, headers.reset) {
            (Some(0), Some(reset)) => Some(until(now, reset)),
            _ => None,
        }
    }
}

fn until(now: SystemTime, reset_epoch: u64) -> Duration {
    let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    Duration::from_secs(reset_epoch.saturating_sub(now) + 1)
}

#[cfg(test)]
mod tests {

    #[test]
    fn retry_after_takes_seconds_or_a_date() {
        let now = UNIX_EPOCH + Duration::from_secs(1_445_412_480); // Wed, 21 Oct 2015 07:28:00 GMT
        assert_eq!(parse_retry_after(" 30 ", now), Some(30));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:45 GMT", now),
            Some(45)
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(0)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    use super::*;

    #[test]
    fn honours_headers_and_bounds() {
        let p = RetryPolicy::default();
        let now = UNIX_EPOCH + Duration::from_secs(1000);
        let ra = RateHeaders {
            retry_after: Some(3),
            ..Default::default()
        };
        assert_eq!(
            p.decide(429, &ra, 1, now),
            Decision::Retry(Duration::from_secs(3))
        );
        let reset = RateHeaders {
            remaining: Some(0),
            reset: Some(1010),
            ..Default::default()
        };
        assert_eq!(
            p.decide(403, &reset, 1, now),
            Decision::Retry(Duration::from_secs(11))
        );
        assert_eq!(
            p.decide(403, &RateHeaders::default(), 1, now),
            Decision::Accept
        );
        assert_eq!(
            p.decide(502, &RateHeaders::default(), 2, now),
            Decision::Retry(Duration::from_secs(4))
        );
        assert!(matches!(
            p.decide(502, &RateHeaders::default(), 4, now),
            Decision::Fail(_)
        ));
        let long = RateHeaders {
            retry_after: Some(3600),
            ..Default::default()
        };
        assert!(matches!(p.decide(429, &long, 1, now), Decision::Fail(_)));
    }
}
