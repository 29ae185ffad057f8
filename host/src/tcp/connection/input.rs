//! Segment arrival (RFC 9293 §3.10.7, in Linux's order: `tcp_rcv_synsent_state_process`,
//! `tcp_validate_incoming`, `tcp_ack`, `tcp_data_queue`, `tcp_fin`).
//!
//! Invariant: every check on a peer-supplied value happens before the value is
//! used, and all sequence arithmetic wraps; a hostile segment can at worst be
//! dropped, be answered, or reset this one connection (RFC 5961 limits even that).

use core::time::Duration;

use crate::time::Instant;

use super::super::config::Config;
use super::super::error::ConnError;
use super::super::segment::{SackBlock, Segment, SeqNumber};
use super::state::State;
use super::timers::Timer;
use super::{ConnEvent, Connection};

/// What ACK processing made of a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AckVerdict {
    /// Acknowledges unsent data or far too old: dropped (answered by a
    /// challenge ACK, or a RST in SYN-RECEIVED).
    Unacceptable,
    /// Below SND.UNA but within the window: the ACK is ignored, the data
    /// (if any) is still processed.
    Old,
    /// A current ACK: taken.
    Accepted,
}

/// RFC 7323 §5.5: a `ts_recent` idle this long is no longer trusted for PAWS.
const PAWS_IDLE: Duration = Duration::from_secs(24 * 24 * 3600);

impl Connection {
    /// Process one segment addressed to this connection.
    pub(crate) fn handle_segment(&mut self, now: Instant, seg: &Segment, cfg: &Config) {
        match self.state {
            State::SynSent => self.on_syn_sent(now, seg, cfg),
            State::Closed | State::Listen | State::TimeWait => {}
            _ => self.on_synchronized(now, seg, cfg),
        }
        self.check_linger();
    }

    /// RTT from an echoed timestamp (RFC 7323 §4), Linux `tcp_rtt_tsopt_us` (1 ms floor).
    fn ts_rtt(&self, now: Instant, seg: &Segment) -> Option<Duration> {
        let ts = seg.options.timestamps?;
        if !self.ts_ok || ts.tsecr == 0 {
            return None;
        }
        let delta = self.tsval(now).wrapping_sub(ts.tsecr);
        if delta >= 1 << 31 {
            return None;
        }
        Some(Duration::from_millis(u64::from(delta.max(1))))
    }

    /// RST in reply to `seg` (RFC 9293 §3.10.7.1 rules for an unacceptable ACK).
    fn reply_reset(&mut self, seg: &Segment) {
        if let Some(rst) = super::super::engine::reset_for(seg) {
            self.queue_control(rst);
        }
    }

