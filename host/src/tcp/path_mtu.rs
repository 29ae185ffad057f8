//! Path MTUs learnt from ICMP "fragmentation needed" (RFC 1191; Linux's
//! route exceptions, `__ip_rt_update_pmtu`): per destination, the largest
//! packet the path carries with DF set, remembered for `mtu_expires`.
//!
//! Invariants:
//! - An entry's MTU is in `[min_pmtu, link MTU)`: a report at or above what
//!   is known changes nothing, one below `min_pmtu` records `min_pmtu`
//!   (Linux `ip_rt_min_pmtu`, 552), so a forged ICMP cannot shrink segments
//!   to a few bytes.
//! - At most `pmtu_cache_max` entries: when full, the one expiring first makes room
//!   (entries come only from errors that quoted a live connection's
//!   in-flight sequence number, so this bounds even a busy server).
//! - `generation` changes whenever any path's MTU does (a new, lowered,
//!   refreshed-lower or expired entry), so a connection need look its path
//!   up again only when it differs from the one it synced to.

use std::collections::HashMap;
use std::net::Ipv4Addr;

use crate::time::Instant;

use super::config::Config;

#[derive(Clone, Copy, Debug)]
struct Entry {
    mtu: u16,
    expires: Instant,
}

/// The path MTUs known, keyed by destination address.
#[derive(Clone, Debug, Default)]
pub struct PathMtuCache {
    entries: HashMap<Ipv4Addr, Entry>,
    /// Earliest expiry among the entries (so `expire` is one comparison).
    next_expiry: Option<Instant>,
    generation: u32,
}

impl PathMtuCache {
    /// Changes whenever any path's MTU changes.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The MTU towards `dst`: a learnt one, or the link's (`cfg.mtu`).
    /// Entries past their time count as gone even before [`Self::expire`].
    pub fn mtu(&self, dst: Ipv4Addr, now: Instant, cfg: &Config) -> u16 {
        if self.entries.is_empty() {
            return cfg.mtu;
        }
        match self.entries.get(&dst) {
            Some(e) if now < e.expires => e.mtu.min(cfg.mtu),
            _ => cfg.mtu,
        }
    }

    /// An ICMP "fragmentation needed" said the path to `dst` carries at most
    /// `reported` bytes (0 from a pre-RFC 1191 router: as little as allowed).
    /// Returns the path MTU now in force.
    pub fn report(&mut self, dst: Ipv4Addr, reported: u16, now: Instant, cfg: &Config) -> u16 {
        self.expire(now);
        let old = self.mtu(dst, now, cfg);
        if reported > old {
            return old;
        }
        let floor = cfg.min_pmtu.min(cfg.mtu);
        let mtu = if reported < floor {
            floor.min(old)
        } else {
            reported
        };
        if mtu >= cfg.mtu {
            return old;
        }
        let expires = now + cfg.mtu_expires;
        if let Some(e) = self.entries.get_mut(&dst) {
            // Linux refreshes an unchanged entry only once half its time is gone.
            if e.mtu == mtu && now + cfg.mtu_expires / 2 < e.expires {
                return mtu;
            }
            let lowered = mtu < e.mtu;
            e.mtu = mtu;
            e.expires = expires;
            if lowered {
                self.generation = self.generation.wrapping_add(1);
            }
        } else {
            if self.entries.len() >= cfg.pmtu_cache_max.max(1) {
                self.evict_one();
            }
            self.entries.insert(dst, Entry { mtu, expires });
            self.generation = self.generation.wrapping_add(1);
        }
        self.next_expiry = Some(self.next_expiry.map_or(expires, |t| t.min(expires)));
        mtu
    }

    /// Forget entries whose time is up (Linux `ip_rt_mtu_expires`).
    pub fn expire(&mut self, now: Instant) {
        if self.next_expiry.is_none_or(|t| now < t) {
            return;
        }
        let before = self.entries.len();
        self.entries.retain(|_, e| now < e.expires);
        self.next_expiry = self.entries.values().map(|e| e.expires).min();
        if self.entries.len() != before {
            self.generation = self.generation.wrapping_add(1);
        }
    }

    fn evict_one(&mut self) {
        let first = self
            .entries
            .iter()
            .min_by_key(|(_, e)| e.expires)
            .map(|(&a, _)| a);
        if let Some(a) = first {
            self.entries.remove(&a);
        }
    }
}

#[cfg(test)]
mod tests {
    use core::time::Duration;

    use super::*;

    const DST: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);

    fn at(secs: u64) -> Instant {
        Instant::ZERO + Duration::from_secs(secs)
    }

    #[test]
    fn a_report_lowers_the_path_until_it_expires() {
        let cfg = Config::default();
        let mut c = PathMtuCache::default();
        let g0 = c.generation();
        assert_eq!(c.report(DST, 1280, at(0), &cfg), 1280);
        assert_eq!(c.mtu(DST, at(1), &cfg), 1280);
        assert_eq!(c.mtu(Ipv4Addr::new(198, 51, 100, 3), at(1), &cfg), 1500);
        assert_ne!(c.generation(), g0);
        assert_eq!(c.mtu(DST, at(600), &cfg), 1500, "600 s later it is gone");
        let g1 = c.generation();
        c.expire(at(600));
        assert!(c.is_empty());
        assert_ne!(c.generation(), g1);
    }

    #[test]
    fn higher_reports_change_nothing_and_tiny_ones_stop_at_min_pmtu() {
        let cfg = Config::default();
        let mut c = PathMtuCache::default();
        assert_eq!(c.report(DST, 1500, at(0), &cfg), 1500);
        assert_eq!(c.report(DST, 9000, at(0), &cfg), 1500);
        assert!(c.is_empty());
        assert_eq!(c.report(DST, 1400, at(0), &cfg), 1400);
        assert_eq!(c.report(DST, 1450, at(1), &cfg), 1400);
        assert_eq!(c.report(DST, 68, at(2), &cfg), 552);
        assert_eq!(c.report(DST, 0, at(3), &cfg), 552);
        assert_eq!(c.mtu(DST, at(4), &cfg), 552);
    }

    #[test]
    fn the_same_report_refreshes_only_after_half_the_time() {
        let cfg = Config::default();
        let mut c = PathMtuCache::default();
        c.report(DST, 1280, at(0), &cfg);
        c.report(DST, 1280, at(200), &cfg);
        assert_eq!(c.mtu(DST, at(600), &cfg), 1500, "not refreshed at 200 s");
        c.report(DST, 1280, at(0), &cfg);
        c.report(DST, 1280, at(301), &cfg);
        assert_eq!(c.mtu(DST, at(900), &cfg), 1280, "refreshed at 301 s");
    }

    #[test]
    fn a_full_cache_drops_the_entry_expiring_first() {
        let cfg = Config {
            pmtu_cache_max: 3,
            ..Config::default()
        };
        let mut c = PathMtuCache::default();
        for i in 0..3u8 {
            c.report(Ipv4Addr::new(10, 0, 0, i), 1400, at(u64::from(i)), &cfg);
        }
        c.report(Ipv4Addr::new(10, 0, 0, 9), 1400, at(5), &cfg);
        assert_eq!(c.len(), 3);
        assert_eq!(c.mtu(Ipv4Addr::new(10, 0, 0, 0), at(6), &cfg), 1500);
        assert_eq!(c.mtu(Ipv4Addr::new(10, 0, 0, 1), at(6), &cfg), 1400);
        assert_eq!(c.mtu(Ipv4Addr::new(10, 0, 0, 9), at(6), &cfg), 1400);
    }
}
