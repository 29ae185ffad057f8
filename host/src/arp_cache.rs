//! ARP cache: IPv4 → Ethernet address, with expiry and rate-limited lookups
//! (SPEC W1).
//!
//! Sans-IO: the cache never reads a clock or sends a frame. Every call takes
//! `now`; a [`Lookup::SendRequest`] answer tells the caller to send an ARP
//! request, and the cache records that it did.
//!
//! Invariants:
//! - At most `capacity` entries, resolved and pending together. Inserting into
//!   a full cache evicts an expired entry if there is one, else a pending one,
//!   else the resolved entry closest to expiry.
//! - At most `max_pending` unresolved addresses at once, and at most one request
//!   per address per `request_interval`: a flood of packets to unknown (or
//!   spoofed) on-link addresses costs a bounded number of ARP requests.
//! - Only unicast addresses are stored: an ARP packet claiming a broadcast or
//!   multicast address, or the unspecified IP, is ignored (RFC 1812 §3.3.2:
//!   a router "MUST not believe any ARP reply that claims that the Link Layer
//!   address of another host or router is a broadcast or multicast address").
//! - A resolved entry is valid for `entry_lifetime` after it was filled; after
//!   that it is gone and the next lookup starts a new resolution.

use core::time::Duration;
use std::collections::HashMap;

use crate::time::Instant;
use crate::wire::{EthernetAddress, Ipv4Address};

/// Tunables, with defaults after Linux's neighbour table where it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArpCacheConfig {
    /// Most entries held (Linux `gc_thresh3` is 1024; a NIC talks to fewer).
    pub capacity: usize,
    /// How long a learned address stays valid.
    pub entry_lifetime: Duration,
    /// Least time between two requests for one address (Linux `retrans_time_ms`, 1 s).
    pub request_interval: Duration,
    /// Requests sent before an address is declared unreachable (Linux `mcast_solicit`, 3).
    pub max_requests: u32,
    /// How long an unreachable address stays so before a new round of requests.
    pub failure_hold: Duration,
    /// Most addresses being resolved at once.
    pub max_pending: usize,
}

impl Default for ArpCacheConfig {
    fn default() -> Self {
        ArpCacheConfig {
            capacity: 256,
            entry_lifetime: Duration::from_secs(60),
            request_interval: Duration::from_secs(1),
            max_requests: 3,
            failure_hold: Duration::from_secs(3),
            max_pending: 32,
        }
    }
}

/// The answer to [`ArpCache::lookup`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// The address is resolved.
    Found(EthernetAddress),
    /// Send an ARP request for the address now; the cache has recorded it.
    SendRequest,
    /// A request is outstanding; wait for the reply (or the next interval).
    Pending,
    /// `max_requests` requests went unanswered; the address is unreachable
    /// until `failure_hold` has passed.
    Unreachable,
    /// Too many addresses are being resolved; nothing was sent or recorded.
    RateLimited,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    Resolved {
        mac: EthernetAddress,
        expires_at: Instant,
    },
    Pending {
        last_request: Instant,
        requests: u32,
    },
}

/// A bounded IPv4 → Ethernet address cache.
#[derive(Debug, Clone)]
pub struct ArpCache {
    config: ArpCacheConfig,
    entries: HashMap<Ipv4Address, Entry>,
}

impl ArpCache {
    pub fn new(config: ArpCacheConfig) -> Self {
        ArpCache {
            config,
            entries: HashMap::with_capacity(config.capacity),
        }
    }

    pub fn config(&self) -> &ArpCacheConfig {
        &self.config
    }

    /// Entries held, resolved and pending.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The resolved address for `ip` at `now`, without side effects.
    pub fn get(&self, ip: &Ipv4Address, now: Instant) -> Option<EthernetAddress> {
        match self.entries.get(ip) {
            Some(Entry::Resolved { mac, expires_at }) if now < *expires_at => Some(*mac),
            _ => None,
        }
    }

