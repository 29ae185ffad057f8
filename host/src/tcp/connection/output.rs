//! Segment generation: what to send next, in priority order — queued control
//! segments, forced retransmission of the head, other lost segments (within
//! cwnd), new data (within cwnd and the peer's window, with Nagle/Minshall),
//! FIN, then a pure ACK if one is due.
//!
//! Invariant: every segment after the SYN carries ACK and the current window
//! (RFC 9293 §3.10.7.4 "once in the ESTABLISHED state all segments must carry
//! current acknowledgment information"); sending one clears any pending ACK.

use crate::time::Instant;

use super::super::config::Config;
use super::super::run::{RunLimit, TxRun};
use super::super::segment::{Flags, Payload, SackBlocks, Segment, SeqNumber, Timestamps};
use super::Connection;
use super::rtx_queue::SentSegment;
use super::state::State;
use super::timers::Timer;

/// A connection's next transmission: a finished header, and its payload —
/// in the header (control segments) or in the send buffer (data).
#[derive(Debug)]
pub(crate) struct Tx {
    pub header: Segment,
    /// Payload in the send buffer: `len` bytes from `offset` bytes after
    /// `buf_base`; the header's own payload is then empty.
    pub data: Option<(usize, usize)>,
    /// Segment size the payload is cut at (see [`TxRun`]).
    pub mss: usize,
}

impl Tx {
    fn owned(header: Segment) -> Self {
        let mss = header.payload.len().max(1);
        Tx {
            header,
            data: None,
            mss,
        }
    }
}

/// A new segment's place in the stream (one retransmission-queue entry).
#[derive(Clone, Copy, Debug)]
struct Piece {
    seq: SeqNumber,
    len: usize,
    fin: bool,
    psh: bool,
}

impl Connection {
    /// The run `tx` describes, its payload lent from the send buffer.
    pub(crate) fn run<'a>(&'a self, tx: &'a Tx) -> TxRun<'a> {
        match tx.data {
            Some((offset, len)) => {
                let (a, b) = self.send.range(offset, len);
                TxRun {
                    header: &tx.header,
                    data: [a, b],
                    mss: tx.mss,
                }
            }
            None => TxRun::single(&tx.header),
        }
    }

    /// `tx` as one owned segment, its payload copied out of the send
    /// buffer (control queues; `tx` must be one segment).
    pub(crate) fn materialize(&self, tx: Tx) -> Segment {
        let Some((offset, len)) = tx.data else {
            return tx.header;
        };
        debug_assert!(len <= tx.mss, "materialize cuts nothing");
        let mut seg = tx.header;
        seg.payload = Payload::from(self.send.slice(offset, len));
        seg
    }

    /// Our TSval clock: milliseconds plus a per-host-pair offset (Linux `tcp_time_stamp` + `ts_off`).
    pub(crate) fn tsval(&self, now: Instant) -> u32 {
        (now.total_millis() as u32).wrapping_add(self.ts_offset)
    }

    pub(crate) fn timestamps(&self, now: Instant) -> Timestamps {
        Timestamps {
            tsval: self.tsval(now),
            tsecr: self.ts_recent,
        }
    }

    /// A segment to the peer with our addresses, `seq`, `flags`, ack = RCV.NXT.
    pub(crate) fn base_segment(&self, _now: Instant, seq: SeqNumber, flags: Flags) -> Segment {
        let ack = if flags.ack() {
            self.rcv_nxt
        } else {
            SeqNumber(0)
        };
        Segment::new(self.tuple.local, self.tuple.remote, seq, ack, flags)
    }

