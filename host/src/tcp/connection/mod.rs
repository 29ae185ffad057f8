//! One TCP connection's control block (RFC 9293 §3.3.1 TCB) and its state
//! machine, split by concern: [`state`], [`send_buf`], `recv_buf`, [`rtt`],
//! [`congestion`], [`timers`]; segment arrival in `input`, segment
//! generation in `output`, timer expiry in `timeout`.
//!
//! A `Connection` is passive data: the [`crate::tcp::Engine`] owns it, feeds it
//! segments and timeouts, and drains its output with `poll_transmit`.
//!
//! Invariants:
//! - `snd_una <= snd_nxt` and `send.rtx` covers exactly `[snd_una, snd_nxt)`.
//! - `buf_base` is the sequence number of the first byte in `send`; it equals
//!   `snd_una` once the SYN is acknowledged (ISS+1 before).
//! - `rcv_nxt` only moves forward, and only by in-order bytes or the FIN.
//! - A fatal error is reported to the user once (`error`), then reads return
//!   end-of-stream and writes `BrokenPipe` (SPEC T14).
//! - Nothing from the peer is trusted: all arithmetic on peer values is
//!   wrapping (sequence space) or saturating.

pub mod byte_ring;
pub mod congestion;
mod input;
mod output;
mod path_mtu;
mod ready_queue;
mod recv_buf;
pub mod rtt;
pub mod rtx_queue;
pub mod send_buf;
pub mod state;
pub(crate) mod storage;
mod timeout;
pub mod timers;

use core::time::Duration;
use std::collections::VecDeque;

use crate::time::Instant;

use super::config::Config;
use super::error::{ConnError, ReadError, Shutdown, ShutdownError, WriteError};
use super::options::SocketOptions;
use super::segment::{FourTuple, Payload, Segment, SeqNumber};
use congestion::NewReno;
use recv_buf::RecvBuffer;
use rtt::RttEstimator;
use rtx_queue::SentSegment;
use send_buf::{SendBuffer, WriteAt};
use state::State;
use timers::{Timer, TimerTable};

/// A socket's readiness (`poll(2)`'s `POLLIN`, `POLLOUT`, `POLLRDHUP`,
/// `POLLHUP`, `POLLERR`): which calls would not return `WouldBlock`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Readiness {
    /// `read` returns data, end-of-stream, or the pending error.
    pub readable: bool,
    /// `write` takes data, or fails for good (broken pipe, pending error).
    pub writable: bool,
    /// The peer sent FIN, reading was shut down, or the connection is gone.
    pub read_closed: bool,
    /// Writing is over: shut down, or the connection is gone.
    pub write_closed: bool,
    /// An error waits to be reported (`SO_ERROR`).
    pub error: bool,
}

/// Something the application should hear about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnEvent {
    /// Active open completed (SPEC H7: on the SYN-ACK).
    Connected,
    /// New in-order data can be read.
    Readable,
    /// The peer's FIN arrived; reads will end after the queued data (SPEC T2).
    PeerClosed,
    /// Send-buffer space became available.
    Writable,
    /// The connection is gone; `Some` if it died of an error.
    Closed(Option<ConnError>),
    /// A lingering `close()` finished: `true` if everything sent, FIN
    /// included, was acknowledged in time (SPEC R9 `SO_LINGER`).
    Lingered(bool),
}

/// Segments a connection dropped, by cause (SPEC preamble: "dropped and
/// counted by cause"). The engine folds these into its [`crate::tcp::Stats`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DropCounts {
    /// Older timestamp than `ts_recent` (RFC 7323 PAWS).
    pub paws: u64,
    /// Outside the receive window.
    pub out_of_window: u64,
    /// Acknowledging unsent data or far too old (RFC 5961 §5.2).
    pub bad_ack: u64,
    /// In-window RST not at RCV.NXT, or SYN on a synchronized connection (RFC 5961).
    pub challenged: u64,
    /// Challenge / out-of-window ACKs suppressed by the rate limit.
    pub rate_limited: u64,
    /// Out-of-order data dropped to keep the queue within its bounds
    /// (segments refused plus ranges pruned; SPEC R3, Linux `OfoPruned`).
    pub ooo_pruned: u64,
}