    /// SYN-SENT (RFC 9293 §3.10.7.3; SPEC H1, H4, H6, H7, H10).
    fn on_syn_sent(&mut self, now: Instant, seg: &Segment, cfg: &Config) {
        let f = seg.flags;
        let ack_ok = f.ack() && seg.ack > self.iss && seg.ack <= self.snd_nxt;
        if f.ack() && !ack_ok {
            // SPEC H4: an old duplicate SYN-ACK gets RST (seq = SEG.ACK); keep
            // waiting. Linux also re-arms the SYN timer at its minimum
            // (`TCP_TIMEOUT_MIN`) unless the SYN was already retransmitted, so
            // the SYN goes again at once: the RST may have been meant for a
            // peer still holding an old connection on this 4-tuple.
            if !f.rst() {
                self.reply_reset(seg);
                if self.retransmits == 0 {
                    self.timers.set(Timer::Retransmit, now + cfg.timeout_min);
                }
            }
            return;
        }
        if f.rst() {
            if ack_ok {
                self.set_closed(Some(ConnError::Refused));
            }
            return;
        }
        if !f.syn() {
            return;
        }
        self.irs = seg.seq;
        self.rcv_nxt = seg.seq + 1;
        self.rcv_wup = self.rcv_nxt;
        if let (true, Some(ts)) = (cfg.timestamps, seg.options.timestamps) {
            self.ts_ok = true;
            self.ts_recent = ts.tsval;
            self.ts_recent_stamp = now;
        }
        match (cfg.window_scaling, seg.options.window_scale) {
            (true, Some(ws)) => self.snd_wscale = ws.min(14),
            _ => {
                self.snd_wscale = 0;
                self.rcv_wscale = 0;
            }
        }
        self.sack_ok = cfg.sack && seg.options.sack_permitted;
        self.set_mss(seg.options.mss.unwrap_or(cfg.default_mss), cfg);
        // RFC 7323 §2.2: the window field of a SYN is never scaled.
        self.snd_wnd = u32::from(seg.window);
        self.max_window = self.snd_wnd;
        self.snd_wl1 = seg.seq;
        self.snd_wl2 = seg.ack;
        if ack_ok {
            // SPEC H7: connect() completes on the SYN-ACK.
            let syn = self.send.rtx.pop_front();
            self.snd_una = seg.ack;
            match syn {
                Some(s) if !s.retransmitted => self.rtt.sample(now - s.first_sent),
                _ => match self.ts_rtt(now, seg) {
                    Some(rtt) => self.rtt.sample(rtt),
                    // RFC 6298 §5.7, SPEC R1.
                    None => self.rtt.set_rto(cfg.rto_fallback),
                },
            }
            self.state = State::Established;
            self.retransmits = 0;
            self.retrans_stamp = None;
            self.timers.stop(Timer::Retransmit);
            self.last_rcv = now;
            self.ack_now = true;
            self.events.push_back(ConnEvent::Connected);
            if self.opts.keepalive {
                let idle = self.opts.keepalive_time(cfg);
                self.timers.set(Timer::Keepalive, now + idle);
            }
        } else {
            // SPEC H10: simultaneous open; our SYN becomes a SYN-ACK with the same ISS.
            self.state = State::SynReceived;
            self.send.rtx.set_lost(0, true);
            self.rtx_head_now = true;
        }
    }

    /// Every state after SYN-SENT (Linux `tcp_rcv_state_process`).
    fn on_synchronized(&mut self, now: Instant, seg: &Segment, cfg: &Config) {
        let f = seg.flags;
        // PAWS (RFC 7323 §5.3; SPEC T13).
        if self.ts_ok && !f.rst() {
            if let Some(ts) = seg.options.timestamps {
                let older = (ts.tsval.wrapping_sub(self.ts_recent) as i32) < 0;
                if older && now - self.ts_recent_stamp <= PAWS_IDLE {
                    self.drops.paws += 1;
                    if !self.oow_limited_for(now, seg, cfg) {
                        self.queue_ack(now, cfg);
                    }
                    return;
                }
            }
        }
        // Sequence check (RFC 9293 §3.10.7.4 first; Linux `tcp_sequence`).
        let rwnd = self.receive_window_remaining() as usize;
        let in_window = seg.seq_end() >= self.rcv_wup && seg.seq <= self.rcv_nxt + rwnd;
        if !in_window {
            self.drops.out_of_window += 1;
            if f.rst() {
                // RFC 5961 §3.2: out-of-window RST is silently dropped (SPEC R6).
                return;
            }
            if f.syn() {
                self.challenge_ack(now, cfg);
                return;
            }
            if !self.oow_limited_for(now, seg, cfg) {
                self.queue_ack(now, cfg);
            }
            return;
        }
        // RST (RFC 5961 §3.2; SPEC R6, H4, T14).
        if f.rst() {
            let exact = seg.seq == self.rcv_nxt
                || (matches!(
                    self.state,
                    State::CloseWait | State::LastAck | State::Closing
                ) && seg.seq == self.rcv_nxt - 1);
            if exact {
                // Linux `tcp_reset`: ECONNRESET in every synchronized state
                // (and in SYN-RECEIVED; only SYN-SENT is "refused").
                self.set_closed(Some(ConnError::Reset));
            } else {
                self.challenge_ack(now, cfg);
            }
            return;
        }
        // SYN in a synchronized state (RFC 5961 §4.2), except the SYN-ACK of a simultaneous open.
        if f.syn() {
            let simultaneous = self.state == State::SynReceived
                && f.ack()
                && seg.seq + 1 == self.rcv_nxt
                && seg.ack == self.snd_nxt;
            if !simultaneous {
                self.challenge_ack(now, cfg);
                return;
            }
        }
        if !f.ack() {
            return;
        }
        match self.process_ack(now, seg, cfg) {
            AckVerdict::Unacceptable => return,
            AckVerdict::Old => {}
            AckVerdict::Accepted => self.update_ts_recent(now, seg),
        }
        if self.state == State::Closed {
            return;
        }
        self.process_data(now, seg, cfg);
        self.schedule_ack(now, cfg);
    }

