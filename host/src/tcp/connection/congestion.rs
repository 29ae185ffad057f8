//! NewReno congestion control (SPEC R2; RFC 5681, RFC 6582), counted in
//! segments as Linux counts `snd_cwnd`. During recovery the window follows
//! Proportional Rate Reduction (RFC 6937) as Linux's `tcp_cwnd_reduction`
//! does, rather than RFC 5681's window inflation.
//!
//! Invariants: `cwnd >= 1`; `ssthresh >= 2` once set; while `recovery` is
//! `Some(recover)`, partial ACKs (below `recover`) keep the connection in fast
//! recovery and a full ACK (at or above `recover`) ends it (RFC 6582 §3.2).

use super::super::segment::SeqNumber;

/// Linux's "infinite" initial ssthresh (`TCP_INFINITE_SSTHRESH`).
pub const INFINITE_SSTHRESH: u32 = 0x7fff_ffff;

#[derive(Clone, Debug)]
pub struct NewReno {
    /// Congestion window, segments.
    pub cwnd: u32,
    pub ssthresh: u32,
    /// Fractional growth in congestion avoidance (Linux `snd_cwnd_cnt`).
    cwnd_cnt: u32,
    /// Fast recovery in progress until this sequence number is acknowledged.
    pub recovery: Option<SeqNumber>,
    /// Duplicate ACKs seen in a row.
    pub dupacks: u32,
    /// The last window was cwnd-limited (Linux `is_cwnd_limited`).
    cwnd_limited: bool,
    /// Most packets outstanding in the current window (Linux `max_packets_out`).
    max_packets_out: u32,
    /// End of the current measurement window (Linux `cwnd_usage_seq`).
    usage_seq: SeqNumber,
    /// PRR state (RFC 6937): cwnd when recovery began, segments delivered
    /// and sent since.
    prior_cwnd: u32,
    prr_delivered: u32,
    pub prr_out: u32,
    /// Without SACK, duplicate ACKs stand in for SACKed segments (Linux
    /// `tcp_add_reno_sack`), so the pipe estimate stays right.
    pub reno_sacked: u32,
}

impl NewReno {
    pub fn new(init_cwnd: u32) -> Self {
        NewReno {
            cwnd: init_cwnd.max(1),
            ssthresh: INFINITE_SSTHRESH,
            cwnd_cnt: 0,
            recovery: None,
            dupacks: 0,
            cwnd_limited: false,
            max_packets_out: 0,
            usage_seq: SeqNumber(0),
            prior_cwnd: 0,
            prr_delivered: 0,
            prr_out: 0,
            reno_sacked: 0,
        }
    }

    /// Linux `tcp_cwnd_validate`: remember whether the window was used up.
    pub fn cwnd_validate(
        &mut self,
        limited: bool,
        packets_out: u32,
        snd_una: SeqNumber,
        snd_nxt: SeqNumber,
    ) {
        if snd_una >= self.usage_seq
            || limited
            || (!self.cwnd_limited && packets_out > self.max_packets_out)
        {
            self.cwnd_limited = limited;
            self.max_packets_out = packets_out;
            self.usage_seq = snd_nxt;
        }
    }

    /// Linux `tcp_is_cwnd_limited`: in slow start, grow to twice what was used.
    pub fn is_cwnd_limited(&self) -> bool {
        if self.cwnd_limited {
            return true;
        }
        self.in_slow_start() && self.cwnd < 2 * self.max_packets_out
    }

    pub fn in_slow_start(&self) -> bool {
        self.cwnd < self.ssthresh
    }

    /// New data acknowledged: `acked` segments, outside fast recovery (RFC 5681 §3.1).
    pub fn on_ack(&mut self, acked: u32) {
        self.dupacks = 0;
        if acked == 0 {
            return;
        }
        if self.in_slow_start() {
            let room = self.ssthresh - self.cwnd;
            let grow = acked.min(room);
            self.cwnd = self.cwnd.saturating_add(grow);
            let rest = acked - grow;
            if rest == 0 {
                return;
            }
            self.avoid(rest);
        } else {
            self.avoid(acked);
        }
    }