/// What a passive open negotiated; filled from a SYN-queue record or a SYN cookie.
#[derive(Clone, Debug)]
pub(crate) struct Negotiated {
    pub iss: SeqNumber,
    pub irs: SeqNumber,
    /// Peer's MSS option (or the default).
    pub peer_mss: u16,
    /// Peer's window-scale shift if both sides do window scaling.
    pub snd_wscale: Option<u8>,
    pub sack_ok: bool,
    /// `Some(ts_recent)` if both sides use timestamps.
    pub ts_recent: Option<u32>,
    pub ts_offset: u32,
    /// SYN-ACK was retransmitted (RFC 6298 §5.7).
    pub synack_retransmitted: bool,
    /// Unscaled window we advertised in the SYN-ACK.
    pub rcv_wnd: u32,
    /// When the SYN-ACK was sent (first time) for an RTT sample, if not retransmitted.
    pub synack_sent: Option<Instant>,
    /// RTT measured from the final ACK's TSecr (used when the SYN-ACK was retransmitted).
    pub ts_rtt: Option<Duration>,
}

/// Linux `tcp_select_initial_window`: the smaller of 65535 and the buffer's
/// window space, rounded down to whole segments of `mss`.
pub(crate) fn initial_window(mss: u32, cfg: &Config) -> u32 {
    let mss = mss.max(1);
    let space = ((cfg.rcv_buf / 2).min(65_535)) as u32;
    if space > mss {
        (space / mss) * mss
    } else {
        space
    }
}

/// A TCP connection (everything but LISTEN).
#[derive(Debug)]
pub struct Connection {
    pub(crate) tuple: FourTuple,
    pub(crate) state: State,

    // Send sequence space (RFC 9293 §3.3.1).
    pub(crate) iss: SeqNumber,
    pub(crate) snd_una: SeqNumber,
    pub(crate) snd_nxt: SeqNumber,
    /// Peer's window in bytes (already scaled).
    pub(crate) snd_wnd: u32,
    pub(crate) snd_wl1: SeqNumber,
    pub(crate) snd_wl2: SeqNumber,
    pub(crate) max_window: u32,
    pub(crate) snd_wscale: u8,
    pub(crate) rcv_wscale: u8,
    /// Effective send MSS: payload bytes per segment, options already deducted.
    pub(crate) mss: usize,
    /// The peer's MSS capped by ours and TCP_MAXSEG (Linux `mss_clamp`);
    /// 0 until the handshake tells it.
    pub(crate) mss_clamp: u16,
    /// The path MTU `mss` is computed for (Linux `icsk_pmtu_cookie`).
    pub(crate) pmtu: u16,
    /// The engine's path-MTU cache generation `pmtu` was read at (None: never).
    pub(crate) pmtu_generation: Option<u32>,
    pub(crate) send: SendBuffer,
    pub(crate) buf_base: SeqNumber,
    /// The application shut down its sending side; a FIN follows the data.
    pub(crate) fin_queued: bool,
    /// Sequence number of our FIN once sent.
    pub(crate) fin_seq: Option<SeqNumber>,
    /// End of the last small segment sent (Minshall's Nagle variant, Linux `snd_sml`).
    pub(crate) snd_sml: SeqNumber,

    // Receive sequence space.
    pub(crate) irs: SeqNumber,
    pub(crate) rcv_nxt: SeqNumber,
    /// Window last advertised (bytes) and RCV.NXT at that time (Linux `rcv_wup`).
    pub(crate) rcv_wnd: u32,
    pub(crate) rcv_wup: SeqNumber,
    pub(crate) rcv_ssthresh: u32,
    pub(crate) recv: RecvBuffer,
    pub(crate) fin_received: bool,
    /// The peer's FIN arrived beyond a hole; processed when the hole fills.
    pub(crate) fin_at: Option<SeqNumber>,
    /// A duplicate range to report in the next ACK (RFC 2883).
    pub(crate) dsack: Option<super::segment::SackBlock>,
    /// Estimate of the peer's segment size (Linux `icsk_ack.rcv_mss`).
    pub(crate) rcv_mss: usize,