    /// `tcp_oow_rate_limited`: only data-less, SYN-less segments are rate-limited.
    fn oow_limited_for(&mut self, now: Instant, seg: &Segment, cfg: &Config) -> bool {
        if !seg.payload.is_empty() && !seg.flags.syn() {
            return false;
        }
        let limited = self.oow_rate_limited(now, cfg);
        if limited {
            self.drops.rate_limited += 1;
        }
        limited
    }

    /// RFC 7323 §4.3: remember TSval if the segment covers Last.ACK.sent.
    /// Called only for a segment that passed every acceptability check,
    /// the ACK's included (Linux `tcp_replace_ts_recent` inside `tcp_ack`):
    /// a spoofed segment with a far-future TSval must not poison PAWS.
    fn update_ts_recent(&mut self, now: Instant, seg: &Segment) {
        if let (true, Some(ts)) = (self.ts_ok, seg.options.timestamps) {
            if seg.seq <= self.rcv_wup && (ts.tsval.wrapping_sub(self.ts_recent) as i32) >= 0 {
                self.ts_recent = ts.tsval;
                self.ts_recent_stamp = now;
            }
        }
    }

    /// ACK processing (RFC 9293 §3.10.7.4 fifth; RFC 5961 §5.2; SPEC R1, R2).
    ///
    /// Nothing a segment carries (window, timestamps, SACK blocks, liveness
    /// for keepalive) is taken before its ACK is known to be acceptable.
    fn process_ack(&mut self, now: Instant, seg: &Segment, cfg: &Config) -> AckVerdict {
        let prior_packets = !self.send.rtx.is_empty();
        if self.state == State::SynReceived {
            if !(seg.ack > self.snd_una && seg.ack <= self.snd_nxt) {
                self.reply_reset(seg);
                return AckVerdict::Unacceptable;
            }
            self.state = State::Established;
            self.snd_wnd = u32::from(seg.window) << self.snd_wscale;
            self.max_window = self.max_window.max(self.snd_wnd);
            self.snd_wl1 = seg.seq;
            self.snd_wl2 = seg.ack;
            self.events.push_back(ConnEvent::Connected);
            if self.opts.keepalive {
                let idle = self.opts.keepalive_time(cfg);
                self.timers.set(Timer::Keepalive, now + idle);
            }
        }
        if seg.ack > self.snd_nxt || seg.ack < self.snd_una - self.max_window as usize {
            self.drops.bad_ack += 1;
            self.challenge_ack(now, cfg);
            return AckVerdict::Unacceptable;
        }
        if seg.ack < self.snd_una {
            // Old ACK: ignore it, but process the data (Linux `old_ack`:
            // no window update, no liveness, no TS.Recent).
            return AckVerdict::Old;
        }
        self.last_rcv = now;
        self.probes_out = 0;
        // Linux `tcp_ack`: "We passed data and got it acked, remove any
        // soft error log. Something worked..."
        self.soft_error = None;
        let nwin = u32::from(seg.window) << self.snd_wscale;
        let old_wnd = self.snd_wnd;
        let may_update = seg.ack > self.snd_una
            || seg.seq > self.snd_wl1
            || (seg.seq == self.snd_wl1 && (nwin > self.snd_wnd || nwin == 0));
        if may_update {
            self.snd_wnd = nwin;
            self.snd_wl1 = seg.seq;
            self.snd_wl2 = seg.ack;
            self.max_window = self.max_window.max(nwin);
        }
        if !prior_packets && self.has_unsent() {
            self.ack_probe(now, cfg);
        }
        let mut newly_sacked = 0;
        if self.sack_ok && !seg.options.sack_blocks.is_empty() {
            newly_sacked = self.send.rtx.apply_sack(
                &seg.options.sack_blocks,
                seg.ack.max(self.snd_una),
                self.snd_nxt,
            );
        }
        let advanced = seg.ack > self.snd_una;
        if advanced {
            self.on_new_ack(now, seg, newly_sacked, cfg);
        } else if seg.payload.is_empty()
            && !seg.flags.fin()
            && nwin == old_wnd
            && !self.send.rtx.is_empty()
        {
            self.on_dupack(newly_sacked, cfg);
        }
        if seg.ack == self.snd_una
            && !advanced
            && seg.payload.is_empty()
            && self.tlp_high_seq == Some(seg.ack)
        {
            // Original and probe both arrived: no loss (Linux, pure dupack).
            self.tlp_high_seq = None;
        }
        AckVerdict::Accepted
    }