    /// Linux `tcp_select_window`, simplified: offer free space rounded up to the
    /// scale unit, never shrink what was offered, receiver-side SWS avoidance.
    fn select_window(&mut self, cfg: &Config) -> u16 {
        let cur = self.receive_window_remaining();
        let free = self.free_space(cfg);
        let unit = 1u32 << self.rcv_wscale;
        let mut new = if free < (self.rcv_mss as u32).min(cfg.rcv_buf as u32 / 2) / 2 {
            0
        } else if self.rcv_wscale > 0 {
            free.div_ceil(unit).saturating_mul(unit)
        } else {
            free.min(65_535)
        };
        if new < cur {
            new = cur.div_ceil(unit).saturating_mul(unit);
        }
        let max = 65_535u32 << self.rcv_wscale;
        new = new.min(max);
        self.rcv_wnd = new;
        self.rcv_wup = self.rcv_nxt;
        (new >> self.rcv_wscale) as u16
    }

    /// Fill in ACK, window, timestamps and SACK, and account for the ACK sent.
    pub(crate) fn finish_segment(&mut self, now: Instant, seg: Segment, cfg: &Config) -> Segment {
        self.finish(now, seg, cfg)
    }

    fn finish(&mut self, now: Instant, seg: Segment, cfg: &Config) -> Segment {
        let len = seg.payload.len();
        self.finish_with(now, seg, len, cfg)
    }

    /// [`Self::finish`] for a header whose payload (`payload_len` bytes,
    /// perhaps several segments' worth) travels separately.
    fn finish_with(
        &mut self,
        now: Instant,
        mut seg: Segment,
        payload_len: usize,
        cfg: &Config,
    ) -> Segment {
        if seg.flags.ack() {
            seg.ack = self.rcv_nxt;
            seg.window = self.select_window(cfg);
            if self.ts_ok {
                seg.options.timestamps = Some(self.timestamps(now));
            }
            // SACK blocks share the segment with its payload: payload plus
            // options must stay within the negotiated MSS (which `self.mss`
            // already reduced by the timestamps' 12 bytes), else the packet
            // would exceed the MTU (SPEC W5). Linux shrinks the data instead
            // (`tcp_current_mss`); here a full-sized data segment carries no
            // SACK blocks and the next pure ACK reports them.
            let room = self.mss.saturating_sub(payload_len);
            let fit = if room >= 12 { (room - 4) / 8 } else { 0 };
            if self.sack_ok && fit > 0 && (self.recv.has_ooo() || self.dsack.is_some()) {
                // RFC 2883: a D-SACK block goes first; at most 3 blocks fit with
                // timestamps, 4 without.
                let max = (if self.ts_ok { 3 } else { 4 }).min(fit);
                let mut blocks: SackBlocks = self.dsack.take().into_iter().collect();
                let room = max - blocks.len();
                blocks.extend(self.recv.sack_blocks(self.rcv_nxt, room));
                seg.options.sack_blocks = blocks;
            }
            self.ack_sent(cfg);
        }
        if self.opts.keepalive
            && self.state.is_synchronized()
            && !self.timers.is_armed(Timer::Keepalive)
        {
            let idle = self.opts.keepalive_time(cfg);
            self.timers.set(Timer::Keepalive, self.last_rcv + idle);
        }
        seg
    }

    fn ack_sent(&mut self, cfg: &Config) {
        // Linux tcp_dec_quickack_mode: only ACKs of received data use up the
        // quick-ACK budget; leaving quick-ACK mode deflates the ATO.
        if self.quick > 0 && self.ack_pending {
            self.quick -= 1;
            if self.quick == 0 {
                self.ato = cfg.delack_min;
            }
        }
        self.ack_now = false;
        self.ack_pending = false;
        self.pushed = 0;
        self.timers.stop(Timer::DelayedAck);
    }