    // Options.
    pub(crate) ts_ok: bool,
    pub(crate) ts_recent: u32,
    pub(crate) ts_recent_stamp: Instant,
    pub(crate) ts_offset: u32,
    pub(crate) sack_ok: bool,

    // Reliability.
    pub(crate) rtt: RttEstimator,
    /// Consecutive RTO expiries (Linux `icsk_retransmits`).
    pub(crate) retransmits: u32,
    /// Segments retransmitted over the connection's life (Linux `tcpi_total_retrans`).
    pub(crate) total_retrans: u64,
    /// Of those, not yet counted in the engine's `Stats::retransmits`.
    pub(crate) retrans_unfolded: u64,
    /// First retransmission of the current episode (Linux `retrans_stamp`).
    pub(crate) retrans_stamp: Option<Instant>,
    /// Resend the head of the retransmission queue regardless of cwnd.
    pub(crate) rtx_head_now: bool,
    pub(crate) cc: NewReno,
    /// Keepalive or zero-window probes sent and not answered (Linux `icsk_probes_out`).
    pub(crate) probes_out: u32,
    /// Exponent of the zero-window probe interval (Linux `icsk_backoff`):
    /// kept while probes are answered with a zero window, cleared when the
    /// window opens (SPEC R4).
    pub(crate) probe_backoff: u32,
    /// SND.NXT when the outstanding tail loss probe was sent (Linux `tlp_high_seq`).
    pub(crate) tlp_high_seq: Option<SeqNumber>,
    /// The outstanding probe was a retransmission (Linux `tlp_retrans`).
    pub(crate) tlp_retrans: bool,
    pub(crate) timers: TimerTable,

    // ACK generation (SPEC R5).
    pub(crate) ack_now: bool,
    pub(crate) ack_pending: bool,
    pub(crate) quick: u32,
    /// Linux `ICSK_ACK_PUSHED` (1) / `ICSK_ACK_PUSHED2` (2): small segments since the last ACK.
    pub(crate) pushed: u8,
    pub(crate) pingpong: bool,
    pub(crate) ato: Duration,
    pub(crate) last_rcv: Instant,
    pub(crate) last_data_rcv: Option<Instant>,
    pub(crate) last_oow_ack: Option<Instant>,
    pub(crate) drops: DropCounts,
    /// Last time new data was sent (Linux `lsndtime`).
    pub(crate) last_send: Option<Instant>,

    // Application-facing.
    pub(crate) opts: SocketOptions,
    /// `shutdown(Read)`: reads end at the data already queued (Linux `RCV_SHUTDOWN`).
    pub(crate) rcv_shutdown: bool,
    /// `close()` with `SO_LINGER` waits, until this deadline, for the FIN to
    /// be acknowledged; [`ConnEvent::Lingered`] reports the outcome.
    pub(crate) lingering: bool,
    /// `close()` was called: nobody will read or write again.
    pub(crate) orphan: bool,
    /// A passive child still in the accept queue: no owner to tell about events.
    pub(crate) unaccepted: bool,
    pub(crate) error: Option<ConnError>,
    /// An ICMP error about a synchronized connection (Linux `sk_err_soft`):
    /// reported instead of `TimedOut` if the connection times out, through
    /// `SO_ERROR`, and forgotten when an ACK shows the path works.
    pub(crate) soft_error: Option<ConnError>,
    /// The connection died of an error already reported or pending.
    pub(crate) dead_by_error: bool,
    pub(crate) events: VecDeque<ConnEvent>,
    /// Control segments to send before anything else (RST, challenge ACKs,
    /// probes); at most [`CONN_OUT_MAX`], through [`Self::queue_control`].
    pub(crate) out: VecDeque<Segment>,
    /// Control segments dropped because `out` was full (folded into the
    /// engine's `tx_queue_drops`).
    pub(crate) out_drops: u64,
}

