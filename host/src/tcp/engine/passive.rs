//! Passive open: segments for a listener (SPEC H1, H4, H5, H7, H8, H9;
//! Linux `tcp_conn_request`, `tcp_check_req`, `reqsk_timer_handler`,
//! `cookie_v4_check`): SYN-ACKs from the SYN queue or as SYN cookies,
//! their retransmission, and the final ACK that makes a connection.
//!
//! Invariants (with `listener`'s):
//! - A SYN-ACK is retransmitted after 1, 2, 4, 8, 16 s and the record dropped
//!   32 s after the last (63 s in all) with the default config (SPEC H5).
//! - A SYN cookie keeps no state: a returning ACK is checked against the
//!   current and previous time slot only.

use core::time::Duration;

use crate::time::Instant;

use super::super::config::SynCookies;
use super::super::connection::{Connection, Negotiated, initial_window};
use super::super::handles::{Event, ListenerHandle};
use super::super::isn::{
    COOKIE_MSS_TABLE, cookie_mss_index, cookie_timestamp, cookie_timestamp_decode,
};
use super::super::listener::RequestSock;
use super::super::segment::{Flags, FourTuple, Segment, SeqNumber, Timestamps};
use super::Engine;

/// Linux `tcp_in_window` for a request sock.
fn in_window(seq: SeqNumber, end: SeqNumber, s_win: SeqNumber, e_win: SeqNumber) -> bool {
    if seq == s_win {
        return true;
    }
    if end > s_win && seq < e_win {
        return true;
    }
    seq == e_win && seq == end
}

impl Engine {
    /// A segment for a listener's local address with no connection and no TIME-WAIT record.
    pub(crate) fn listener_segment(
        &mut self,
        now: Instant,
        l: ListenerHandle,
        seg: &Segment,
        tw_isn: Option<SeqNumber>,
    ) {
        self.listener_input(now, l, seg, tw_isn);
        self.refile_listener(l);
    }

    /// Keep the listener index entry for `l` equal to its next deadline.
    pub(crate) fn refile_listener(&mut self, l: ListenerHandle) {
        let Some(x) = self.listeners.get_mut(&l) else {
            return;
        };
        let next = x.next_timeout();
        if next == x.filed {
            return;
        }
        if let Some(old) = core::mem::replace(&mut x.filed, next) {
            self.listener_deadlines.remove(&(old, l));
        }
        if let Some(t) = next {
            self.listener_deadlines.insert((t, l));
        }
    }

    fn listener_input(
        &mut self,
        now: Instant,
        l: ListenerHandle,
        seg: &Segment,
        tw_isn: Option<SeqNumber>,
    ) {
        let tuple = seg.receiver_tuple();
        let Some(listener) = self.listeners.get(&l) else {
            return;
        };
        if listener.syn_queue.contains_key(&tuple) {
            self.check_req(now, l, tuple, seg);
            return;
        }
        let f = seg.flags;
        if f.rst() {
            return;
        }
        if f.ack() {
            if !f.syn() && self.try_cookie(now, l, seg) {
                return;
            }
            self.send_reset(seg);
            return;
        }
        if !f.syn() || f.fin() {
            return;
        }
        self.conn_request(now, l, seg, tw_isn);
    }

