//! Engine configuration: every Linux default the SPEC names, as a field.
//!
//! Invariant: no behaviour-relevant constant lives in the engine's code; it is
//! read from here (SPEC preamble: "every default below is a configuration field").
//! Field names follow the Linux sysctl they mirror (`net.ipv4.tcp_*`).

use core::ops::RangeInclusive;
use core::time::Duration;

/// `net.ipv4.tcp_syncookies` (SPEC H9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SynCookies {
    /// 0: never.
    Off,
    /// 1: only when the SYN queue is full (Linux default).
    WhenFull,
    /// 2: always, even with room in the SYN queue.
    Always,
}

/// Engine-wide configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Interface MTU; our advertised MSS is `mtu - 40` (SPEC W5, H6).
    pub mtu: u16,
    /// Send MSS assumed when the peer sends no MSS option (SPEC H6, RFC 9293 §3.7.1).
    pub default_mss: u16,
    /// `net.ipv4.route.min_pmtu`: the smallest path MTU an ICMP
    /// "fragmentation needed" can set (RFC 1191; Linux 552).
    pub min_pmtu: u16,
    /// `net.ipv4.route.mtu_expires`: how long a learnt path MTU holds before
    /// the link MTU is tried again (Linux 600 s).
    pub mtu_expires: Duration,
    /// Most destinations with a learnt path MTU remembered at once.
    pub pmtu_cache_max: usize,

    /// Initial RTO before any RTT sample (SPEC R1, RFC 6298 §2.1; Linux `TCP_TIMEOUT_INIT`).
    pub rto_initial: Duration,
    /// Lower bound on the RTO (Linux `TCP_RTO_MIN`; it bounds RTTVAR's share, see rtt.rs).
    pub rto_min: Duration,
    /// Upper bound on the RTO (Linux `TCP_RTO_MAX`).
    pub rto_max: Duration,
    /// RTO after a handshake without an RTT sample (RFC 6298 §5.7; Linux `TCP_TIMEOUT_FALLBACK`).
    pub rto_fallback: Duration,
    /// Shortest retransmission timer Linux arms (`TCP_TIMEOUT_MIN`, two
    /// jiffies at HZ=1000): the SYN is resent this soon after an old SYN-ACK
    /// was answered with RST (SPEC H4).
    pub timeout_min: Duration,

    /// `tcp_syn_retries`: retransmissions of an active-open SYN (SPEC H5).
    pub syn_retries: u32,
    /// `tcp_synack_retries`: retransmissions of a SYN-ACK (SPEC H5).
    pub synack_retries: u32,
    /// `tcp_syn_linear_timeouts`: this many SYN retransmissions are spaced
    /// `rto_initial` apart before doubling starts (Linux ≥ 6.5 default 4; SPEC: off).
    pub syn_linear_timeouts: u32,
    /// `tcp_retries2`: data retransmission budget, turned into a time budget as
    /// Linux's `tcp_model_timeout` does (SPEC R1).
    pub retries2: u32,
    /// `tcp_orphan_retries`, effective value (Linux's 0 means 8) (SPEC T8).
    pub orphan_retries: u32,

    /// TIME-WAIT length, 2·MSL (Linux `TCP_TIMEWAIT_LEN`, SPEC T1).
    pub time_wait_len: Duration,
    /// `tcp_fin_timeout`: orphaned FIN-WAIT-2 lifetime (SPEC T6).
    pub fin_timeout: Duration,
    /// `tcp_max_tw_buckets` (SPEC T11).
    pub max_tw_buckets: usize,
    /// `tcp_tw_reuse` (SPEC T12).
    pub tw_reuse: bool,
    /// Minimum age of a TIME-WAIT entry before `tw_reuse` may take its 4-tuple.
    pub tw_reuse_delay: Duration,

    /// `tcp_max_syn_backlog`: SYN queue length per listener (SPEC H8).
    pub max_syn_backlog: usize,
    /// `net.core.somaxconn`: cap on `listen(backlog)` (SPEC H8).
    pub somaxconn: usize,
    /// `tcp_abort_on_overflow` (SPEC H8).
    pub abort_on_overflow: bool,
    /// `tcp_syncookies` (SPEC H9).
    pub syncookies: SynCookies,
    /// Length of one SYN-cookie time slot (Linux `TCP_SYNCOOKIE_PERIOD`: 60 s; the current and previous slot are accepted).
    pub syncookie_period: Duration,
    /// `net.core.netdev_max_backlog`: receive-path queue bound (SPEC H8).
    pub netdev_max_backlog: usize,
    /// Segments not owned by a connection (RSTs, SYN-ACKs, TIME-WAIT ACKs)
    /// held for `poll_transmit`; beyond it they are dropped and counted
    /// (Linux: a device's `txqueuelen`, 1000).
    pub tx_queue_len: usize,
    /// Out-of-order ranges (holes) a connection holds. Past it the range
    /// furthest from RCV.NXT is pruned, as Linux's `tcp_prune_ofo_queue`
    /// prunes from the far end under memory pressure (SPEC R3).
    pub max_ooo_ranges: usize,
    /// Bound on live connections (SPEC C2).
    pub max_connections: usize,
    /// `ip_local_port_range` (SPEC T15).
    pub ephemeral_ports: RangeInclusive<u16>,

    /// `tcp_keepalive_time` (SPEC K1).
    pub keepalive_time: Duration,
    /// `tcp_keepalive_intvl` (SPEC K1).
    pub keepalive_intvl: Duration,
    /// `tcp_keepalive_probes` (SPEC K1).
    pub keepalive_probes: u32,

    /// `tcp_timestamps` (SPEC T13).
    pub timestamps: bool,
    /// `tcp_sack`: we advertise SACK-permitted and send SACK blocks.
    pub sack: bool,
    /// `tcp_window_scaling` (SPEC R4).
    pub window_scaling: bool,
    /// Our window-scale shift (Linux derives 7 from `tcp_rmem[2]` = 6 MiB).
    pub rcv_wscale: u8,
    /// Receive buffer (`tcp_rmem[1]`); half of it is offered as window, as
    /// Linux's `tcp_adv_win_scale = 1`.
    pub rcv_buf: usize,
    /// Send buffer limit; `write` accepts at most this many unacknowledged bytes.
    pub snd_buf: usize,
    /// Initial congestion window in segments (SPEC R2, RFC 6928).
    pub init_cwnd: u32,
    /// Duplicate-ACK threshold for fast retransmit (SPEC R2, `tcp_reordering`).
    pub dupack_threshold: u32,
    /// `tcp_slow_start_after_idle`: restart cwnd after an idle RTO (RFC 5681 §4.1).
    pub slow_start_after_idle: bool,
    /// Tail loss probes on SACK connections (Linux `tcp_early_retrans` = 3,
    /// its TLP half; RACK loss detection is not implemented).
    pub tail_loss_probe: bool,

    /// Minimum delayed-ACK timeout (Linux `TCP_ATO_MIN`, SPEC R5).
    pub delack_min: Duration,
    /// Maximum delayed-ACK timeout (Linux `TCP_DELACK_MAX`, SPEC R5).
    pub delack_max: Duration,
    /// Quick-ACK budget at connection start (Linux `TCP_MAX_QUICKACKS`).
    pub max_quickacks: u32,
    /// `tcp_invalid_ratelimit`: minimum spacing of challenge / out-of-window ACKs (SPEC R6).
    pub invalid_ratelimit: Duration,
    /// Zero-window probe floor is the RTO; this bounds probing like `retries2`.
    pub probe_max: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            mtu: 1500,
            default_mss: 536,
            min_pmtu: 552,
            mtu_expires: Duration::from_secs(600),
            pmtu_cache_max: 4096,
            rto_initial: Duration::from_secs(1),
            rto_min: Duration::from_millis(200),
            rto_max: Duration::from_secs(120),
            rto_fallback: Duration::from_secs(3),
            timeout_min: Duration::from_millis(2),
            syn_retries: 6,
            synack_retries: 5,
            syn_linear_timeouts: 0,
            retries2: 15,
            orphan_retries: 8,
            time_wait_len: Duration::from_secs(60),
            fin_timeout: Duration::from_secs(60),
            max_tw_buckets: 18_000,
            tw_reuse: false,
            tw_reuse_delay: Duration::from_secs(1),
            max_syn_backlog: 4096,
            somaxconn: 4096,
            abort_on_overflow: false,
            syncookies: SynCookies::WhenFull,
            syncookie_period: Duration::from_secs(60),
            netdev_max_backlog: 1000,
            tx_queue_len: 1000,
            max_ooo_ranges: 256,
            max_connections: 65_536,
            ephemeral_ports: 32768..=60999,
            keepalive_time: Duration::from_secs(7200),
            keepalive_intvl: Duration::from_secs(75),
            keepalive_probes: 9,
            timestamps: true,
            sack: true,
            window_scaling: true,
            rcv_wscale: 7,
            rcv_buf: 131_072,
            snd_buf: 262_144,
            init_cwnd: 10,
            dupack_threshold: 3,
            tail_loss_probe: true,
            slow_start_after_idle: true,
            delack_min: Duration::from_millis(40),
            delack_max: Duration::from_millis(200),
            max_quickacks: 16,
            invalid_ratelimit: Duration::from_millis(500),
            probe_max: Duration::from_secs(120),
        }
    }
}