    /// The next thing to send, if any: a segment, or a run of new data
    /// within `limit` (at least one segment, whatever `limit`). Call until
    /// `None` after every input.
    #[must_use]
    pub(crate) fn poll_transmit(
        &mut self,
        now: Instant,
        cfg: &Config,
        limit: RunLimit,
    ) -> Option<Tx> {
        if let Some(s) = self.out.pop_front() {
            return Some(Tx::owned(s));
        }
        if matches!(self.state, State::Closed | State::Listen) {
            return None;
        }
        if self.state == State::TimeWait {
            // Only the ACK of the peer's FIN is left to send (SPEC T1).
            if self.ack_now {
                let seg = self.base_segment(now, self.snd_nxt, Flags::ACK);
                return Some(Tx::owned(self.finish(now, seg, cfg)));
            }
            return None;
        }
        // Retransmissions: the head unconditionally when forced (RTO, fast
        // retransmit), others marked lost while cwnd allows (RFC 5681 §3.1).
        if self.rtx_head_now {
            self.rtx_head_now = false;
            if !self.send.rtx.is_empty() {
                return Some(self.transmit_queued(now, 0, cfg));
            }
        }
        if self.in_flight() < self.cc.cwnd {
            if let Some(i) = self.send.rtx.first_lost() {
                return Some(self.transmit_queued(now, i, cfg));
            }
        }
        if let Some(tx) = self.next_new_run(now, cfg, false, limit) {
            return Some(tx);
        }
        if self.ack_now && self.state != State::SynSent {
            let seg = self.base_segment(now, self.snd_nxt, Flags::ACK);
            return Some(Tx::owned(self.finish(now, seg, cfg)));
        }
        None
    }

    /// The next thing to send as one owned segment (control queues, the
    /// TIME-WAIT and close paths).
    pub(crate) fn poll_segment(&mut self, now: Instant, cfg: &Config) -> Option<Segment> {
        let tx = self.poll_transmit(now, cfg, RunLimit::ONE)?;
        Some(self.materialize(tx))
    }

    /// (Re)send rtx-queue entry `i` as first cut (Linux retransmits whole
    /// skbs), or, when the path has narrowed since, its run re-cut at the
    /// current MSS first (Linux `__tcp_retransmit_skb`).
    fn transmit_queued(&mut self, now: Instant, i: usize, cfg: &Config) -> Tx {
        self.send.rtx.recut(i, self.mss);
        if self.cc.recovery.is_some() {
            self.cc.prr_out += 1;
        }
        let first_time = self.send.rtx.transmit(i, now);
        if !first_time {
            self.total_retrans += 1;
            self.retrans_unfolded += 1;
        }
        let (seq, len, syn, fin, psh) = match self.send.rtx.get(i) {
            Some(s) => (s.seq, s.len, s.syn, s.fin, s.psh),
            None => {
                let seg = self.base_segment(now, self.snd_nxt, Flags::ACK);
                return Tx::owned(seg);
            }
        };
        let tx = if syn {
            Tx::owned(self.syn_segment(now, seq, cfg))
        } else {
            let mut flags = Flags::ACK;
            if fin {
                flags |= Flags::FIN;
            }
            if psh {
                flags |= Flags::PSH;
            }
            let seg = self.base_segment(now, seq, flags);
            let header = self.finish_with(now, seg, len, cfg);
            Tx {
                header,
                data: (len > 0).then(|| (seq.distance_from(self.buf_base), len)),
                // One segment, never longer than the MSS (cut above).
                mss: len.max(1),
            }
        };
        if !first_time && self.retrans_stamp.is_none() {
            self.retrans_stamp = Some(now);
        }
        if !self.timers.is_armed(Timer::Retransmit) || i == 0 {
            self.timers.set(Timer::Retransmit, now + self.rtt.rto());
        }
        tx
    }

    /// SYN (SYN-SENT) or SYN-ACK (SYN-RECEIVED, simultaneous open) with Linux's options.
    fn syn_segment(&mut self, now: Instant, seq: SeqNumber, cfg: &Config) -> Segment {
        let synack = self.state != State::SynSent;
        let flags = if synack {
            Flags::SYN | Flags::ACK
        } else {
            Flags::SYN
        };
        let mut seg = self.base_segment(now, seq, flags);
        seg.window = self.rcv_wnd.min(65_535) as u16;
        seg.options.mss = Some(self.opts.advertised_mss(cfg));
        if synack {
            seg.options.sack_permitted = self.sack_ok;
            if self.ts_ok {
                seg.options.timestamps = Some(self.timestamps(now));
            }
            if self.snd_wscale > 0 || self.rcv_wscale > 0 {
                seg.options.window_scale = Some(self.rcv_wscale);
            }
        } else {
            seg.options.sack_permitted = cfg.sack;
            if cfg.timestamps {
                seg.options.timestamps = Some(Timestamps {
                    tsval: self.tsval(now),
                    tsecr: 0,
                });
            }
            if cfg.window_scaling {
                seg.options.window_scale = Some(self.rcv_wscale);
            }
        }
        if synack {
            self.ack_sent(cfg);
        }
        seg
    }