    /// A new SYN (Linux `tcp_conn_request`; SPEC H6, H8, H9).
    fn conn_request(
        &mut self,
        now: Instant,
        l: ListenerHandle,
        seg: &Segment,
        tw_isn: Option<SeqNumber>,
    ) {
        let tuple = seg.receiver_tuple();
        let cfg = &self.cfg;
        let Some(listener) = self.listeners.get_mut(&l) else {
            return;
        };
        let syn_full = listener.syn_queue.len() >= cfg.max_syn_backlog;
        let want_cookie = tw_isn.is_none()
            && match cfg.syncookies {
                SynCookies::Off => false,
                SynCookies::WhenFull => syn_full,
                SynCookies::Always => true,
            };
        if syn_full {
            listener.last_overflow = Some(now);
            if !want_cookie {
                self.stats.syn_queue_drops += 1;
                return;
            }
        }
        if listener.accept_queue_full() {
            self.stats.listen_overflows += 1;
            return;
        }
        let peer_ts = seg.options.timestamps.filter(|_| cfg.timestamps);
        // Linux: a cookie without timestamps cannot carry wscale or SACK.
        let cookie_plain = want_cookie && peer_ts.is_none();
        let snd_wscale = seg
            .options
            .window_scale
            .filter(|_| cfg.window_scaling && !cookie_plain)
            .map(|w| w.min(14));
        let sack_ok = cfg.sack && seg.options.sack_permitted && !cookie_plain;
        let peer_mss = seg.options.mss.unwrap_or(cfg.default_mss);
        let adv_mss = listener.opts.advertised_mss(cfg);
        let mss_eff = u32::from(adv_mss) - if peer_ts.is_some() { 12 } else { 0 };
        let rcv_wnd = initial_window(mss_eff, cfg);
        let ts_offset = self.secrets.ts_offset(tuple);
        let iss = match (tw_isn, want_cookie) {
            (Some(isn), _) => isn,
            (None, true) => {
                let count = cookie_count(now, cfg.syncookie_period);
                self.secrets.syn_cookie(
                    seg.src,
                    seg.dst,
                    seg.seq,
                    count,
                    cookie_mss_index(peer_mss),
                )
            }
            (None, false) => self.secrets.isn(tuple, now),
        };
        let req = RequestSock {
            tuple,
            iss,
            irs: seg.seq,
            peer_mss,
            snd_wscale,
            sack_ok,
            ts_recent: peer_ts.map(|t| t.tsval),
            ts_offset,
            rcv_wnd,
            adv_mss,
            first_sent: now,
            expires: now + cfg.rto_initial,
            num_timeout: 0,
            num_retrans: 0,
            acked: false,
            last_oow: None,
        };
        let mut synack = self.synack(now, &req);
        if want_cookie {
            if let Some(ts) = synack.options.timestamps.as_mut() {
                ts.tsval = cookie_timestamp(ts.tsval, snd_wscale, sack_ok);
            }
            self.stats.syncookies_sent += 1;
            self.queue_out(synack);
            return;
        }
        if let Some(listener) = self.listeners.get_mut(&l) {
            listener.add(req);
        }
        self.queue_out(synack);
    }

    /// The SYN-ACK for a request (Linux `tcp_make_synack`; options in Linux order, SPEC H6).
    fn synack(&self, now: Instant, req: &RequestSock) -> Segment {
        let mut s = Segment::new(
            req.tuple.local,
            req.tuple.remote,
            req.iss,
            req.irs + 1,
            Flags::SYN | Flags::ACK,
        );
        s.window = req.rcv_wnd.min(65_535) as u16;
        s.options.mss = Some(req.adv_mss);
        s.options.sack_permitted = req.sack_ok;
        if let Some(tsecr) = req.ts_recent {
            s.options.timestamps = Some(Timestamps {
                tsval: (now.total_millis() as u32).wrapping_add(req.ts_offset),
                tsecr,
            });
        }
        if req.snd_wscale.is_some() {
            s.options.window_scale = Some(self.cfg.rcv_wscale.min(14));
        }
        s
    }

    /// The ACK a request answers out-of-window segments with (Linux `tcp_v4_reqsk_send_ack`).
    fn req_ack(&self, now: Instant, req: &RequestSock) -> Segment {
        let mut s = Segment::new(
            req.tuple.local,
            req.tuple.remote,
            req.iss + 1,
            req.irs + 1,
            Flags::ACK,
        );
        let ws = if req.snd_wscale.is_some() {
            self.cfg.rcv_wscale.min(14)
        } else {
            0
        };
        s.window = (req.rcv_wnd >> ws).min(65_535) as u16;
        if let Some(tsecr) = req.ts_recent {
            s.options.timestamps = Some(Timestamps {
                tsval: (now.total_millis() as u32).wrapping_add(req.ts_offset),
                tsecr,
            });
        }
        s
    }

    fn req_rate_limited(
        &mut self,
        now: Instant,
        l: ListenerHandle,
        tuple: FourTuple,
        seg: &Segment,
    ) -> bool {
        if !seg.payload.is_empty() && !seg.flags.syn() {
            return false;
        }
        let limit = self.cfg.invalid_ratelimit;
        let Some(req) = self
            .listeners
            .get_mut(&l)
            .and_then(|x| x.syn_queue.get_mut(&tuple))
        else {
            return true;
        };
        if req.last_oow.is_some_and(|t| now - t < limit) {
            return true;
        }
        req.last_oow = Some(now);
        false
    }

    /// A copy of listener `l`'s SYN-queue entry for `tuple`, if it has one.
    fn syn_request(&self, l: ListenerHandle, tuple: &FourTuple) -> Option<RequestSock> {
        self.listeners.get(&l)?.syn_queue.get(tuple).cloned()
    }