impl Config {
    /// Our advertised MSS: MTU − 40 (SPEC W5, H6).
    pub fn adv_mss(&self) -> u16 {
        self.mtu.saturating_sub(40).max(88)
    }

    /// Linux's `tcp_model_timeout`: the time `boundary` retransmissions take
    /// with doubling from `rto_base`, capped at `rto_max` per step.
    pub fn model_timeout(&self, boundary: u32, rto_base: Duration) -> Duration {
        let base = rto_base.max(Duration::from_micros(1));
        let ratio = (self.rto_max.as_micros() / base.as_micros()).max(1);
        let thresh = ratio.ilog2().min(30);
        if boundary <= thresh {
            base.saturating_mul((2u32 << boundary.min(30)) - 1)
        } else {
            base.saturating_mul((2u32 << thresh) - 1)
                .saturating_add(self.rto_max.saturating_mul(boundary - thresh))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_timeout_matches_linux() {
        let c = Config::default();
        // tcp_syn_retries = 6 from 1 s: 127 s (SPEC H5).
        assert_eq!(
            c.model_timeout(6, Duration::from_secs(1)),
            Duration::from_secs(127)
        );
        // tcp_retries2 = 15 from 200 ms: 924.6 s (Linux ip-sysctl.rst).
        assert_eq!(
            c.model_timeout(15, Duration::from_millis(200)),
            Duration::from_millis(924_600)
        );
    }
}