/// Control segments one connection holds for `poll_transmit`: far more than
/// one input can produce, so only an application that never drains its
/// output reaches it.
pub const CONN_OUT_MAX: usize = 16;

impl Connection {
    fn blank(now: Instant, tuple: FourTuple, iss: SeqNumber, ts_offset: u32, cfg: &Config) -> Self {
        Connection {
            tuple,
            state: State::Closed,
            iss,
            snd_una: iss,
            snd_nxt: iss,
            snd_wnd: 0,
            snd_wl1: SeqNumber(0),
            snd_wl2: iss,
            max_window: 0,
            snd_wscale: 0,
            rcv_wscale: 0,
            mss: usize::from(cfg.default_mss),
            mss_clamp: 0,
            pmtu: cfg.mtu,
            pmtu_generation: None,
            send: SendBuffer::starting_at(iss + 1),
            buf_base: iss + 1,
            fin_queued: false,
            fin_seq: None,
            snd_sml: iss,
            irs: SeqNumber(0),
            rcv_nxt: SeqNumber(0),
            rcv_wnd: 0,
            rcv_wup: SeqNumber(0),
            rcv_ssthresh: 0,
            recv: RecvBuffer::default(),
            fin_received: false,
            fin_at: None,
            dsack: None,
            rcv_mss: 536,
            ts_ok: false,
            ts_recent: 0,
            ts_recent_stamp: now,
            ts_offset,
            sack_ok: false,
            rtt: RttEstimator::new(cfg.rto_initial, cfg.rto_min, cfg.rto_max),
            retransmits: 0,
            total_retrans: 0,
            retrans_unfolded: 0,
            retrans_stamp: None,
            rtx_head_now: false,
            cc: NewReno::new(cfg.init_cwnd),
            probes_out: 0,
            probe_backoff: 0,
            tlp_high_seq: None,
            tlp_retrans: false,
            timers: TimerTable::default(),
            ack_now: false,
            ack_pending: false,
            quick: 0,
            pushed: 0,
            pingpong: false,
            // Linux: zero until the first data segment initialises the ACK engine.
            ato: Duration::ZERO,
            last_rcv: now,
            last_data_rcv: None,
            last_oow_ack: None,
            drops: DropCounts::default(),
            last_send: None,
            opts: SocketOptions::default(),
            rcv_shutdown: false,
            lingering: false,
            orphan: false,
            unaccepted: false,
            error: None,
            soft_error: None,
            dead_by_error: false,
            events: VecDeque::new(),
            out: VecDeque::new(),
            out_drops: 0,
        }
    }

    /// Active open (SPEC H1): CLOSED → SYN-SENT with the SYN queued.
    pub(crate) fn connect(
        now: Instant,
        tuple: FourTuple,
        iss: SeqNumber,
        ts_offset: u32,
        opts: SocketOptions,
        cfg: &Config,
    ) -> Self {
        let mut c = Self::blank(now, tuple, iss, ts_offset, cfg);
        c.opts = opts;
        c.state = State::SynSent;
        c.rcv_wscale = if cfg.window_scaling {
            cfg.rcv_wscale.min(14)
        } else {
            0
        };
        // Linux tcp_select_initial_window: 65535 rounded down to whole MSS.
        c.rcv_wnd = initial_window(u32::from(opts.advertised_mss(cfg)), cfg);
        c.rcv_ssthresh = c.rcv_wnd;
        c.send.rtx.push_back(SentSegment::syn(iss, now));
        c.snd_nxt = iss + 1;
        c.rtx_head_now = true;
        c.retrans_stamp = Some(now);
        c
    }