    /// Resolve `ip` for sending a packet at `now`.
    pub fn lookup(&mut self, ip: &Ipv4Address, now: Instant) -> Lookup {
        let cfg = self.config;
        match self.entries.get_mut(ip) {
            Some(Entry::Resolved { mac, expires_at }) => {
                if now < *expires_at {
                    return Lookup::Found(*mac);
                }
                self.entries.remove(ip);
            }
            Some(Entry::Pending {
                last_request,
                requests,
            }) => {
                let since = now - *last_request;
                if *requests < cfg.max_requests {
                    if since < cfg.request_interval {
                        return Lookup::Pending;
                    }
                    *requests += 1;
                    *last_request = now;
                    return Lookup::SendRequest;
                }
                // The last request gets its interval to be answered, then the
                // address is unreachable for `failure_hold`.
                if since < cfg.request_interval {
                    return Lookup::Pending;
                }
                if since < cfg.request_interval.saturating_add(cfg.failure_hold) {
                    return Lookup::Unreachable;
                }
                *requests = 1;
                *last_request = now;
                return Lookup::SendRequest;
            }
            None => {}
        }
        if !ip.is_unicast() || cfg.capacity == 0 {
            return Lookup::Unreachable;
        }
        if self.pending_count() >= cfg.max_pending {
            return Lookup::RateLimited;
        }
        self.make_room(now);
        self.entries.insert(
            *ip,
            Entry::Pending {
                last_request: now,
                requests: 1,
            },
        );
        Lookup::SendRequest
    }

    /// Learn that `ip` is at `mac` (an ARP reply to us, or a request that
    /// targets us: RFC 826's "?Am I the target protocol address? ... add the
    /// triplet"). Returns whether it was stored.
    pub fn fill(&mut self, ip: Ipv4Address, mac: EthernetAddress, now: Instant) -> bool {
        if !ip.is_unicast() || !mac.is_unicast() || mac == EthernetAddress::UNSPECIFIED {
            return false;
        }
        if self.config.capacity == 0 {
            return false;
        }
        if !self.entries.contains_key(&ip) {
            self.make_room(now);
        }
        self.entries.insert(
            ip,
            Entry::Resolved {
                mac,
                expires_at: now + self.config.entry_lifetime,
            },
        );
        true
    }

    /// RFC 826 merge step: "If the pair <protocol type, sender protocol
    /// address> is already in my translation table, update the sender hardware
    /// address field". Refreshes only an existing entry (resolved or pending),
    /// so ARP traffic between other hosts cannot fill the cache. Returns
    /// whether it updated.
    pub fn update_if_present(
        &mut self,
        ip: Ipv4Address,
        mac: EthernetAddress,
        now: Instant,
    ) -> bool {
        if self.entries.contains_key(&ip) {
            self.fill(ip, mac, now)
        } else {
            false
        }
    }

    pub fn remove(&mut self, ip: &Ipv4Address) {
        self.entries.remove(ip);
    }

    /// Drop expired resolved entries and abandoned pending ones.
    pub fn purge(&mut self, now: Instant) {
        let cfg = self.config;
        self.entries.retain(|_, e| !Self::is_stale(&cfg, e, now));
    }