    /// New data and/or FIN from the send buffer as a run: consecutive new
    /// segments, each accounted as if sent alone, gathered while every one
    /// before is a full MSS without FIN or PSH and `limit` allows.
    /// A run is one segment while SACK blocks wait to be reported (only a
    /// lone segment has room for them).
    fn next_new_run(
        &mut self,
        now: Instant,
        cfg: &Config,
        forced: bool,
        limit: RunLimit,
    ) -> Option<Tx> {
        if limit.defer && !forced && self.tso_should_defer(now, limit) {
            return None;
        }
        let first = self.next_new_piece(now, cfg, forced)?;
        let mut last = first;
        let mut len = first.len;
        let mut pieces = 1;
        let sack_waiting = self.sack_ok && (self.recv.has_ooo() || self.dsack.is_some());
        while !sack_waiting
            && last.len == self.mss
            && !last.fin
            && !last.psh
            && len + self.mss <= limit.bytes
            && pieces < limit.segments
            && self.send.next_chunk().is_some()
        {
            let Some(p) = self.next_new_piece(now, cfg, forced) else {
                break;
            };
            pieces += 1;
            len += p.len;
            last = p;
        }
        // Once for the run: what the last of its segments would have armed.
        self.schedule_loss_probe(now, cfg, false);
        let mut flags = Flags::ACK;
        if last.fin {
            flags |= Flags::FIN;
        }
        if last.psh {
            flags |= Flags::PSH;
        }
        let seg = self.base_segment(now, first.seq, flags);
        let header = self.finish_with(now, seg, len, cfg);
        Some(Tx {
            header,
            data: (len > 0).then(|| (first.seq.distance_from(self.buf_base), len)),
            mss: self.mss,
        })
    }

    /// Linux `tcp_tso_should_defer`: with a segmenting device, hold back new
    /// data the windows let out only a little of while an ACK that opens
    /// them further is due, so the device gets fewer, larger runs. Never
    /// in recovery, never after 1 ms without sending, never when a third
    /// of the window (`tcp_tso_win_divisor`) or a whole run can go, and
    /// never while the oldest unacknowledged segment is younger than half
    /// an RTT (its ACK is not due yet). Unlike Linux, a run that would take
    /// all the queued data goes at once (Linux may wait for more from the
    /// application).
    fn tso_should_defer(&self, now: Instant, limit: RunLimit) -> bool {
        if self.cc.recovery.is_some() || !self.state.is_synchronized() || self.fin_seq.is_some() {
            return false;
        }
        if self
            .last_send
            .is_none_or(|t| now - t > core::time::Duration::from_millis(1))
        {
            return false;
        }
        let Some(head) = self.send.rtx.front() else {
            return false;
        };
        let send_win = (self.snd_una + self.snd_wnd as usize).distance_from(self.snd_nxt);
        let cong_win = (self.cc.cwnd.saturating_sub(self.in_flight()) as usize) * self.mss;
        let room = send_win.min(cong_win);
        let unsent = self.end_of_buffer().distance_from(self.snd_nxt);
        if room >= limit.bytes || room >= unsent || self.fin_queued {
            return false;
        }
        let window = (self.snd_wnd as usize).min(self.cc.cwnd as usize * self.mss);
        if room >= window / 3 {
            return false;
        }
        let half_rtt = self.rtt.srtt().unwrap_or_default() / 2;
        now - head.first_sent >= half_rtt
    }