    fn on_new_ack(&mut self, now: Instant, seg: &Segment, newly_sacked: u32, cfg: &Config) {
        let ack = seg.ack;
        let mut acked_pkts = 0u32;
        let mut acked_bytes = 0usize;
        let mut any_retransmitted = false;
        let mut oldest: Option<Instant> = None;
        while let Some(head) = self.send.rtx.front() {
            if head.end() <= ack {
                any_retransmitted |= head.retransmitted;
                if !head.retransmitted && oldest.is_none() {
                    oldest = Some(head.first_sent);
                }
                acked_bytes += head.len;
                acked_pkts += 1;
                self.send.rtx.pop_front();
            } else {
                if head.seq < ack {
                    // Partial ACK of a segment: trim its head (Linux `tcp_trim_head`).
                    let n = ack.distance_from(head.seq).min(head.len);
                    self.send.rtx.trim_front(n);
                    acked_bytes += n;
                }
                break;
            }
        }
        // Karn's rule (RFC 6298 §3), with timestamps as the way around it (RFC 7323 §4).
        match (any_retransmitted, oldest) {
            (false, Some(t)) => self.rtt.sample(now - t),
            _ => {
                if let Some(rtt) = self.ts_rtt(now, seg) {
                    self.rtt.sample(rtt);
                }
            }
        }
        self.send.consume(acked_bytes);
        self.buf_base += acked_bytes;
        self.snd_una = ack;
        self.retransmits = 0;
        self.retrans_stamp = None;
        if !self.sack_ok && acked_pkts > 0 {
            // Linux `tcp_remove_reno_sacks`: one ACK fills the hole, the rest
            // eat duplicate ACKs.
            self.cc.reno_sacked = self.cc.reno_sacked.saturating_sub(acked_pkts - 1);
        }
        match self.cc.recovery {
            Some(recover) if ack >= recover => {
                self.cc.exit_recovery();
                self.send.rtx.end_recovery();
            }
            Some(_) => {
                // RFC 6582 §3.2 step 5: a partial ACK shows the next hole
                // (Linux `tcp_newreno_mark_lost`); with SACK the scoreboard
                // shows every hole (RFC 6675). PRR paces the repairs.
                let mut newly_lost = false;
                if let Some(h) = self.send.rtx.front() {
                    if !h.is_lost() && !h.is_sacked() && (!h.rtx_pending || !self.sack_ok) {
                        self.send.rtx.set_lost(0, true);
                        newly_lost = true;
                    }
                }
                if self.sack_ok {
                    self.send.rtx.mark_lost_by_sack(cfg.dupack_threshold);
                }
                let in_flight = self.in_flight();
                self.cc
                    .prr_update(acked_pkts + newly_sacked, in_flight, true, newly_lost);
            }
            // Linux `tcp_cong_avoid`: grow only when the window was the limit.
            None if self.cc.is_cwnd_limited() => self.cc.on_ack(acked_pkts),
            None => self.cc.dupacks = 0,
        }
        self.process_tlp_ack(ack);
        if self.send.rtx.is_empty() {
            self.timers.stop(Timer::Retransmit);
            self.timers.stop(Timer::LossProbe);
        } else if !self.schedule_loss_probe(now, cfg, true) {
            // RFC 6298 §5.3.
            self.timers.stop(Timer::LossProbe);
            self.timers.set(Timer::Retransmit, now + self.rtt.rto());
        }
        if acked_bytes > 0 && self.state.can_send_data() && !self.fin_queued {
            self.events.push_back(ConnEvent::Writable);
        }
        // Our FIN acknowledged?
        if let Some(fin) = self.fin_seq {
            if ack > fin {
                match self.state {
                    State::FinWait1 => {
                        self.state = State::FinWait2;
                        if self.orphan {
                            // SPEC T6.
                            self.timers.set(Timer::FinWait2, now + cfg.fin_timeout);
                        }
                    }
                    State::Closing => self.state = State::TimeWait,
                    State::LastAck => self.set_closed(None),
                    _ => {}
                }
            }
        }
    }

