//! How often this host may send ICMP errors, limited as Linux limits them:
//! a token bucket over all destinations (`icmp_global_allow`), then one per
//! destination (`inet_peer_xrlim_allow`). Echo replies are not limited (Linux
//! `icmp_ratemask` leaves echo out).
//!
//! Invariants:
//! - The global bucket holds at most `msgs_burst` credits and gains
//!   `msgs_per_sec` a second, in steps of at least 20 ms and at most one
//!   second's worth at once; an error spends one credit (Linux spends 0–2 at
//!   random, one on average, so that the limit cannot be probed exactly).
//! - A destination's bucket holds at most `ICMP_RATELIMIT_BURST × ratelimit`
//!   of time and an error spends `ratelimit`; a destination not remembered
//!   has a full bucket.
//! - At most `ratelimit_peers` destinations are remembered; one with a full
//!   bucket is forgotten first (nothing changes for it), else the one that was
//!   sent to longest ago.

use std::collections::HashMap;
use std::time::Duration;

use crate::time::Instant;
use crate::wire::Ipv4Address;

use super::config::{ICMP_RATELIMIT_BURST, IcmpConfig};

/// Linux refills the global bucket no more often than every `HZ / 50`.
const GLOBAL_REFILL_STEP: Duration = Duration::from_millis(20);

#[derive(Debug, Default)]
pub(crate) struct IcmpRateLimit {
    credit: u32,
    /// When the global bucket was last refilled; `None`: never (it is full).
    stamp: Option<Instant>,
    peers: HashMap<Ipv4Address, PeerBucket>,
}

#[derive(Clone, Copy, Debug)]
struct PeerBucket {
    tokens: Duration,
    last: Instant,
}

impl IcmpRateLimit {
    /// May an error go to `dst` now? Spends the credit if so.
    pub fn allow(&mut self, now: Instant, cfg: &IcmpConfig, dst: Ipv4Address) -> bool {
        self.global_allow(now, cfg) && self.peer_allow(now, cfg, dst)
    }

    fn global_allow(&mut self, now: Instant, cfg: &IcmpConfig) -> bool {
        let elapsed = match self.stamp {
            None => Duration::from_secs(1),
            Some(stamp) => now
                .saturating_duration_since(stamp)
                .min(Duration::from_secs(1)),
        };
        if elapsed >= GLOBAL_REFILL_STEP {
            let incr = u64::from(cfg.msgs_per_sec) * elapsed.as_micros() as u64 / 1_000_000;
            if incr > 0 {
                self.stamp = Some(now);
                self.credit = u64::from(self.credit)
                    .saturating_add(incr)
                    .min(u64::from(cfg.msgs_burst)) as u32;
            }
        }
        if self.credit == 0 {
            return false;
        }
        self.credit -= 1;
        true
    }

    fn peer_allow(&mut self, now: Instant, cfg: &IcmpConfig, dst: Ipv4Address) -> bool {
        let cap = cfg.ratelimit.saturating_mul(ICMP_RATELIMIT_BURST);
        if !self.peers.contains_key(&dst) {
            self.make_room(now, cap, cfg.ratelimit_peers);
        }
        let bucket = self.peers.entry(dst).or_insert(PeerBucket {
            tokens: cap,
            last: now,
        });
        bucket.tokens = bucket
            .tokens
            .saturating_add(now.saturating_duration_since(bucket.last))
            .min(cap);
        bucket.last = now;
        if bucket.tokens < cfg.ratelimit {
            return false;
        }
        bucket.tokens -= cfg.ratelimit;
        true
    }

    /// Forget destinations until one more fits in `max`.
    fn make_room(&mut self, now: Instant, cap: Duration, max: usize) {
        if self.peers.len() < max {
            return;
        }
        self.peers.retain(|_, b| {
            b.tokens
                .saturating_add(now.saturating_duration_since(b.last))
                < cap
        });
        while self.peers.len() >= max.max(1) {
            let Some(oldest) = self
                .peers
                .iter()
                .min_by_key(|(_, b)| b.last)
                .map(|(a, _)| *a)
            else {
                break;
            };
            self.peers.remove(&oldest);
        }
    }