    /// Congestion avoidance: one segment per window's worth of ACKs.
    fn avoid(&mut self, acked: u32) {
        self.cwnd_cnt = self.cwnd_cnt.saturating_add(acked);
        if self.cwnd_cnt >= self.cwnd {
            let inc = self.cwnd_cnt / self.cwnd;
            self.cwnd_cnt -= inc * self.cwnd;
            self.cwnd = self.cwnd.saturating_add(inc);
        }
    }

    /// The third duplicate ACK: enter fast recovery (RFC 6582 §3.2 step 2;
    /// Linux `tcp_init_cwnd_reduction`). ssthresh is half the congestion
    /// window as Linux's `tcp_reno_ssthresh` computes it (RFC 5681 says half
    /// the flight size; they differ when the sender is application-limited).
    pub fn enter_recovery(&mut self, recover: SeqNumber) {
        self.ssthresh = (self.cwnd / 2).max(2);
        self.prior_cwnd = self.cwnd.max(1);
        self.prr_delivered = 0;
        self.prr_out = 0;
        self.cwnd_cnt = 0;
        self.recovery = Some(recover);
    }

    /// RFC 6937 PRR, as Linux `tcp_cwnd_reduction`: after an ACK that
    /// delivered `delivered` segments, allow `in_flight + sndcnt`.
    pub fn prr_update(
        &mut self,
        delivered: u32,
        in_flight: u32,
        una_advanced: bool,
        newly_lost: bool,
    ) {
        if delivered == 0 || self.prior_cwnd == 0 {
            return;
        }
        self.prr_delivered = self.prr_delivered.saturating_add(delivered);
        let delta = i64::from(self.ssthresh) - i64::from(in_flight);
        let mut sndcnt: i64 = if delta < 0 {
            let dividend = u64::from(self.ssthresh) * u64::from(self.prr_delivered)
                + u64::from(self.prior_cwnd)
                - 1;
            (dividend / u64::from(self.prior_cwnd)) as i64 - i64::from(self.prr_out)
        } else {
            let mut n =
                (i64::from(self.prr_delivered) - i64::from(self.prr_out)).max(i64::from(delivered));
            if una_advanced && !newly_lost {
                n += 1;
            }
            n.min(delta)
        };
        // Force the fast retransmission on entering recovery.
        sndcnt = sndcnt.max(if self.prr_out > 0 { 0 } else { 1 });
        self.cwnd = (i64::from(in_flight) + sndcnt).clamp(1, i64::from(u32::MAX)) as u32;
    }

    /// A full ACK ends recovery (RFC 6582 §3.2 step 3, option 2: cwnd = ssthresh,
    /// which is also what Linux's `tcp_end_cwnd_reduction` does).
    pub fn exit_recovery(&mut self) {
        self.cwnd = self.ssthresh.max(1);
        self.recovery = None;
        self.dupacks = 0;
        self.reno_sacked = 0;
    }

    /// Retransmission timeout (RFC 5681 §3.1): ssthresh = cwnd/2 (Linux
    /// `tcp_reno_ssthresh`, on the first timeout of an episode), cwnd = 1.
    pub fn on_rto(&mut self, first_timeout: bool) {
        if first_timeout {
            self.ssthresh = (self.cwnd / 2).max(2);
        }
        self.cwnd = 1;
        self.cwnd_cnt = 0;
        self.recovery = None;
        self.dupacks = 0;
        self.reno_sacked = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_start_then_avoidance() {
        let mut c = NewReno::new(10);
        assert!(!c.is_cwnd_limited());
        c.cwnd_validate(true, 10, SeqNumber(0), SeqNumber(100));
        assert!(c.is_cwnd_limited());
        c.on_ack(10);
        assert_eq!(c.cwnd, 20);
        c.enter_recovery(SeqNumber(0));
        // 20 out, 3 SACKed and 1 lost: pipe 16 > ssthresh 10 → one segment.
        c.prr_update(1, 16, false, true);
        assert_eq!((c.ssthresh, c.cwnd), (10, 17));
        c.exit_recovery();
        assert_eq!(c.cwnd, 10);
        c.on_ack(10);
        assert_eq!(c.cwnd, 11);
        c.on_rto(true);
        assert_eq!((c.ssthresh, c.cwnd), (5, 1));
    }
}