    /// Linux `tcp_process_tlp_ack`: an ACK beyond the probe after a
    /// retransmitted probe means a loss was repaired: halve cwnd (CWR).
    fn process_tlp_ack(&mut self, ack: SeqNumber) {
        let Some(high) = self.tlp_high_seq else {
            return;
        };
        if ack < high {
            return;
        }
        if !self.tlp_retrans {
            self.tlp_high_seq = None;
        } else if ack > high {
            self.cc.ssthresh = (self.cc.cwnd / 2).max(2);
            self.cc.cwnd = self.cc.ssthresh;
            self.tlp_high_seq = None;
        }
    }

    /// RFC 5681 §3.2 / RFC 6582: count duplicate ACKs; the third triggers
    /// fast retransmit. In recovery, PRR (RFC 6937) sets the window.
    fn on_dupack(&mut self, newly_sacked: u32, cfg: &Config) {
        self.cc.dupacks = self.cc.dupacks.saturating_add(1);
        let delivered = if self.sack_ok {
            newly_sacked
        } else {
            // Linux `tcp_add_reno_sack`, capped at packets_out - 1.
            let cap = (self.send.rtx.len() as u32).saturating_sub(1);
            let before = self.cc.reno_sacked;
            self.cc.reno_sacked = (before + 1).min(cap);
            self.cc.reno_sacked.saturating_sub(before)
        };
        if self.cc.recovery.is_some() {
            if self.sack_ok {
                self.send.rtx.mark_lost_by_sack(cfg.dupack_threshold);
            }
            let in_flight = self.in_flight();
            self.cc.prr_update(delivered, in_flight, false, false);
            return;
        }
        if self.cc.dupacks == cfg.dupack_threshold {
            self.cc.enter_recovery(self.snd_nxt);
            if self.sack_ok {
                self.send.rtx.mark_lost_by_sack(cfg.dupack_threshold);
            }
            self.send.rtx.set_lost(0, true);
            let in_flight = self.in_flight();
            // At least one segment (the fast retransmission) goes out now.
            self.cc.prr_update(delivered.max(1), in_flight, false, true);
        }
    }