    /// A segment for a SYN-queue entry (Linux `tcp_check_req`; SPEC H4, H5, H8).
    fn check_req(&mut self, now: Instant, l: ListenerHandle, tuple: FourTuple, seg: &Segment) {
        let Some(req) = self.syn_request(l, &tuple) else {
            return;
        };
        let f = seg.flags;
        let paws_reject = match (req.ts_recent, seg.options.timestamps) {
            (Some(recent), Some(ts)) if !f.rst() => (ts.tsval.wrapping_sub(recent) as i32) < 0,
            _ => false,
        };
        // A retransmitted SYN: resend the SYN-ACK and restart its timer.
        if seg.seq == req.irs && f == Flags::SYN && !paws_reject {
            if !self.req_rate_limited(now, l, tuple, seg) {
                let synack = self.synack(now, &req);
                self.queue_out(synack);
                let backoff = self.synack_timeout(req.num_timeout);
                if let Some(x) = self.listeners.get_mut(&l) {
                    x.restart(&tuple, now + backoff, false);
                }
            }
            return;
        }
        // An ACK of something other than our ISN+1: RST (SPEC H4).
        if f.ack() && seg.ack != req.iss + 1 {
            self.send_reset(seg);
            return;
        }
        let rcv_nxt = req.irs + 1;
        let wnd = req.rcv_wnd as usize;
        if paws_reject || !in_window(seg.seq, seg.seq_end(), rcv_nxt, rcv_nxt + wnd) {
            if !f.rst() && !self.req_rate_limited(now, l, tuple, seg) {
                let ack = self.req_ack(now, &req);
                self.queue_out(ack);
            }
            return;
        }
        let syn = f.syn() && seg.seq != req.irs;
        if f.rst() || syn {
            // SPEC H4: RST (or a new SYN) in window drops the embryonic connection.
            if !f.rst() {
                self.send_reset(seg);
            }
            if let Some(x) = self.listeners.get_mut(&l) {
                x.remove(&tuple);
            }
            return;
        }
        if !f.ack() {
            return;
        }
        // The final ACK (SPEC H7, H8).
        let full = self
            .listeners
            .get(&l)
            .is_some_and(|x| x.accept_queue_full());
        if full {
            self.stats.listen_overflows += 1;
            if self.cfg.abort_on_overflow {
                self.send_reset(seg);
                if let Some(x) = self.listeners.get_mut(&l) {
                    x.remove(&tuple);
                }
            } else if let Some(r) = self
                .listeners
                .get_mut(&l)
                .and_then(|x| x.syn_queue.get_mut(&tuple))
            {
                r.acked = true;
            }
            return;
        }
        if self.by_tuple.len() >= self.cfg.max_connections {
            self.stats.connection_limit_drops += 1;
            return;
        }
        let retransmitted = req.num_retrans > 0 || req.num_timeout > 0;
        let ts_recent = req.ts_recent.map(|old| {
            seg.options
                .timestamps
                .filter(|_| seg.seq <= rcv_nxt)
                .map_or(old, |t| t.tsval)
        });
        let n = Negotiated {
            iss: req.iss,
            irs: req.irs,
            peer_mss: req.peer_mss,
            snd_wscale: req.snd_wscale,
            sack_ok: req.sack_ok,
            ts_recent,
            ts_offset: req.ts_offset,
            synack_retransmitted: retransmitted,
            rcv_wnd: req.rcv_wnd,
            synack_sent: (!retransmitted).then_some(req.first_sent),
            ts_rtt: ts_rtt(now, req.ts_offset, ts_recent.and(seg.options.timestamps)),
        };
        if let Some(x) = self.listeners.get_mut(&l) {
            x.remove(&tuple);
        }
        self.create_child(now, l, tuple, &n, seg);
    }

    fn create_child(
        &mut self,
        now: Instant,
        l: ListenerHandle,
        tuple: FourTuple,
        n: &Negotiated,
        seg: &Segment,
    ) {
        let opts = self.listeners.get(&l).map(|x| x.opts).unwrap_or_default();
        let mut c = Connection::accept(now, tuple, n, opts, &self.cfg);
        self.spares.fit(&mut c);
        c.unaccepted = true;
        // Linux tcp_rcv_state_process (SYN-RECV): the window comes from the final ACK.
        c.snd_wnd = u32::from(seg.window) << c.snd_wscale;
        c.max_window = c.snd_wnd;
        c.snd_wl1 = seg.seq;
        c.snd_wl2 = seg.ack;
        let h = self.conns.insert(c);
        self.by_tuple.insert(tuple, h);
        if let Some(x) = self.listeners.get_mut(&l) {
            x.accept_queue.push_back(h);
        }
        self.events.push(Event::Incoming(l));
        if !seg.payload.is_empty() || seg.flags.fin() {
            // SPEC H1: data on the third segment is delivered.
            if let Some(c) = self.conns.get_mut(&h) {
                c.handle_segment(now, seg, &self.cfg);
            }
        }
        self.after_conn(now, h);
    }

    /// Linux `reqsk_timeout`: `rto_initial << n`, capped.
    fn synack_timeout(&self, n: u32) -> Duration {
        (self.cfg.rto_initial * (1u32 << n.min(20))).min(self.cfg.rto_max)
    }

