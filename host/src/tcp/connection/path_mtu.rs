//! A connection's side of path-MTU discovery (RFC 1191; Linux
//! `tcp_sync_mss`, `tcp_simple_retransmit`): its MSS follows the path MTU
//! the engine learnt, and runs already sent too large for a lowered path
//! are resent at once, re-cut at the new MSS, instead of waiting for the RTO.
//!
//! Invariants:
//! - `mss` = min(`mss_clamp`, `pmtu` − 40), less the timestamp option, once
//!   the handshake set `mss_clamp`; before that only `pmtu` is kept.
//! - A lowered path marks lost only runs holding a segment longer than the
//!   new MSS, and leaves the congestion window alone (the amount of data in
//!   the network is unchanged; only its packets got smaller).

use crate::time::Instant;

use super::super::config::Config;
use super::super::path_mtu::PathMtuCache;
use super::Connection;

impl Connection {
    /// The send MSS on a path of `pmtu` bytes (Linux `tcp_mtu_to_mss` less
    /// the options every segment carries).
    pub(super) fn mss_for(&self, pmtu: u16) -> usize {
        let base = usize::from(self.mss_clamp.min(pmtu.saturating_sub(40)).max(64));
        if self.ts_ok { base - 12 } else { base }
    }

    /// Before sending (Linux `tcp_current_mss`): take the path MTU the
    /// cache holds for the peer; one comparison unless some path changed.
    pub(crate) fn follow_path_mtu(&mut self, cache: &PathMtuCache, now: Instant, cfg: &Config) {
        let generation = cache.generation();
        if self.pmtu_generation == Some(generation) {
            return;
        }
        self.pmtu_generation = Some(generation);
        let pmtu = cache.mtu(*self.tuple.remote.ip(), now, cfg);
        if pmtu != self.pmtu {
            self.sync_pmtu(pmtu);
        }
    }

    /// Follow a path MTU of `pmtu` (Linux `tcp_sync_mss`).
    pub(crate) fn sync_pmtu(&mut self, pmtu: u16) {
        self.pmtu = pmtu;
        if self.mss_clamp != 0 {
            self.mss = self.mss_for(pmtu);
        }
    }

    /// The path just got narrower: resend what no longer fits (Linux
    /// `tcp_simple_retransmit`).
    pub(crate) fn simple_retransmit(&mut self) {
        self.send.rtx.mark_longer_lost(self.mss);
        if self.send.rtx.lost() == 0 {
            return;
        }
        // Linux `tcp_current_ssthresh` (outside a window reduction): keep
        // at least three quarters of the window as the slow-start threshold.
        if self.cc.recovery.is_none() {
            let cwnd = self.cc.cwnd;
            self.cc.ssthresh = self.cc.ssthresh.max(cwnd / 2 + cwnd / 4);
        }
    }
}