    /// The next new segment as one owned segment (probes).
    fn next_new_segment(&mut self, now: Instant, cfg: &Config, forced: bool) -> Option<Segment> {
        let tx = self.next_new_run(now, cfg, forced, RunLimit::ONE)?;
        Some(self.materialize(tx))
    }

    /// Take the next new segment's worth of data and/or FIN from the send
    /// buffer: the first unsent chunk, cut to the MSS, accounted as sent
    /// (retransmission queue, SND.NXT, timers). `forced` skips the
    /// congestion window and Nagle (a window probe carrying data, Linux
    /// `tcp_write_wakeup`).
    fn next_new_piece(&mut self, now: Instant, cfg: &Config, forced: bool) -> Option<Piece> {
        if !self.state.is_synchronized() {
            return None;
        }
        if self.fin_seq.is_some() {
            return None;
        }
        let end = self.end_of_buffer();
        let want_fin = self.fin_queued;
        let chunk = self.send.next_chunk();
        if chunk.is_none() && !want_fin {
            return None;
        }
        let chunk_len = chunk.map_or(0, |c| c.end.distance_from(self.snd_nxt));
        let len = chunk_len.min(self.mss);
        if len > 0 {
            // Peer window (Linux tcp_snd_wnd_test: the first MSS must fit).
            let wnd_end = self.snd_una + self.snd_wnd as usize;
            if self.snd_nxt + len > wnd_end {
                if self.send.rtx.is_empty() && !self.timers.is_armed(Timer::Probe) {
                    self.probes_out = 0;
                    self.timers
                        .set(Timer::Probe, now + self.rtt.rto().max(cfg.rto_min));
                }
                return None;
            }
            // Congestion window (in segments).
            if !forced && self.in_flight() >= self.cc.cwnd {
                self.cc
                    .cwnd_validate(true, self.send.rtx.len() as u32, self.snd_una, self.snd_nxt);
                return None;
            }
            // Nagle with Minshall's tweak (SPEC R8): one small segment in
            // flight at a time; Linux tests only the last skb of the queue.
            let last = self.snd_nxt + len == end;
            if !forced
                && last
                && len < self.mss
                && !self.opts.nodelay
                && !want_fin
                && self.snd_sml > self.snd_una
                && !self.send.rtx.is_empty()
            {
                return None;
            }
        }
        let seq = self.snd_nxt;
        let fin = want_fin && seq + len == end;
        // Linux keeps PSH for the last piece of a split skb (`tso_fragment`).
        let psh = len > 0 && len == chunk_len && chunk.is_some_and(|c| c.psh);
        if len > 0 {
            if len < self.mss {
                self.snd_sml = seq + len;
            }
            self.send.take_unsent(seq, len);
        }
        let mut sent = SentSegment::new(seq, len, now);
        sent.fin = fin;
        sent.psh = psh;
        self.send.rtx.push_back(sent);
        self.snd_nxt = seq + len + usize::from(fin);
        if self.cc.recovery.is_some() {
            self.cc.prr_out += 1;
        }
        let in_flight = self.in_flight();
        self.cc.cwnd_validate(
            in_flight >= self.cc.cwnd,
            self.send.rtx.len() as u32,
            self.snd_una,
            self.snd_nxt,
        );
        if fin {
            self.fin_seq = Some(seq + len);
        }
        if len > 0 {
            self.last_send = Some(now);
            // Linux tcp_event_data_sent: quick reply to received data → interactive.
            if let Some(t) = self.last_data_rcv {
                if now - t < self.ato {
                    self.pingpong = true;
                }
            }
        }
        self.timers.stop(Timer::Probe);
        if !self.timers.is_armed(Timer::Retransmit) && !self.timers.is_armed(Timer::LossProbe) {
            self.timers.set(Timer::Retransmit, now + self.rtt.rto());
        }
        Some(Piece { seq, len, fin, psh })
    }