    /// SYN-ACK retransmission (Linux `reqsk_timer_handler`; SPEC H5).
    pub(crate) fn listener_timeouts(&mut self, now: Instant) {
        let handles: Vec<ListenerHandle> = self
            .listener_deadlines
            .iter()
            .take_while(|(t, _)| *t <= now)
            .map(|(_, l)| *l)
            .collect();
        for l in handles {
            self.listener_timeouts_of(now, l);
            self.refile_listener(l);
        }
    }

    fn listener_timeouts_of(&mut self, now: Instant, l: ListenerHandle) {
        let due: Vec<FourTuple> = match self.listeners.get(&l) {
            Some(x) => x.due(now),
            None => return,
        };
        for tuple in due {
            let Some(req) = self.syn_request(l, &tuple) else {
                continue;
            };
            if req.num_timeout >= self.cfg.synack_retries {
                self.stats.synack_timeouts += 1;
                if let Some(x) = self.listeners.get_mut(&l) {
                    x.remove(&tuple);
                }
                continue;
            }
            let synack = self.synack(now, &req);
            self.queue_out(synack);
            let next = self.synack_timeout(req.num_timeout + 1);
            if let Some(x) = self.listeners.get_mut(&l) {
                x.restart(&tuple, now + next, true);
            }
        }
    }

    /// A bare ACK with no request record: maybe a SYN cookie (Linux `cookie_v4_check`; SPEC H9).
    /// Returns true if the segment was consumed.
    fn try_cookie(&mut self, now: Instant, l: ListenerHandle, seg: &Segment) -> bool {
        let valid_window = self.cfg.syncookie_period * 2;
        let Some(listener) = self.listeners.get(&l) else {
            return false;
        };
        let enabled = match self.cfg.syncookies {
            SynCookies::Off => false,
            SynCookies::Always => true,
            SynCookies::WhenFull => listener
                .last_overflow
                .is_some_and(|t| now - t < valid_window),
        };
        if !enabled {
            return false;
        }
        let count = cookie_count(now, self.cfg.syncookie_period);
        let client_isn = seg.seq - 1;
        let cookie = seg.ack - 1;
        let Some(idx) = self
            .secrets
            .check_cookie(seg.src, seg.dst, client_isn, cookie, count)
        else {
            self.stats.syncookies_failed += 1;
            return false;
        };
        self.stats.syncookies_recv += 1;
        if listener.accept_queue_full() {
            self.stats.listen_overflows += 1;
            return true;
        }
        if self.by_tuple.len() >= self.cfg.max_connections {
            self.stats.connection_limit_drops += 1;
            return true;
        }
        let tuple = seg.receiver_tuple();
        let (snd_wscale, sack_ok, ts_recent) = match seg.options.timestamps {
            Some(ts) if self.cfg.timestamps && ts.tsecr != 0 => {
                let (ws, sack) = cookie_timestamp_decode(ts.tsecr);
                (
                    ws.filter(|_| self.cfg.window_scaling),
                    sack && self.cfg.sack,
                    Some(ts.tsval),
                )
            }
            _ => (None, false, None),
        };
        let adv_mss = listener.opts.advertised_mss(&self.cfg);
        let mss_eff = u32::from(adv_mss) - if ts_recent.is_some() { 12 } else { 0 };
        let ts_offset = self.secrets.ts_offset(tuple);
        let n = Negotiated {
            iss: cookie,
            irs: client_isn,
            peer_mss: COOKIE_MSS_TABLE[idx],
            snd_wscale,
            sack_ok,
            ts_recent,
            ts_offset,
            synack_retransmitted: false,
            rcv_wnd: initial_window(mss_eff, &self.cfg),
            synack_sent: None,
            ts_rtt: None,
        };
        self.create_child(now, l, tuple, &n, seg);
        true
    }
}

/// Linux `tcp_cookie_time`: the coarse counter in a SYN cookie.
fn cookie_count(now: Instant, period: Duration) -> u32 {
    let p = period.as_micros().max(1) as u64;
    (now.total_micros() / p) as u32
}

/// RTT from the final ACK's TSecr, when the SYN-ACK was retransmitted (RFC 7323 §4).
fn ts_rtt(now: Instant, ts_offset: u32, ts: Option<Timestamps>) -> Option<Duration> {
    let ts = ts?;
    if ts.tsecr == 0 {
        return None;
    }
    let delta = (now.total_millis() as u32)
        .wrapping_add(ts_offset)
        .wrapping_sub(ts.tsecr);
    (delta < 1 << 31).then(|| Duration::from_millis(u64::from(delta.max(1))))
}