    /// Passive open completed by the final ACK (SPEC H7, H8, H9): straight
    /// to ESTABLISHED, with the listener's options (SPEC R9).
    pub(crate) fn accept(
        now: Instant,
        tuple: FourTuple,
        n: &Negotiated,
        opts: SocketOptions,
        cfg: &Config,
    ) -> Self {
        let mut c = Self::blank(now, tuple, n.iss, n.ts_offset, cfg);
        c.opts = opts;
        c.state = State::Established;
        c.snd_una = n.iss + 1;
        c.snd_nxt = n.iss + 1;
        c.buf_base = n.iss + 1;
        c.snd_sml = n.iss + 1;
        c.irs = n.irs;
        c.rcv_nxt = n.irs + 1;
        c.rcv_wup = c.rcv_nxt;
        c.rcv_wnd = n.rcv_wnd;
        c.rcv_ssthresh = n.rcv_wnd;
        match n.snd_wscale {
            Some(ws) => {
                c.snd_wscale = ws.min(14);
                c.rcv_wscale = cfg.rcv_wscale.min(14);
            }
            None => {
                c.snd_wscale = 0;
                c.rcv_wscale = 0;
            }
        }
        c.sack_ok = n.sack_ok;
        if let Some(ts) = n.ts_recent {
            c.ts_ok = true;
            c.ts_recent = ts;
            c.ts_recent_stamp = now;
        }
        c.set_mss(n.peer_mss, cfg);
        if let Some(sent) = n.synack_sent {
            c.rtt.sample(now - sent);
        } else if let Some(rtt) = n.ts_rtt {
            c.rtt.sample(rtt);
        } else if n.synack_retransmitted {
            // RFC 6298 §5.7 (SPEC R1): no sample from a retransmitted handshake.
            c.rtt.set_rto(cfg.rto_fallback);
        }
        c.cc = NewReno::new(cfg.init_cwnd);
        if c.opts.keepalive {
            // Linux `tcp_create_openreq_child`: an inherited SO_KEEPALIVE runs from now.
            let idle = c.opts.keepalive_time(cfg);
            c.timers.set(Timer::Keepalive, now + idle);
        }
        c
    }

    /// Send MSS = min(peer MSS, MTU − 40, TCP_MAXSEG, path MTU − 40), less
    /// the timestamp option (SPEC H6, R9; Linux `mss_clamp`, `tcp_sync_mss`).
    pub(crate) fn set_mss(&mut self, peer_mss: u16, cfg: &Config) {
        self.mss_clamp = peer_mss.min(self.opts.advertised_mss(cfg)).max(64);
        self.mss = self.mss_for(self.pmtu);
        self.rcv_mss = self.rcv_mss.min(self.mss).max(1);
    }

    pub fn state(&self) -> State {
        self.state
    }

    pub fn tuple(&self) -> FourTuple {
        self.tuple
    }

    /// SND.UNA: the oldest unacknowledged sequence number.
    pub fn snd_una(&self) -> SeqNumber {
        self.snd_una
    }

    /// SND.NXT: the next sequence number to send.
    pub fn snd_nxt(&self) -> SeqNumber {
        self.snd_nxt
    }

    /// RCV.NXT: the next sequence number expected from the peer.
    pub fn rcv_nxt(&self) -> SeqNumber {
        self.rcv_nxt
    }

    /// Segments retransmitted so far (Linux `tcpi_total_retrans`).
    pub fn total_retransmits(&self) -> u64 {
        self.total_retrans
    }

    /// Out-of-order data held: `(ranges, bytes)` (SPEC R3; bounded by
    /// `max_ooo_ranges` and the receive window).
    pub fn out_of_order(&self) -> (usize, usize) {
        (self.recv.ooo_ranges(), self.recv.ooo_len())
    }

    /// Control segments waiting for `poll_transmit` (at most [`CONN_OUT_MAX`]).
    pub fn queued_control(&self) -> usize {
        self.out.len()
    }

    /// What a non-blocking socket call would find now (as `poll`/`epoll`
    /// report it).
    pub fn readiness(&self, cfg: &Config) -> Readiness {
        let closed = self.state == State::Closed;
        let error = self.error.is_some();
        let read_closed = self.fin_received || self.rcv_shutdown || closed;
        let write_closed = self.fin_queued || !self.state.can_send_data();
        let can_write = matches!(self.state, State::Established | State::CloseWait)
            && !self.fin_queued
            && self.send.len() < cfg.snd_buf;
        Readiness {
            readable: self.recv.ready_len() > 0 || read_closed || error,
            writable: can_write || write_closed || error,
            read_closed,
            write_closed,
            error,
        }
    }

