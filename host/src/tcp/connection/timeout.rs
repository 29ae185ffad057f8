//! Timer expiry: retransmission (SPEC R1, H5, T8), zero-window probes (R4),
//! delayed ACK (R5), keepalive (K1) and the orphaned FIN-WAIT-2 limit (T6).
//!
//! Invariant: a timer handler either re-arms its timer or leaves it off; it
//! never leaves a connection with data outstanding and no retransmit timer.

use crate::time::Instant;

use super::super::config::Config;
use super::super::segment::SeqNumber;
use super::Connection;
use super::state::State;
use super::timers::Timer;

impl Connection {
    /// Run every timer due at `now`.
    pub(crate) fn handle_timeout(&mut self, now: Instant, cfg: &Config) {
        while let Some(t) = self.timers.expire(now) {
            match t {
                Timer::Retransmit => {
                    self.tlp_high_seq = None;
                    self.on_retransmit_timer(now, cfg)
                }
                Timer::LossProbe => self.send_loss_probe(now, cfg),
                Timer::Probe => self.on_probe_timer(now, cfg),
                Timer::DelayedAck => self.on_delack_timer(cfg),
                Timer::Keepalive => self.on_keepalive_timer(now, cfg),
                Timer::FinWait2 => {
                    if self.state == State::FinWait2 {
                        self.set_closed(None);
                    }
                }
                // Linux: close() returns; the connection goes on in the background.
                Timer::Linger => self.end_linger(false),
            }
            if self.state == State::Closed {
                break;
            }
        }
        self.check_linger();
    }

    /// Linux `tcp_retransmit_timer` + `tcp_write_timeout`.
    fn on_retransmit_timer(&mut self, now: Instant, cfg: &Config) {
        if self.send.rtx.is_empty() {
            return;
        }
        match self.state {
            State::SynSent | State::SynReceived => {
                // SPEC H5: count-based; linear timeouts extend the budget (Linux ≥ 6.5).
                let linear = if self.state == State::SynSent {
                    cfg.syn_linear_timeouts
                } else {
                    0
                };
                if self.retransmits >= cfg.syn_retries.saturating_add(linear) {
                    self.write_err();
                    return;
                }
                self.retransmits += 1;
                if self.retransmits > linear {
                    self.rtt.backoff();
                }
            }
            _ => {
                // SPEC R1, T8: a time budget modelled on retries2 (orphans: orphan_retries).
                let boundary = if self.orphan {
                    cfg.orphan_retries
                } else {
                    cfg.retries2
                };
                if let Some(start) = self.retrans_stamp {
                    if self.retransmits > 0
                        && now - start >= cfg.model_timeout(boundary, cfg.rto_min)
                    {
                        self.write_err();
                        return;
                    }
                }
                self.cc.on_rto(self.retransmits == 0);
                // Linux `tcp_enter_loss`: everything not SACKed is lost.
                self.send.rtx.mark_all_lost();
                self.retransmits += 1;
                self.rtt.backoff();
            }
        }
        self.send.rtx.set_lost(0, true);
        self.rtx_head_now = true;
        self.timers.set(Timer::Retransmit, now + self.rtt.rto());
    }

    /// RFC 6069 (Linux `tcp_ld_RTO_revert`): a network or host unreachable
    /// quoting SND.UNA while the RTO is backed off means the retransmissions
    /// met a broken path, not congestion. Take one doubling back and rearm
    /// from the head's last transmission, resending now if that time has
    /// already passed.
    pub(crate) fn revert_rto_backoff(&mut self, now: Instant, seq: SeqNumber, cfg: &Config) {
        if seq != self.snd_una || self.retransmits == 0 || !self.state.is_synchronized() {
            return;
        }
        let Some(last_sent) = self.send.rtx.front().map(|s| s.last_sent) else {
            return;
        };
        if !self.rtt.undo_backoff(cfg.rto_initial) {
            return;
        }
        let due = last_sent + self.rtt.rto();
        if due > now {
            self.timers.set(Timer::Retransmit, due);
        } else {
            self.tlp_high_seq = None;
            self.on_retransmit_timer(now, cfg);
        }
    }

    /// Zero-window probe (Linux `tcp_probe_timer` and `tcp_send_probe0`; SPEC R4).
    fn on_probe_timer(&mut self, now: Instant, cfg: &Config) {
        if !self.send.rtx.is_empty() || !self.has_unsent() {
            self.probes_out = 0;
            return;
        }
        let max = if self.orphan {
            cfg.orphan_retries
        } else {
            cfg.retries2
        };
        if self.probes_out >= max {
            self.write_err();
            return;
        }
        if self.send_window_wakeup(now, cfg) {
            // Data went out: the retransmission timer takes over.
            self.probes_out = 0;
            self.probe_backoff = 0;
            return;
        }
        self.send_probe(now, cfg);
        self.probes_out += 1;
        // The backoff outlives answered probes; `tcp_ack_probe` clears it
        // only when the window opens.
        if self.probe_backoff < cfg.retries2 {
            self.probe_backoff += 1;
        }
        let at = now + self.probe_interval(cfg);
        self.timers.set(Timer::Probe, at);
    }

    /// Linux `tcp_delack_timer_handler`.
    fn on_delack_timer(&mut self, cfg: &Config) {
        if !self.ack_pending {
            return;
        }
        if self.pingpong {
            self.pingpong = false;
            self.ato = cfg.delack_min;
        } else {
            self.ato = (self.ato * 2).min(self.rtt.rto());
        }
        self.ack_now = true;
    }

    /// Linux `tcp_keepalive_timer` (SPEC K1), with the socket's timings (SPEC R9).
    fn on_keepalive_timer(&mut self, now: Instant, cfg: &Config) {
        if !self.opts.keepalive || !self.state.is_synchronized() {
            return;
        }
        let time = self.opts.keepalive_time(cfg);
        if !self.send.rtx.is_empty() || self.end_of_buffer() != self.snd_nxt {
            self.timers.set(Timer::Keepalive, now + time);
            return;
        }
        let idle = now - self.last_rcv;
        if idle >= time {
            if self.probes_out >= self.opts.keepalive_probes(cfg) {
                self.send_active_reset(now, cfg);
                self.write_err();
                return;
            }
            self.send_probe(now, cfg);
            self.probes_out += 1;
            self.timers
                .set(Timer::Keepalive, now + self.opts.keepalive_intvl(cfg));
        } else {
            self.timers.set(Timer::Keepalive, now + (time - idle));
        }
    }
}