    /// Segments in the network (RFC 6675 "pipe", Linux
    /// `tcp_packets_in_flight`): sent, not SACKed, not marked lost; without
    /// SACK, duplicate ACKs stand in for SACKed segments.
    pub(crate) fn in_flight(&self) -> u32 {
        let n = self.send.rtx.in_flight();
        if self.sack_ok {
            n
        } else {
            n.saturating_sub(self.cc.reno_sacked)
        }
    }

    /// Linux `tcp_schedule_loss_probe`: arm a tail loss probe at 2·SRTT
    /// (+ `rto_min` with one segment out, for the peer's delayed ACK), never
    /// later than the RTO. Returns false if not eligible (no SACK, recovery,
    /// after an RTO, nothing outstanding).
    pub(crate) fn schedule_loss_probe(
        &mut self,
        now: Instant,
        cfg: &Config,
        advancing: bool,
    ) -> bool {
        let eligible = cfg.tail_loss_probe
            && self.sack_ok
            && self.state.is_synchronized()
            && self.cc.recovery.is_none()
            && self.retransmits == 0
            && !self.send.rtx.is_empty()
            && self.send.rtx.lost() == 0;
        if !eligible {
            return false;
        }
        let packets_out = self.send.rtx.len();
        let mut timeout = match self.rtt.srtt() {
            Some(srtt) => {
                srtt * 2
                    + if packets_out == 1 {
                        cfg.rto_min
                    } else {
                        core::time::Duration::from_millis(2)
                    }
            }
            None => cfg.rto_initial,
        };
        let rto_delta = if advancing {
            self.rtt.rto()
        } else {
            let head = self.send.rtx.front().map_or(now, |s| s.last_sent);
            (head + self.rtt.rto()) - now
        };
        if !rto_delta.is_zero() {
            timeout = timeout.min(rto_delta);
        }
        self.timers.stop(Timer::Retransmit);
        self.timers.set(Timer::LossProbe, now + timeout);
        true
    }

    /// Linux `tcp_send_loss_probe`: send one new segment if the window allows,
    /// else retransmit the last one; then the RTO restarts from now.
    pub(crate) fn send_loss_probe(&mut self, now: Instant, cfg: &Config) {
        if self.tlp_high_seq.is_none() && !self.send.rtx.is_empty() {
            let saved_cwnd = self.cc.cwnd;
            // Linux forces one segment past cwnd for the probe (push_one = 2).
            self.cc.cwnd = self.cc.cwnd.max(self.in_flight() + 1);
            let new = self.next_new_segment(now, cfg, false);
            self.cc.cwnd = saved_cwnd;
            let probe = match new {
                Some(seg) => {
                    self.tlp_retrans = false;
                    Some(seg)
                }
                None => {
                    // A TLP is not an RTO retransmission: `retrans_stamp` stays.
                    let stamp = self.retrans_stamp;
                    let last = self.send.rtx.len() - 1;
                    let tx = self.transmit_queued(now, last, cfg);
                    let seg = self.materialize(tx);
                    self.retrans_stamp = stamp;
                    self.tlp_retrans = true;
                    Some(seg)
                }
            };
            if let Some(seg) = probe {
                self.queue_control(seg);
                self.tlp_high_seq = Some(self.snd_nxt);
                self.timers.stop(Timer::LossProbe);
                self.timers.set(Timer::Retransmit, now + self.rtt.rto());
                return;
            }
        }
        // No probe: the RTO stays where the head's transmission put it.
        self.timers.stop(Timer::LossProbe);
        if let Some(head) = self.send.rtx.front() {
            let at =
                (head.last_sent + self.rtt.rto()).max(now + core::time::Duration::from_micros(1));
            self.timers.set(Timer::Retransmit, at);
        }
    }

    /// Bytes not yet sent (data or a FIN).
    pub(crate) fn has_unsent(&self) -> bool {
        self.send.next_chunk().is_some() || (self.fin_queued && self.fin_seq.is_none())
    }