    /// Bytes received and not read (`ss` Recv-Q).
    pub fn recv_queue(&self) -> usize {
        self.recv.ready_len()
    }

    /// Bytes sent-unacknowledged plus unsent (`ss` Send-Q).
    pub fn send_queue(&self) -> usize {
        self.send.len()
    }

    pub fn rto(&self) -> Duration {
        self.rtt.rto()
    }

    pub fn srtt(&self) -> Option<Duration> {
        self.rtt.srtt()
    }

    pub fn cwnd(&self) -> u32 {
        self.cc.cwnd
    }

    pub fn ssthresh(&self) -> u32 {
        self.cc.ssthresh
    }

    /// Effective send MSS (payload bytes per segment).
    pub fn mss(&self) -> usize {
        self.mss
    }

    /// The path MTU the MSS follows (the link's, or one learnt from ICMP;
    /// Linux `ss -i`'s `pmtu`).
    pub fn pmtu(&self) -> u16 {
        self.pmtu
    }

    /// Peer's advertised window in bytes.
    pub fn send_window(&self) -> u32 {
        self.snd_wnd
    }

    pub fn next_timeout(&self) -> Option<Instant> {
        self.timers.next_timeout()
    }

    /// The armed timer that fires first, for `ss`'s timer column.
    pub fn first_timer(&self) -> Option<(Timer, Instant)> {
        Timer::ALL
            .iter()
            .filter_map(|t| self.timers.get(*t).map(|at| (*t, at)))
            .min_by_key(|(_, at)| *at)
    }

    pub(crate) fn pop_event(&mut self) -> Option<ConnEvent> {
        self.events.pop_front()
    }

    /// Connection is finished and may be freed once nobody holds it.
    pub(crate) fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    fn end_of_buffer(&self) -> SeqNumber {
        self.buf_base + self.send.len()
    }

    /// Move to CLOSED, dropping all timers and queued data.
    pub(crate) fn set_closed(&mut self, err: Option<ConnError>) {
        if self.state == State::Closed {
            return;
        }
        self.state = State::Closed;
        self.timers.stop_all();
        self.send.clear();
        if let Some(e) = err {
            self.dead_by_error = true;
            if !self.orphan {
                self.error = Some(e);
            }
        }
        self.events.push_back(ConnEvent::Closed(err));
    }

    /// Give up after retrying (Linux `tcp_write_err`): the error is the
    /// soft error an ICMP message left, else timed-out.
    pub(crate) fn write_err(&mut self) {
        let err = self.soft_error.take().unwrap_or(ConnError::TimedOut);
        self.set_closed(Some(err));
    }

    /// Queue a control segment for `poll_transmit`, or count it dropped.
    pub(crate) fn queue_control(&mut self, seg: Segment) {
        super::engine::push_bounded(&mut self.out, seg, CONN_OUT_MAX, &mut self.out_drops);
    }

    /// Queue a RST|ACK with seq = SND.NXT (Linux `tcp_send_active_reset`, SPEC T14).
    pub(crate) fn send_active_reset(&mut self, now: Instant, cfg: &Config) {
        use super::segment::Flags;
        // Linux builds it like any other segment: current window and timestamps.
        let rst = self.base_segment(now, self.snd_nxt, Flags::RST | Flags::ACK);
        let rst = self.finish_segment(now, rst, cfg);
        self.queue_control(rst);
    }

    // ---- user calls ----