    /// Segment text and FIN (RFC 9293 §3.10.7.4 seventh and eighth; SPEC R3, T1–T4).
    fn process_data(&mut self, now: Instant, seg: &Segment, cfg: &Config) {
        if seg.flags.syn() {
            // SPEC H10: the peer's SYN-ACK in a simultaneous open repeats a
            // sequence number we hold already. Linux's `tcp_data_queue`
            // takes it as old data: D-SACK it and ACK at once.
            self.set_dsack(seg.seq, seg.seq + 1, cfg);
            self.enter_quickack(cfg);
            self.ack_now = true;
            self.ack_pending = true;
            return;
        }
        let has_text = !seg.payload.is_empty();
        if !has_text && !seg.flags.fin() {
            return;
        }
        if !self.state.can_receive_data() {
            // CLOSE-WAIT, CLOSING, LAST-ACK: a retransmission of what we have
            // is re-acknowledged at once; anything new is ignored.
            if seg.seq < self.rcv_nxt {
                self.set_dsack(seg.seq, seg.seq_end().min(self.rcv_nxt), cfg);
                self.enter_quickack(cfg);
                self.ack_now = true;
                self.ack_pending = true;
            }
            return;
        }
        let text_end = seg.seq + seg.payload.len();
        if self.orphan && text_end > self.rcv_nxt && has_text {
            // Linux: new data after close() resets (RFC 1122 §4.2.2.13).
            self.reply_reset(seg);
            self.set_closed(Some(ConnError::Reset));
            return;
        }
        if seg.seq_end() <= self.rcv_nxt {
            // Entirely old: a retransmission; ACK at once with a D-SACK
            // (RFC 2883; Linux quick-ACK mode).
            self.set_dsack(seg.seq, seg.seq_end(), cfg);
            self.enter_quickack(cfg);
            self.ack_now = true;
            self.ack_pending = true;
            return;
        }
        if seg.seq < self.rcv_nxt && has_text {
            // Partly old (Linux: D-SACK the part below RCV.NXT).
            self.set_dsack(seg.seq, self.rcv_nxt, cfg);
        }
        if has_text {
            if self.receive_window_remaining() == 0 && seg.seq == self.rcv_nxt {
                // Zero window: drop and re-advertise (this answers window probes).
                self.ack_now = true;
                self.ack_pending = true;
                return;
            }
            let had_ooo = self.recv.has_ooo();
            let right = self.rcv_nxt
                + (self.receive_window_remaining() as usize).max(self.free_space(cfg) as usize);
            let r = self.recv.insert(
                self.rcv_nxt,
                seg.seq,
                &seg.payload,
                right,
                cfg.max_ooo_ranges,
            );
            self.drops.ooo_pruned += r.pruned as u64;
            if r.out_of_order && r.duplicate {
                self.set_dsack(seg.seq, text_end, cfg);
            }
            if r.delivered > 0 {
                self.rcv_nxt += r.delivered;
                self.data_received(now, seg.payload.len(), cfg);
                self.events.push_back(ConnEvent::Readable);
                if had_ooo && !self.recv.has_ooo() {
                    // RFC 5681 §4.2: ACK at once when a gap fills.
                    self.ack_now = true;
                    self.ack_pending = true;
                }
            }
            if r.out_of_order || r.duplicate {
                self.ack_now = true;
                self.ack_pending = true;
            }
        }
        if seg.flags.fin() && text_end > self.rcv_nxt {
            // FIN beyond a hole: held with the out-of-order data (SPEC R3).
            self.fin_at = Some(text_end);
            self.ack_now = true;
            self.ack_pending = true;
        }
        let fin_due =
            (seg.flags.fin() && text_end == self.rcv_nxt) || self.fin_at == Some(self.rcv_nxt);
        if fin_due && !self.fin_received {
            self.fin_at = None;
            self.on_fin(now, cfg);
        }
    }

    /// Remember a duplicate range for the next ACK (RFC 2883 D-SACK, Linux `tcp_dsack_set`).
    fn set_dsack(&mut self, left: SeqNumber, right: SeqNumber, cfg: &Config) {
        if self.sack_ok && cfg.sack && left < right {
            self.dsack = Some(SackBlock { left, right });
        }
    }