    /// Destinations remembered.
    #[cfg(test)]
    fn peers(&self) -> usize {
        self.peers.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Ipv4Address = Ipv4Address::new(10, 0, 0, 1);
    const B: Ipv4Address = Ipv4Address::new(10, 0, 0, 2);

    /// The `i`th address of 10.0.0.0/8.
    fn host(i: u32) -> Ipv4Address {
        Ipv4Address::from(core::net::Ipv4Addr::from(0x0a00_0000 + i))
    }

    fn sent_in_a_row(
        l: &mut IcmpRateLimit,
        cfg: &IcmpConfig,
        now: Instant,
        dst: Ipv4Address,
    ) -> usize {
        (0..100).take_while(|_| l.allow(now, cfg, dst)).count()
    }

    #[test]
    fn one_destination_gets_a_burst_of_six_then_one_a_second() {
        let cfg = IcmpConfig::default();
        let mut l = IcmpRateLimit::default();
        let t = Instant::from_secs(100);
        assert_eq!(sent_in_a_row(&mut l, &cfg, t, A), 6);
        assert!(!l.allow(t + Duration::from_millis(999), &cfg, A));
        assert!(l.allow(t + Duration::from_millis(1000), &cfg, A));
        assert!(!l.allow(t + Duration::from_millis(1500), &cfg, A));
        // Another destination has its own bucket.
        assert_eq!(
            sent_in_a_row(&mut l, &cfg, t + Duration::from_millis(1500), B),
            6
        );
        // Six idle seconds refill the bucket, and no more than that.
        let later = t + Duration::from_secs(60);
        assert_eq!(sent_in_a_row(&mut l, &cfg, later, A), 6);
    }

    #[test]
    fn all_destinations_share_a_burst_of_fifty_refilled_at_a_thousand_a_second() {
        let cfg = IcmpConfig::default();
        let mut l = IcmpRateLimit::default();
        let t = Instant::from_secs(100);
        let sent = (0..200u32)
            .filter(|i| l.allow(t, &cfg, host(0x1000 + i)))
            .count();
        assert_eq!(sent, 50);
        // 10 ms is under Linux's refill step: nothing yet.
        assert!(!l.allow(
            t + Duration::from_millis(10),
            &cfg,
            Ipv4Address::new(10, 9, 9, 9)
        ));
        // 20 ms buys 20 credits.
        let t2 = t + Duration::from_millis(20);
        let sent = (0..200u32)
            .filter(|i| l.allow(t2, &cfg, host(0x2000 + i)))
            .count();
        assert_eq!(sent, 20);
    }

    #[test]
    fn extreme_settings_neither_panic_nor_misbehave() {
        let t = Instant::from_secs(100);
        let huge = IcmpConfig {
            ratelimit: Duration::MAX,
            msgs_per_sec: u32::MAX,
            msgs_burst: u32::MAX,
            ratelimit_peers: 0,
            ..IcmpConfig::default()
        };
        let mut l = IcmpRateLimit::default();
        // A bucket of "forever" holds one interval of "forever": one error, then none.
        assert!(l.allow(t, &huge, A));
        assert!(!l.allow(Instant::MAX, &huge, A));
        assert!(l.peers() <= 1);
        let none = IcmpConfig {
            ratelimit: Duration::ZERO,
            msgs_burst: 0,
            ..IcmpConfig::default()
        };
        assert!(!IcmpRateLimit::default().allow(t, &none, A));
        let free = IcmpConfig {
            ratelimit: Duration::ZERO,
            ..IcmpConfig::default()
        };
        assert_eq!(
            sent_in_a_row(&mut IcmpRateLimit::default(), &free, t, B),
            50
        );
    }

    #[test]
    fn the_destination_table_is_bounded_and_forgets_the_oldest() {
        let cfg = IcmpConfig {
            ratelimit_peers: 4,
            msgs_burst: 1000,
            ..IcmpConfig::default()
        };
        let mut l = IcmpRateLimit::default();
        let t = Instant::from_secs(100);
        for i in 0..6u32 {
            let at = t + Duration::from_millis(u64::from(i));
            assert!(l.allow(at, &cfg, host(i)));
            assert!(l.peers() <= 4);
        }
        // A forgotten destination starts again with a full burst.
        let now = t + Duration::from_millis(10);
        assert_eq!(sent_in_a_row(&mut l, &cfg, now, host(0)), 6);
    }
}