    /// Queue data (SPEC T7: fails once the sending side is shut down).
    pub(crate) fn write(
        &mut self,
        now: Instant,
        data: &[u8],
        cfg: &Config,
    ) -> Result<usize, WriteError> {
        if let Some(e) = self.error.take() {
            return Err(e.into());
        }
        match self.state {
            // Linux: a non-blocking socket still connecting gives EAGAIN.
            State::SynSent | State::SynReceived => return Err(WriteError::WouldBlock),
            State::Established | State::CloseWait if !self.fin_queued => {}
            _ => return Err(WriteError::BrokenPipe),
        }
        if data.is_empty() {
            return Ok(0);
        }
        self.restart_cwnd_after_idle(now, cfg);
        let at = WriteAt {
            snd_nxt: self.snd_nxt,
            end: self.end_of_buffer(),
            size_goal: self.mss,
            max_window: self.max_window,
        };
        let n = self.send.push(data, cfg.snd_buf, at);
        if n == 0 {
            return Err(WriteError::WouldBlock);
        }
        Ok(n)
    }

    /// Read in-order data; `Ok(0)` is end-of-stream (SPEC T2).
    pub(crate) fn read(&mut self, buf: &mut [u8], cfg: &Config) -> Result<usize, ReadError> {
        self.take_received(cfg, |r| r.read(buf), 0)
    }

    /// Up to `max` bytes of in-order data as shared bytes, without a copy
    /// where the data is a received frame's payload; empty at end of stream.
    pub(crate) fn read_bytes(&mut self, max: usize, cfg: &Config) -> Result<Payload, ReadError> {
        self.take_received(cfg, |r| r.read_bytes(max), Payload::new())
    }

    /// Take data out of the receive buffer with `take` (or `eof` at end of
    /// stream), updating the window the peer sees.
    fn take_received<T>(
        &mut self,
        cfg: &Config,
        take: impl FnOnce(&mut RecvBuffer) -> T,
        eof: T,
    ) -> Result<T, ReadError> {
        if let Some(e) = self.error.take() {
            return Err(e.into());
        }
        if self.recv.ready_len() > 0 {
            let before = self.receive_window_remaining();
            let out = take(&mut self.recv);
            self.maybe_window_update(before, cfg);
            return Ok(out);
        }
        if self.fin_received || self.state == State::Closed || self.rcv_shutdown {
            return Ok(eof);
        }
        // Linux: EAGAIN, whether still connecting or waiting for data.
        Err(ReadError::WouldBlock)
    }

    /// `shutdown(how)` (SPEC T7, R9). Shutting the read side down makes
    /// reads end (`Ok(0)`) once the queued data is read, instead of
    /// blocking; as in Linux, data that still arrives is accepted, and a
    /// later `close()` with it unread resets the connection.
    pub(crate) fn shutdown(&mut self, how: Shutdown) -> Result<(), ShutdownError> {
        if matches!(self.state, State::Closed | State::SynSent) && how == Shutdown::Read {
            return Err(ShutdownError::NotConnected);
        }
        if how != Shutdown::Write {
            self.rcv_shutdown = true;
        }
        if how != Shutdown::Read {
            self.shutdown_write()?;
        }
        Ok(())
    }

    /// `shutdown(Write)` (SPEC T7): queue a FIN after the data.
    fn shutdown_write(&mut self) -> Result<(), ShutdownError> {
        match self.state {
            State::SynSent => {
                self.set_closed(None);
                Ok(())
            }
            State::SynReceived | State::Established => {
                self.fin_queued = true;
                self.state = State::FinWait1;
                Ok(())
            }
            State::CloseWait => {
                self.fin_queued = true;
                self.state = State::LastAck;
                Ok(())
            }
            State::Closed => Err(ShutdownError::NotConnected),
            _ => Ok(()),
        }
    }

    /// `close()`: the application lets go of the socket (SPEC T1, T2, T6, T14).
    pub(crate) fn close(&mut self, now: Instant, cfg: &Config) {
        self.orphan = true;
        self.error = None;
        let unread = self.recv.ready_len() > 0;
        if self.state == State::Closed {
            return;
        }
        if self.state == State::SynSent {
            self.set_closed(None);
            return;
        }
        if self.opts.linger_abort() || unread {
            // SPEC T14; Linux tcp_close: unread data also aborts with RST (RFC 2525 §2.17).
            self.send_active_reset(now, cfg);
            self.set_closed(None);
            return;
        }
        // Cannot fail here: CLOSED and SYN-SENT were handled above.
        let _ = self.shutdown_write();
        if self.state == State::FinWait2 {
            self.timers.set(Timer::FinWait2, now + cfg.fin_timeout);
        }
        if let Some(t) = self.opts.linger {
            // Linux `sk_stream_wait_close`: wait while the FIN is unacknowledged.
            self.lingering = true;
            self.timers.set(Timer::Linger, now + t);
            self.check_linger();
        }
    }