    /// Resolved entries valid at `now`: `(ip, mac, expires_at)`, in no order.
    pub fn resolved(
        &self,
        now: Instant,
    ) -> impl Iterator<Item = (Ipv4Address, EthernetAddress, Instant)> + '_ {
        self.entries.iter().filter_map(move |(ip, e)| match e {
            Entry::Resolved { mac, expires_at } if now < *expires_at => {
                Some((*ip, *mac, *expires_at))
            }
            _ => None,
        })
    }

    fn pending_count(&self) -> usize {
        self.entries
            .values()
            .filter(|e| matches!(e, Entry::Pending { .. }))
            .count()
    }

    /// An entry no lookup would use any more: expired, or pending past its
    /// whole failure cycle.
    fn is_stale(cfg: &ArpCacheConfig, entry: &Entry, now: Instant) -> bool {
        match entry {
            Entry::Resolved { expires_at, .. } => now >= *expires_at,
            Entry::Pending { last_request, .. } => {
                now - *last_request >= cfg.request_interval.saturating_add(cfg.failure_hold)
            }
        }
    }

    /// Free one slot if the cache is full.
    fn make_room(&mut self, now: Instant) {
        if self.entries.len() < self.config.capacity {
            return;
        }
        let cfg = self.config;
        // Rank: stale first, then pending (oldest request first), then the
        // resolved entry closest to expiry.
        let victim = self
            .entries
            .iter()
            .min_by_key(|(_, e)| match e {
                _ if Self::is_stale(&cfg, e, now) => (0u8, Instant::ZERO),
                Entry::Pending { last_request, .. } => (1, *last_request),
                Entry::Resolved { expires_at, .. } => (2, *expires_at),
            })
            .map(|(ip, _)| *ip);
        if let Some(ip) = victim {
            self.entries.remove(&ip);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: Ipv4Address = Ipv4Address::new(10, 0, 0, 2);
    const MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 2]);

    fn secs(s: u64) -> Instant {
        Instant::from_secs(s)
    }

    fn ms(m: u64) -> Instant {
        Instant::from_millis(m)
    }

    #[test]
    fn fill_then_found_until_expiry() {
        let mut c = ArpCache::new(ArpCacheConfig::default());
        assert!(c.fill(IP, MAC, secs(0)));
        assert_eq!(c.lookup(&IP, secs(59)), Lookup::Found(MAC));
        assert_eq!(c.get(&IP, secs(59)), Some(MAC));
        // Lifetime 60 s: at 60 s the entry is gone and resolution restarts.
        assert_eq!(c.get(&IP, secs(60)), None);
        assert_eq!(c.lookup(&IP, secs(60)), Lookup::SendRequest);
    }

    #[test]
    fn requests_are_rate_limited_per_address_then_unreachable() {
        let mut c = ArpCache::new(ArpCacheConfig::default());
        assert_eq!(c.lookup(&IP, ms(0)), Lookup::SendRequest);
        assert_eq!(c.lookup(&IP, ms(500)), Lookup::Pending);
        assert_eq!(c.lookup(&IP, ms(999)), Lookup::Pending);
        assert_eq!(c.lookup(&IP, ms(1000)), Lookup::SendRequest);
        assert_eq!(c.lookup(&IP, ms(1500)), Lookup::Pending);
        assert_eq!(c.lookup(&IP, ms(2000)), Lookup::SendRequest);
        // Three requests sent; the third gets its second to be answered.
        assert_eq!(c.lookup(&IP, ms(2500)), Lookup::Pending);
        assert_eq!(c.lookup(&IP, ms(3000)), Lookup::Unreachable);
        assert_eq!(c.lookup(&IP, ms(5999)), Lookup::Unreachable);
        // failure_hold (3 s) over: a new round.
        assert_eq!(c.lookup(&IP, ms(6000)), Lookup::SendRequest);
    }

    #[test]
    fn reply_resolves_a_pending_lookup() {
        let mut c = ArpCache::new(ArpCacheConfig::default());
        assert_eq!(c.lookup(&IP, ms(0)), Lookup::SendRequest);
        assert!(c.update_if_present(IP, MAC, ms(10)));
        assert_eq!(c.lookup(&IP, ms(20)), Lookup::Found(MAC));
    }

    #[test]
    fn update_if_present_ignores_strangers() {
        let mut c = ArpCache::new(ArpCacheConfig::default());
        assert!(!c.update_if_present(IP, MAC, ms(0)));
        assert!(c.is_empty());
        c.fill(IP, MAC, ms(0));
        let new_mac = EthernetAddress([0x02, 0, 0, 0, 0, 9]);
        assert!(c.update_if_present(IP, new_mac, ms(1)));
        assert_eq!(c.get(&IP, ms(2)), Some(new_mac));
    }

    #[test]
    fn too_many_pending_is_rate_limited() {
        let cfg = ArpCacheConfig {
            max_pending: 2,
            ..ArpCacheConfig::default()
        };
        let mut c = ArpCache::new(cfg);
        assert_eq!(
            c.lookup(&Ipv4Address::new(10, 0, 0, 1), ms(0)),
            Lookup::SendRequest
        );
        assert_eq!(
            c.lookup(&Ipv4Address::new(10, 0, 0, 2), ms(0)),
            Lookup::SendRequest
        );
        assert_eq!(
            c.lookup(&Ipv4Address::new(10, 0, 0, 3), ms(0)),
            Lookup::RateLimited
        );
        assert_eq!(c.len(), 2);
        // Once one resolves, there is room again.
        c.fill(Ipv4Address::new(10, 0, 0, 1), MAC, ms(1));
        assert_eq!(
            c.lookup(&Ipv4Address::new(10, 0, 0, 3), ms(2)),
            Lookup::SendRequest
        );
    }

    #[test]
    fn bounded_size_evicts_pending_then_soonest_expiring() {
        let cfg = ArpCacheConfig {
            capacity: 3,
            ..ArpCacheConfig::default()
        };
        let mut c = ArpCache::new(cfg);
        let a = Ipv4Address::new(10, 0, 0, 1);
        let b = Ipv4Address::new(10, 0, 0, 2);
        let p = Ipv4Address::new(10, 0, 0, 3);
        c.fill(a, MAC, secs(0));
        c.fill(b, MAC, secs(1));
        assert_eq!(c.lookup(&p, secs(2)), Lookup::SendRequest);
        // Full: the pending entry goes first.
        let d = Ipv4Address::new(10, 0, 0, 4);
        c.fill(d, MAC, secs(3));
        assert_eq!(c.len(), 3);
        assert_eq!(c.resolved(secs(3)).count(), 3);
        // Only resolved entries: `a` expires soonest and is evicted.
        c.fill(Ipv4Address::new(10, 0, 0, 5), MAC, secs(4));
        assert_eq!(c.len(), 3);
        assert_eq!(c.get(&a, secs(4)), None);
        assert_eq!(c.get(&b, secs(4)), Some(MAC));
        // An expired entry is evicted before any live one: `b` (filled at 1 s)
        // has expired at 61.5 s while `d` has not.
        c.fill(Ipv4Address::new(10, 0, 0, 6), MAC, ms(61_500));
        assert_eq!(c.get(&b, ms(61_500)), None);
        assert_eq!(c.get(&d, ms(61_500)), Some(MAC));
    }

    #[test]
    fn refuses_non_unicast() {
        let mut c = ArpCache::new(ArpCacheConfig::default());
        assert!(!c.fill(IP, EthernetAddress::BROADCAST, ms(0)));
        assert!(!c.fill(IP, EthernetAddress([0x01, 0, 0x5e, 0, 0, 1]), ms(0)));
        assert!(!c.fill(IP, EthernetAddress::UNSPECIFIED, ms(0)));
        assert!(!c.fill(Ipv4Address::BROADCAST, MAC, ms(0)));
        assert!(!c.fill(Ipv4Address::UNSPECIFIED, MAC, ms(0)));
        assert!(c.is_empty());
        assert_eq!(
            c.lookup(&Ipv4Address::BROADCAST, ms(0)),
            Lookup::Unreachable
        );
    }

    #[test]
    fn purge_drops_expired_and_abandoned() {
        let mut c = ArpCache::new(ArpCacheConfig::default());
        c.fill(IP, MAC, secs(0));
        c.lookup(&Ipv4Address::new(10, 0, 0, 9), secs(0));
        c.purge(secs(30));
        assert_eq!(c.len(), 1);
        c.purge(secs(60));
        assert!(c.is_empty());
        c.remove(&IP);
    }
}