    /// The next new segment fits in the peer's window (Linux `tcp_ack_probe`'s test).
    fn next_segment_fits_window(&self) -> bool {
        let len = self
            .send
            .next_chunk()
            .map_or(0, |c| c.end.distance_from(self.snd_nxt).min(self.mss));
        self.snd_nxt + len <= self.snd_una + self.snd_wnd as usize
    }

    /// The zero-window probe interval: the RTO (at least `rto_min`) doubled
    /// per backoff step, at most `rto_max` (Linux `tcp_probe0_when`).
    pub(crate) fn probe_interval(&self, cfg: &Config) -> core::time::Duration {
        let base = self.rtt.rto().max(cfg.rto_min);
        base.saturating_mul(1u32 << self.probe_backoff.min(20))
            .min(cfg.rto_max)
    }

    /// An ACK arrived with nothing in flight and data waiting (Linux
    /// `tcp_ack_probe`): a window that opened clears the probe backoff; one
    /// still closed re-arms the probe timer from now, backoff kept (SPEC R4).
    pub(crate) fn ack_probe(&mut self, now: Instant, cfg: &Config) {
        if self.next_segment_fits_window() {
            self.probe_backoff = 0;
            self.timers.stop(Timer::Probe);
        } else {
            let at = now + self.probe_interval(cfg);
            self.timers.set(Timer::Probe, at);
        }
    }

    /// The probe timer found data waiting and nothing in flight (Linux
    /// `tcp_write_wakeup`): send what fits of a window that is open but
    /// too small for the next segment, with PSH; returns false if the
    /// window is closed.
    pub(crate) fn send_window_wakeup(&mut self, now: Instant, cfg: &Config) -> bool {
        let wnd_end = self.snd_una + self.snd_wnd as usize;
        let Some(chunk) = self.send.next_chunk() else {
            return false;
        };
        if self.snd_nxt >= wnd_end {
            return false;
        }
        let chunk_len = chunk.end.distance_from(self.snd_nxt);
        let room = wnd_end.distance_from(self.snd_nxt);
        if room < chunk_len.min(self.mss) {
            self.send.push_first(self.snd_nxt, room.min(self.mss));
        }
        match self.next_new_segment(now, cfg, true) {
            Some(seg) => {
                self.queue_control(seg);
                true
            }
            None => false,
        }
    }

    /// A probe for keepalive or a zero window: an ACK with SEG.SEQ = SND.UNA − 1
    /// and no data (Linux `tcp_xmit_probe_skb`).
    pub(crate) fn send_probe(&mut self, now: Instant, cfg: &Config) {
        let seg = self.base_segment(now, self.snd_una - 1, Flags::ACK);
        let seg = self.finish(now, seg, cfg);
        self.queue_control(seg);
    }

    /// Queue an immediate ACK (challenge ACKs, duplicate ACKs).
    pub(crate) fn queue_ack(&mut self, now: Instant, cfg: &Config) {
        let seg = self.base_segment(now, self.snd_nxt, Flags::ACK);
        let seg = self.finish(now, seg, cfg);
        self.queue_control(seg);
    }

    /// RFC 5961 §3.2/§4.2 challenge ACK, rate-limited per connection (Linux
    /// `tcp_send_challenge_ack` with `tcp_invalid_ratelimit`).
    pub(crate) fn challenge_ack(&mut self, now: Instant, cfg: &Config) {
        self.drops.challenged += 1;
        if self.oow_rate_limited(now, cfg) {
            self.drops.rate_limited += 1;
            return;
        }
        self.queue_ack(now, cfg);
    }

    /// Linux `tcp_oow_rate_limited`.
    pub(crate) fn oow_rate_limited(&mut self, now: Instant, cfg: &Config) -> bool {
        if let Some(last) = self.last_oow_ack {
            if now - last < cfg.invalid_ratelimit {
                return true;
            }
        }
        self.last_oow_ack = Some(now);
        false
    }
}