    /// Report the end of a lingering `close()` once our FIN is acknowledged
    /// or the connection is gone (the timer reports a timeout).
    pub(crate) fn check_linger(&mut self) {
        if !self.lingering {
            return;
        }
        let done = match self.state {
            State::FinWait1 | State::Closing | State::LastAck => return,
            State::Closed => !self.dead_by_error,
            _ => true,
        };
        self.end_linger(done);
    }

    pub(crate) fn end_linger(&mut self, sent: bool) {
        self.lingering = false;
        self.timers.stop(Timer::Linger);
        self.events.push_back(ConnEvent::Lingered(sent));
    }

    /// Linux `tcp_slow_start_after_idle_check` / `tcp_cwnd_restart` (RFC 5681
    /// §4.1): after more than an RTO without sending, halve cwnd per idle RTO,
    /// down to the initial window.
    fn restart_cwnd_after_idle(&mut self, now: Instant, cfg: &Config) {
        if !cfg.slow_start_after_idle || !self.send.rtx.is_empty() {
            return;
        }
        let Some(last) = self.last_send else {
            return;
        };
        let rto = self.rtt.rto();
        let mut idle = now - last;
        if idle <= rto {
            return;
        }
        let restart = cfg.init_cwnd.min(self.cc.cwnd).max(1);
        // Linux tcp_current_ssthresh: remember 3/4 of the window we had.
        self.cc.ssthresh = self.cc.ssthresh.max(self.cc.cwnd / 2 + self.cc.cwnd / 4);
        let mut cwnd = self.cc.cwnd;
        while idle > rto && cwnd > restart {
            idle -= rto;
            cwnd >>= 1;
        }
        self.cc.cwnd = cwnd.max(restart);
    }

    // ---- helpers shared by input/output/timeout ----

    /// The window space the application leaves us (Linux `tcp_space` with
    /// `tcp_adv_win_scale = 1`), bounded by `rcv_ssthresh`.
    pub(crate) fn free_space(&self, cfg: &Config) -> u32 {
        let used = self.recv.ready_len() + self.recv.ooo_len();
        let space = (cfg.rcv_buf / 2).saturating_sub(used);
        (space.min(u32::MAX as usize) as u32).min(self.rcv_ssthresh)
    }

    /// What is left of the window we last advertised (Linux `tcp_receive_window`).
    pub(crate) fn receive_window_remaining(&self) -> u32 {
        let right = self.rcv_wup + self.rcv_wnd as usize;
        right.distance_from(self.rcv_nxt).min(u32::MAX as usize) as u32
    }

    fn maybe_window_update(&mut self, before: u32, cfg: &Config) {
        // Linux tcp_cleanup_rbuf: a scheduled ACK goes now if more than one
        // segment is unacknowledged, or pushed data has been read completely.
        if self.ack_pending {
            let unacked = self.rcv_nxt.distance_from(self.rcv_wup);
            let drained = self.recv.ready_len() == 0;
            if unacked > self.rcv_mss
                || (drained && (self.pushed == 2 || (self.pushed == 1 && !self.pingpong)))
            {
                self.ack_now = true;
                return;
            }
        }
        // ... and a window that at least doubled is announced.
        let clamp = (cfg.rcv_buf / 2) as u32;
        if self.state.can_receive_data() && 2 * u64::from(before) <= u64::from(clamp) {
            let new = self.free_space(cfg);
            if new >= 2 * before.max(1) && new >= self.rcv_mss as u32 {
                self.ack_now = true;
            }
        }
    }
}