    /// Linux `tcp_event_data_recv`: quick-ACK budget and ATO estimation.
    fn data_received(&mut self, now: Instant, len: usize, cfg: &Config) {
        self.ack_pending = true;
        // Linux `tcp_measure_rcv_mss`: a segment below the estimate marks the
        // data as pushed, which lets a full read acknowledge it at once.
        if len >= self.rcv_mss {
            self.rcv_mss = len.min(usize::from(cfg.adv_mss()));
        } else {
            self.pushed = if self.pushed > 0 { 2 } else { 1 };
        }
        match self.last_data_rcv {
            None => {
                self.incr_quickack(cfg);
                self.ato = cfg.delack_min;
            }
            Some(last) => {
                let m = now - last;
                if m <= cfg.delack_min / 2 {
                    self.ato = self.ato / 2 + cfg.delack_min / 2;
                } else if m < self.ato {
                    self.ato = (self.ato / 2 + m).min(self.rtt.rto());
                } else if m > self.rtt.rto() {
                    self.incr_quickack(cfg);
                }
            }
        }
        self.last_data_rcv = Some(now);
        // Linux `tcp_grow_window`, simplified: open by two segments per segment.
        let clamp = (cfg.rcv_buf / 2) as u32;
        if self.rcv_ssthresh < clamp {
            self.rcv_ssthresh = (self.rcv_ssthresh + 2 * self.rcv_mss as u32).min(clamp);
        }
    }

    /// Linux `tcp_incr_quickack`.
    fn incr_quickack(&mut self, cfg: &Config) {
        let q = (self.rcv_wnd as usize / (2 * self.rcv_mss.max(1))).max(2) as u32;
        self.quick = self.quick.max(q.min(cfg.max_quickacks));
    }

    /// Linux `tcp_enter_quickack_mode`.
    fn enter_quickack(&mut self, cfg: &Config) {
        self.incr_quickack(cfg);
        self.pingpong = false;
        self.ato = cfg.delack_min;
    }

    /// The peer's FIN, in order (Linux `tcp_fin`).
    fn on_fin(&mut self, _now: Instant, _cfg: &Config) {
        self.rcv_nxt += 1;
        self.fin_received = true;
        self.events.push_back(ConnEvent::PeerClosed);
        match self.state {
            State::Established => {
                // SPEC T2. Linux enters ping-pong mode: the ACK is delayed, so
                // an immediate close() piggybacks it on our FIN.
                self.state = State::CloseWait;
                self.ack_pending = true;
                self.pingpong = true;
            }
            State::FinWait1 => {
                // SPEC T3 (T4 went through FIN-WAIT-2 in process_ack).
                self.state = State::Closing;
                self.ack_now = true;
                self.ack_pending = true;
            }
            State::FinWait2 => {
                // SPEC T1.
                self.state = State::TimeWait;
                self.ack_now = true;
                self.ack_pending = true;
            }
            _ => {}
        }
    }

    /// Decide between an immediate and a delayed ACK (Linux `__tcp_ack_snd_check`; SPEC R5).
    fn schedule_ack(&mut self, now: Instant, cfg: &Config) {
        if self.ack_now || !self.ack_pending {
            return;
        }
        let unacked = self.rcv_nxt.distance_from(self.rcv_wup);
        let quick = self.quick > 0 && !self.pingpong;
        if unacked > self.rcv_mss || quick || self.recv.has_ooo() {
            self.ack_now = true;
            return;
        }
        // Linux `tcp_send_delayed_ack`: a large ATO is bounded by the RTT and
        // by 200 ms in ping-pong mode (500 ms otherwise), then by `delack_max`.
        let mut ato = self.ato;
        if ato > cfg.delack_min {
            let mut max_ato = if self.pingpong {
                cfg.delack_max
            } else {
                Duration::from_millis(500)
            };
            if let Some(srtt) = self.rtt.srtt() {
                max_ato = max_ato.min(srtt.max(cfg.delack_min));
            }
            ato = ato.min(max_ato);
        }
        let at = now + ato.min(cfg.delack_max);
        match self.timers.get(Timer::DelayedAck) {
            Some(t) if t <= at => {}
            _ => self.timers.set(Timer::DelayedAck, at),
        }
    }
}
