//! Packets waiting for ARP resolution of their next hop (SPEC W1).
//!
//! Invariants:
//! - At most `per_neighbor` packets per next hop (the oldest goes first, as
//!   Linux's `__neigh_event_send`) and `total` over all next hops (new
//!   packets are refused past it).
//! - Every waiting next hop has a `retry_at`; the earliest is the
//!   interface's ARP deadline.

use std::collections::{HashMap, VecDeque};

use crate::time::Instant;
use crate::wire::Ipv4Address;

use super::transmit::Transmit;

#[derive(Debug)]
struct Waiting {
    packets: VecDeque<Transmit>,
    retry_at: Instant,
}

/// Outcome of [`PendingQueue::push`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Queued {
    /// Held.
    Held,
    /// Held, and the oldest packet for this next hop was dropped for it.
    HeldDroppedOldest,
    /// Not held: the total bound is reached.
    Refused,
}

#[derive(Debug, Default)]
pub(crate) struct PendingQueue {
    by_hop: HashMap<Ipv4Address, Waiting>,
    total: usize,
}

impl PendingQueue {
    pub fn push(
        &mut self,
        hop: Ipv4Address,
        t: Transmit,
        retry_at: Instant,
        per_neighbor: usize,
        total: usize,
    ) -> Queued {
        if per_neighbor == 0 {
            return Queued::Refused;
        }
        let w = self.by_hop.entry(hop).or_insert_with(|| Waiting {
            packets: VecDeque::new(),
            retry_at,
        });
        if w.packets.len() >= per_neighbor {
            w.packets.pop_front();
            w.packets.push_back(t);
            return Queued::HeldDroppedOldest;
        }
        if self.total >= total {
            if w.packets.is_empty() {
                self.by_hop.remove(&hop);
            }
            return Queued::Refused;
        }
        w.packets.push_back(t);
        self.total += 1;
        Queued::Held
    }

    /// Remove and return every packet waiting for `hop`.
    pub fn take(&mut self, hop: &Ipv4Address) -> VecDeque<Transmit> {
        match self.by_hop.remove(hop) {
            Some(w) => {
                self.total -= w.packets.len();
                w.packets
            }
            None => VecDeque::new(),
        }
    }

    pub fn set_retry(&mut self, hop: &Ipv4Address, at: Instant) {
        if let Some(w) = self.by_hop.get_mut(hop) {
            w.retry_at = at;
        }
    }

    /// The earliest retry deadline.
    pub fn next_retry(&self) -> Option<Instant> {
        self.by_hop.values().map(|w| w.retry_at).min()
    }

    /// Next hops whose retry deadline has passed.
    pub fn due(&self, now: Instant) -> Vec<Ipv4Address> {
        let mut v: Vec<Ipv4Address> = self
            .by_hop
            .iter()
            .filter(|(_, w)| w.retry_at <= now)
            .map(|(ip, _)| *ip)
            .collect();
        v.sort();
        v
    }

    /// Packets waiting, all next hops together.
    pub fn len(&self) -> usize {
        self.total
    }
}
