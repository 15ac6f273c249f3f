//! Rate limits on logins (per address, per account) and API calls (per token): a token bucket
//! per key with a bounded number of keys. Apart because it holds state across requests.

use super::EdgeState;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::Instant;

impl EdgeState {
    /// One login attempt from `ip`; `Err(seconds to wait)` over the limit.
    pub fn login_from(&self, ip: IpAddr) -> Result<(), u64> {
        match &self.by_address {
            Some(l) => l.take(&address_key(ip), Instant::now()),
            None => Ok(()),
        }
    }

    /// One login attempt for `username`; `Err(seconds to wait)` over the limit.
    pub fn login_as(&self, username: &str) -> Result<(), u64> {
        match &self.by_account {
            Some(l) => l.take(&username.to_string(), Instant::now()),
            None => Ok(()),
        }
    }

    /// One API call with the token whose hash is `token_hash`; `Err(seconds)` over the limit.
    pub fn api_call(&self, token_hash: &str) -> Result<(), u64> {
        match &self.by_token {
            Some(l) => l.take(&token_hash.to_string(), Instant::now()),
            None => Ok(()),
        }
    }
}

/// One key per IPv4 address, one per IPv6 /64 (what one subscriber usually holds).
fn address_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// A token bucket per key: `per_minute` tokens, refilled evenly over the minute, so a burst of
/// `per_minute` passes and then one every `60 / per_minute` seconds. At most `keys` keys are
/// kept; when full, the buckets that have refilled are dropped first (they hold nothing), then
/// the least recently seen.
pub struct Limiter<K> {
    per_minute: u32,
    keys: usize,
    buckets: Mutex<HashMap<K, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    pub fn new(per_minute: u32, keys: usize) -> Limiter<K> {
        Limiter {
            per_minute: per_minute.max(1),
            keys: keys.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn burst(&self) -> f64 {
        f64::from(self.per_minute)
    }

    fn per_second(&self) -> f64 {
        self.burst() / 60.0
    }

    fn refilled(&self, b: &Bucket, now: Instant) -> f64 {
        let earned = now.saturating_duration_since(b.at).as_secs_f64() * self.per_second();
        (b.tokens + earned).min(self.burst())
    }

    /// Takes a token for `key`; `Err(seconds until one is there)` when there is none.
    pub fn take(&self, key: &K, now: Instant) -> Result<(), u64> {
        let mut map = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if !map.contains_key(key) && map.len() >= self.keys {
            let full = self.burst();
            map.retain(|_, b| self.refilled(b, now) < full);
            if map.len() >= self.keys
                && let Some(oldest) = map.iter().min_by_key(|(_, b)| b.at).map(|(k, _)| k.clone())
            {
                map.remove(&oldest);
            }
        }
        let fresh = Bucket {
            tokens: self.burst(),
            at: now,
        };
        let b = map.entry(key.clone()).or_insert(fresh);
        let tokens = self.refilled(b, now);
        b.at = now;
        if tokens >= 1.0 {
            b.tokens = tokens - 1.0;
            Ok(())
        } else {
            b.tokens = tokens;
            let wait = ((1.0 - tokens) / self.per_second()).ceil();
            Err(if wait >= 1.0 { wait as u64 } else { 1 })
        }
    }

    /// How many keys are kept now.
    pub fn len(&self) -> usize {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
