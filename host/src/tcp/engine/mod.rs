//! The sans-IO TCP engine: connections keyed by 4-tuple, listeners with SYN
//! and accept queues, the TIME-WAIT table, and the user API.
//!
//! Driving it (as quinn-proto's `Endpoint`): feed `handle_segment` with every
//! received segment (or queue it with `enqueue_segment` and run
//! `process_backlog`) and `handle_timeout` when `poll_timeout`'s deadline
//! passes; after any input or user call, drain `poll_transmit` until `None`
//! and `poll_event` until `None`.
//!
//! Bounded memory whatever the application does (SPEC H8, C2): received
//! segments wait in a queue of `netdev_max_backlog`; segments for the wire
//! that are not owned by a connection (RSTs, SYN-ACKs, TIME-WAIT ACKs) wait
//! in a queue of `tx_queue_len`, and each connection keeps at most
//! `CONN_OUT_MAX` control segments; events are coalesced per socket
//! (`tcp::events`). What does not fit is dropped and counted.
//!
//! Invariants:
//! - `by_tuple` maps each live (not CLOSED) connection's 4-tuple to its handle;
//!   a 4-tuple is in at most one of `by_tuple`, a listener's SYN queue, or the
//!   TIME-WAIT table (SPEC C1).
//! - Handles are never reused (connections live in a generation-checked
//!   slab, `table`); a stale handle yields `InvalidHandle`.
//! - The timer index files every connection with an armed timer no later
//!   than its earliest deadline (lazily: see `refresh_deadline`).
//! - A connection leaves `conns` once it is CLOSED and the application has
//!   closed it (or never got it: an un-accepted child).
//! - No input can make the engine panic; per-segment work is bounded.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::net::{Ipv4Addr, SocketAddrV4};

use rand::SeedableRng;
use rustc_hash::FxHashMap;

use crate::time::Instant;

use super::config::Config;
use super::connection::state::State;
use super::connection::storage::Spares;
use super::connection::timers::Timer;
use super::connection::{ConnEvent, Connection, Readiness};
use super::error::{
    AcceptError, CloseError, ConnError, ConnectError, ListenError, OptionError, ReadError,
    Shutdown, ShutdownError, WriteError,
};
use super::events::EventQueue;
pub use super::handles::{ConnectionHandle, Event, ListenerHandle};
use super::isn::Secrets;
use super::listener::Listener;

use super::options::{SockOpt, SocketOptions};
use super::path_mtu::PathMtuCache;
use super::run::{RunLimit, TxRun};
use super::segment::{Flags, FourTuple, Payload, Segment, SeqNumber};
use super::time_wait::{TimeWaitEntry, TimeWaitTable, TwAction};
use table::ConnTable;

mod icmp;
mod passive;

pub use icmp::{IcmpError, IcmpErrorKind};
mod table;

/// Counters, by cause (SPEC preamble: "dropped and counted by cause").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub segments_in: u64,
    /// Segments retransmitted, by every connection (Linux `RetransSegs`).
    pub retransmits: u64,
    pub resets_sent: u64,
    /// Receive-path queue overflow (SPEC H8 `netdev_max_backlog`).
    pub rx_backlog_drops: u64,
    /// Segments for the wire dropped because the application did not
    /// drain `poll_transmit` (`tx_queue_len`, or a connection's control queue).
    pub tx_queue_drops: u64,
    /// SYN or final ACK dropped because the accept queue was full (Linux ListenOverflows).
    pub listen_overflows: u64,
    /// SYN dropped because the SYN queue was full and cookies were off.
    pub syn_queue_drops: u64,
    pub syncookies_sent: u64,
    pub syncookies_recv: u64,
    pub syncookies_failed: u64,
    /// SYN-queue entries that gave up after `synack_retries`.
    pub synack_timeouts: u64,
    /// TIME-WAIT skipped because `max_tw_buckets` was reached (SPEC T11).
    pub tw_overflow: u64,
    /// TIME-WAIT records taken over by `tw_reuse` (SPEC T12).
    pub tw_reused: u64,
    /// TIME-WAIT records replaced by a newer SYN (SPEC T10).
    pub tw_recycled: u64,
    /// Connections refused by the `max_connections` bound (SPEC C2).
    pub connection_limit_drops: u64,
    /// ICMP errors that ended a connection or a SYN-queue record.
    pub icmp_aborts: u64,
    /// ICMP errors recorded as a connection's soft error.
    pub icmp_soft_errors: u64,
    /// ICMP errors quoting a sequence number outside what is in flight, or
    /// about no connection (Linux `OutOfWindowIcmps`): ignored.
    pub icmp_ignored: u64,
    /// ICMP "fragmentation needed" errors acted on (RFC 1191).
    pub icmp_frag_needed: u64,
    /// Of those, the ones that lowered a connection's MSS and resent what
    /// no longer fit.
    pub pmtu_reductions: u64,
    /// Drops inside connections, by cause.
    pub connection_drops: super::connection::DropCounts,
}

/// What an engine holds (see [`Engine::footprint`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Footprint {
    /// Connection records (bounded by `max_connections` plus closed ones the
    /// application has not released).
    pub connections: usize,
    /// TIME-WAIT records (`max_tw_buckets`).
    pub time_wait: usize,
    /// SYN-queue and accept-queue entries over all listeners.
    pub syn_queue: usize,
    pub accept_queue: usize,
    /// Received segments waiting (`netdev_max_backlog`).
    pub backlog: usize,
    /// Segments of no connection waiting for `poll_transmit` (`tx_queue_len`).
    pub tx_queue: usize,
    /// Control segments of connections waiting (`CONN_OUT_MAX` each).
    pub control_segments: usize,
    /// Sockets with events waiting (one entry per socket at most).
    pub sockets_with_events: usize,
    /// Destinations with a learnt path MTU (`pmtu_cache_max`).
    pub path_mtus: usize,
    /// Bytes received in order and not read, held out of order, and queued to send.
    pub recv_bytes: usize,
    pub ooo_bytes: usize,
    pub ooo_ranges: usize,
    pub send_bytes: usize,
}

/// The TCP engine.
#[derive(Debug)]
pub struct Engine {
    pub(crate) cfg: Config,
    pub(crate) secrets: Secrets,
    pub(crate) conns: ConnTable,
    /// The emptied containers of connections gone, for new ones.
    spares: Spares,
    /// Keyed SipHash: the peer chooses the 4-tuple.
    pub(crate) by_tuple: HashMap<FourTuple, ConnectionHandle>,
    /// The connection the last segment went to (Linux's early demux): a
    /// stream's segments skip the hash while it stays valid.
    last_demux: Option<(FourTuple, ConnectionHandle)>,
    pub(crate) listeners: FxHashMap<ListenerHandle, Listener>,
    /// `(next deadline, listener)` for every listener with SYN-queue
    /// records (each listener's `filed`), kept exact by `refile_listener`.
    listener_deadlines: BTreeSet<(Instant, ListenerHandle)>,
    /// Our listeners' addresses (the peer only looks keys up): FxHash.
    pub(crate) listen_addrs: FxHashMap<SocketAddrV4, ListenerHandle>,
    pub(crate) tw: TimeWaitTable,
    /// Segments not owned by a connection (RSTs, SYN-ACKs, TIME-WAIT ACKs);
    /// at most `tx_queue_len`, filled through [`Engine::queue_out`].
    out: VecDeque<Segment>,
    pub(crate) events: EventQueue,
    /// Connections that may have something to send, oldest first; a
    /// connection is here at most once (its slot's `dirty` flag says so).
    dirty: VecDeque<ConnectionHandle>,
    /// `(filed, handle)` for every connection whose slot has a `filed`
    /// deadline: the timer index, kept lazily (see `refresh_deadline`).
    deadlines: BTreeSet<(Instant, ConnectionHandle)>,
    pub(crate) rx_queue: VecDeque<Segment>,
    /// Path MTUs learnt from ICMP (RFC 1191), shared by every connection
    /// to a destination.
    pub(crate) path_mtu: PathMtuCache,
    next_handle: u64,
    port_counter: u32,
    pub(crate) stats: Stats,
}

/// Timer-index entries `poll_timeout` looks at before settling for an early
/// answer (see `Engine::next_conn_deadline`).
const DEADLINE_WALK: usize = 16;

/// The RST answering `seg` when no connection wants it (RFC 9293 §3.10.7.1,
/// Linux `tcp_v4_send_reset`); `None` for a RST.
pub fn reset_for(seg: &Segment) -> Option<Segment> {
    if seg.flags.rst() {
        return None;
    }
    let r = if seg.flags.ack() {
        Segment::new(seg.dst, seg.src, seg.ack, SeqNumber(0), Flags::RST)
    } else {
        Segment::new(
            seg.dst,
            seg.src,
            SeqNumber(0),
            seg.seq + seg.seq_len(),
            Flags::RST | Flags::ACK,
        )
    };
    Some(r)
}

/// Append `seg` unless `q` holds `cap` segments already; count the drop.
pub(crate) fn push_bounded(q: &mut VecDeque<Segment>, seg: Segment, cap: usize, drops: &mut u64) {
    if q.len() >= cap {
        *drops += 1;
    } else {
        q.push_back(seg);
    }
}

impl Engine {
    /// An engine with secrets from the OS RNG.
    pub fn new(cfg: Config) -> Self {
        let secrets = Secrets::random(&mut rand::rng());
        Self::with_secrets(cfg, secrets)
    }

    /// A deterministic engine (tests, simulation): secrets from `seed`.
    pub fn with_seed(cfg: Config, seed: u64) -> Self {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let secrets = Secrets::random(&mut rng);
        Self::with_secrets(cfg, secrets)
    }

    fn with_secrets(cfg: Config, secrets: Secrets) -> Self {
        Engine {
            cfg,
            secrets,
            conns: ConnTable::default(),
            spares: Spares::default(),
            by_tuple: HashMap::new(),
            last_demux: None,
            listeners: FxHashMap::default(),
            listener_deadlines: BTreeSet::new(),
            listen_addrs: FxHashMap::default(),
            tw: TimeWaitTable::default(),
            out: VecDeque::new(),
            events: EventQueue::default(),
            dirty: VecDeque::new(),
            deadlines: BTreeSet::new(),
            rx_queue: VecDeque::new(),
            path_mtu: PathMtuCache::default(),
            next_handle: 1,
            port_counter: 0,
            stats: Stats::default(),
        }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The engine's knobs, to change at run time as an administrator changes
    /// `net.ipv4.tcp_*` sysctls (SPEC R9). Each field takes effect where it is
    /// next read, as in Linux: timer lengths at the next arming, queue
    /// bounds at the next insertion, `syncookies` at the next SYN; options a
    /// connection negotiated in its handshake (MSS, window scaling, SACK,
    /// timestamps) keep the values they were negotiated with.
    pub fn config_mut(&mut self) -> &mut Config {
        &mut self.cfg
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    pub(crate) fn new_handle(&mut self) -> u64 {
        let h = self.next_handle;
        self.next_handle += 1;
        h
    }

    /// The connection behind a handle (for inspection).
    pub fn connection(&self, h: ConnectionHandle) -> Option<&Connection> {
        self.conns.get(&h)
    }

    /// Every connection the engine holds (CLOSED ones included until released).
    pub fn connections(&self) -> impl Iterator<Item = (ConnectionHandle, &Connection)> {
        self.conns.iter()
    }

    /// What the engine holds, counted: every figure here is bounded by a
    /// [`Config`] field whatever peers send or the application neglects.
    pub fn footprint(&self) -> Footprint {
        let mut f = Footprint {
            connections: self.conns.len(),
            time_wait: self.tw.len(),
            backlog: self.rx_queue.len(),
            tx_queue: self.out.len(),
            sockets_with_events: self.events.len(),
            path_mtus: self.path_mtu.len(),
            ..Footprint::default()
        };
        for l in self.listeners.values() {
            f.syn_queue += l.syn_queue.len();
            f.accept_queue += l.accept_queue.len();
        }
        for c in self.conns.values() {
            f.recv_bytes += c.recv.ready_len();
            f.ooo_ranges += c.recv.ooo_ranges();
            f.ooo_bytes += c.recv.ooo_len();
            f.send_bytes += c.send.len();
            f.control_segments += c.queued_control();
        }
        f
    }

    /// A connection's readiness; `None` for an unknown or released handle.
    pub fn readiness(&self, h: ConnectionHandle) -> Option<Readiness> {
        self.conns
            .get(&h)
            .filter(|c| !c.orphan)
            .map(|c| c.readiness(&self.cfg))
    }

    /// Completed connections waiting in a listener's accept queue.
    pub fn acceptable(&self, l: ListenerHandle) -> Option<usize> {
        self.listeners.get(&l).map(|x| x.accept_queue.len())
    }

    /// The state of a connection; `Closed` once it is gone.
    pub fn state(&self, h: ConnectionHandle) -> State {
        self.conns.get(&h).map_or(State::Closed, |c| c.state())
    }

    /// The TIME-WAIT record for a 4-tuple (local, remote), if any.
    pub fn time_wait(&self, tuple: FourTuple) -> Option<TimeWaitEntry> {
        self.tw.get(&tuple)
    }

    /// Destinations with a path MTU learnt from ICMP (RFC 1191; at most
    /// `pmtu_cache_max`, each gone `mtu_expires` after it was learnt).
    pub fn path_mtus_known(&self) -> usize {
        self.path_mtu.len()
    }

    pub fn time_wait_count(&self) -> usize {
        self.tw.len()
    }

    /// Live connections (everything but LISTEN, TIME-WAIT records and CLOSED).
    pub fn connection_count(&self) -> usize {
        self.by_tuple.len()
    }

    // ---------------------------------------------------------------- input

    /// Queue a received segment on the bounded receive path (SPEC H8
    /// `netdev_max_backlog`); returns false, and counts, if the queue is full.
    /// Queued segments are processed by [`Self::process_backlog`] (which
    /// `handle_timeout` also runs: `poll_timeout` is due while any wait).
    pub fn enqueue_segment(&mut self, seg: Segment) -> bool {
        if self.rx_queue.len() >= self.cfg.netdev_max_backlog {
            self.stats.rx_backlog_drops += 1;
            return false;
        }
        self.rx_queue.push_back(seg);
        true
    }

    /// Process every queued received segment, oldest first.
    pub fn process_backlog(&mut self, now: Instant) {
        while let Some(seg) = self.rx_queue.pop_front() {
            self.handle_segment(now, seg);
        }
    }

    /// Received segments waiting in the backlog.
    pub fn backlog_len(&self) -> usize {
        self.rx_queue.len()
    }

    /// Queue a segment that belongs to no connection, or drop and count it
    /// when the application has let `tx_queue_len` of them pile up.
    pub(crate) fn queue_out(&mut self, seg: Segment) {
        push_bounded(
            &mut self.out,
            seg,
            self.cfg.tx_queue_len,
            &mut self.stats.tx_queue_drops,
        );
    }

    /// Process one received segment (Linux `tcp_v4_rcv`).
    pub fn handle_segment(&mut self, now: Instant, seg: Segment) {
        self.stats.segments_in += 1;
        let tuple = seg.receiver_tuple();
        if let Some(h) = self.demux(tuple) {
            if let Some(c) = self.conns.get_mut(&h) {
                c.handle_segment(now, &seg, &self.cfg);
                self.after_conn(now, h);
                return;
            }
        }
        let mut tw_isn = None;
        if self.tw.contains(&tuple) {
            match self.tw.process(now, &seg, &self.cfg) {
                TwAction::Drop | TwAction::Killed => return,
                TwAction::Ack(a) => {
                    self.queue_out(a);
                    return;
                }
                TwAction::Syn(isn) => {
                    self.stats.tw_recycled += 1;
                    tw_isn = Some(isn);
                }
            }
        }
        if let Some(l) = self.listener_for(seg.dst) {
            self.listener_segment(now, l, &seg, tw_isn);
            return;
        }
        self.send_reset(&seg);
    }

    /// The live connection for `tuple`. The cached last answer is checked
    /// against the connection itself: a live (not CLOSED) connection with
    /// this tuple is the one `by_tuple` maps it to (module invariant).
    fn demux(&mut self, tuple: FourTuple) -> Option<ConnectionHandle> {
        if let Some((t, h)) = self.last_demux {
            if t == tuple {
                if let Some(c) = self.conns.get(&h) {
                    if c.tuple == tuple && c.state() != State::Closed {
                        return Some(h);
                    }
                }
            }
        }
        let h = *self.by_tuple.get(&tuple)?;
        self.last_demux = Some((tuple, h));
        Some(h)
    }

    pub(crate) fn send_reset(&mut self, seg: &Segment) {
        if let Some(r) = reset_for(seg) {
            self.stats.resets_sent += 1;
            self.queue_out(r);
        }
    }

    fn listener_for(&self, local: SocketAddrV4) -> Option<ListenerHandle> {
        self.listen_addrs
            .get(&local)
            .or_else(|| {
                self.listen_addrs
                    .get(&SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, local.port()))
            })
            .copied()
    }

    /// Run all timers due at `now`, and drain the receive queue.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.process_backlog(now);
        while let Some(&(filed, h)) = self.deadlines.first() {
            if filed > now {
                break;
            }
            self.deadlines.pop_first();
            let Some(slot) = self.conns.slot_mut(h) else {
                continue;
            };
            slot.filed = None;
            // Filed early (a timer re-armed later since): file it again
            // under its true deadline, or run it.
            match slot.conn.next_timeout() {
                Some(t) if t <= now => {
                    slot.conn.handle_timeout(now, &self.cfg);
                    self.after_conn(now, h);
                }
                _ => self.refresh_deadline(h),
            }
        }
        self.listener_timeouts(now);
        self.tw.expire(now);
    }

    /// The connections' next deadline. The timer index files connections
    /// no later than their deadlines, so walking it in order until an entry
    /// is filed after the best true deadline found gives the exact minimum;
    /// the walk stops after [`DEADLINE_WALK`] entries, answering the
    /// earliest filed time left (never late: an early wake-up finds nothing
    /// due, and `handle_timeout` re-files what it finds stale).
    fn next_conn_deadline(&self) -> Option<Instant> {
        let mut best: Option<Instant> = None;
        for (i, &(filed, h)) in self.deadlines.iter().enumerate() {
            if best.is_some_and(|b| filed >= b) {
                break;
            }
            if i == DEADLINE_WALK {
                return Some(filed);
            }
            if let Some(t) = self.conns.get(&h).and_then(|c| c.next_timeout()) {
                best = Some(best.map_or(t, |b| b.min(t)));
            }
        }
        best
    }

    /// When `handle_timeout` must next be called: the earliest deadline —
    /// exact unless many connections' timers moved later since they were
    /// filed, in which case a moment before it (an early call does nothing
    /// but tidy the timer index).
    pub fn poll_timeout(&self) -> Option<Instant> {
        let conns = self.next_conn_deadline();
        let reqs = self.listener_deadlines.first().map(|(t, _)| *t);
        let rx = if self.rx_queue.is_empty() {
            None
        } else {
            Some(Instant::ZERO)
        };
        [conns, reqs, self.tw.next_expiry(), rx]
            .into_iter()
            .flatten()
            .min()
    }

    /// The next segment to send, whole and owned. Call until `None` after
    /// every input and user call. (The interface uses
    /// [`Self::poll_transmit_run`], which lends payload instead of copying it.)
    #[must_use]
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Segment> {
        self.poll_transmit_run(now, RunLimit::ONE, |run| {
            let mut segs = run.to_segments();
            debug_assert_eq!(segs.len(), 1, "a run of max 0 is one segment");
            segs.pop()
        })
        .flatten()
    }

    /// The next transmit work, lent to `f`: a segment, or a run of new data
    /// within `limit` (at least one segment) taken
    /// straight from the connection's send buffer, for the fabric's
    /// segmenter or the interface's software cut ([`TxRun`]). Call until
    /// `None` after every input and user call.
    pub fn poll_transmit_run<R>(
        &mut self,
        now: Instant,
        limit: RunLimit,
        f: impl FnOnce(&TxRun<'_>) -> R,
    ) -> Option<R> {
        if let Some(s) = self.out.pop_front() {
            return Some(f(&TxRun::single(&s)));
        }
        self.path_mtu.expire(now);
        while let Some(&h) = self.dirty.front() {
            let tx = match self.conns.get_mut(&h) {
                Some(c) => {
                    c.follow_path_mtu(&self.path_mtu, now, &self.cfg);
                    c.poll_transmit(now, &self.cfg, limit)
                }
                None => None,
            };
            match tx {
                Some(tx) => {
                    if tx.header.flags.rst() {
                        self.stats.resets_sent += 1;
                    }
                    let r = match self.conns.get(&h) {
                        Some(c) => f(&c.run(&tx)),
                        None => f(&TxRun::single(&tx.header)),
                    };
                    self.after_conn_quiet(now, h);
                    return Some(r);
                }
                None => {
                    self.dirty.pop_front();
                    if let Some(slot) = self.conns.slot_mut(h) {
                        slot.dirty = false;
                    }
                    // Trying to send may have armed a timer (zero-window probe).
                    self.refresh_deadline(h);
                }
            }
        }
        None
    }

    /// The next application event. Events are coalesced per socket (at most
    /// one entry per socket waits, whatever the traffic), so an event says
    /// "look at this socket": read until `WouldBlock` after `Readable`.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop()
    }

    /// Sockets with events waiting (at most the number of sockets).
    pub fn pending_events(&self) -> usize {
        self.events.len()
    }

    /// Bookkeeping after a connection ran: events, TIME-WAIT conversion, reaping.
    pub(crate) fn after_conn(&mut self, now: Instant, h: ConnectionHandle) {
        self.mark_dirty(h);
        self.after_conn_quiet(now, h);
    }

    fn after_conn_quiet(&mut self, now: Instant, h: ConnectionHandle) {
        self.settle(now, h);
        self.refresh_deadline(h);
    }

    /// Put a connection on the transmit list (once).
    pub(crate) fn mark_dirty(&mut self, h: ConnectionHandle) {
        if let Some(slot) = self.conns.slot_mut(h) {
            if !slot.dirty {
                slot.dirty = true;
                self.dirty.push_back(h);
            }
        }
    }

    /// Keep a connection's entry in the timer index no later than its next
    /// deadline. Lazy: a deadline that moved later (the retransmission
    /// timer re-armed by every ACK) keeps its earlier entry, which
    /// `handle_timeout` re-files when it comes due; only a deadline that
    /// moved earlier, or a first one, touches the index.
    fn refresh_deadline(&mut self, h: ConnectionHandle) {
        let Some(slot) = self.conns.slot_mut(h) else {
            return;
        };
        let Some(t) = slot.conn.next_timeout() else {
            return;
        };
        if slot.filed.is_some_and(|f| f <= t) {
            return;
        }
        if let Some(old) = slot.filed.replace(t) {
            self.deadlines.remove(&(old, h));
        }
        self.deadlines.insert((t, h));
    }

    fn settle(&mut self, now: Instant, h: ConnectionHandle) {
        let Some(c) = self.conns.get_mut(&h) else {
            return;
        };
        let d = core::mem::take(&mut c.drops);
        let total = &mut self.stats.connection_drops;
        total.paws += d.paws;
        total.out_of_window += d.out_of_window;
        total.bad_ack += d.bad_ack;
        total.challenged += d.challenged;
        total.rate_limited += d.rate_limited;
        total.ooo_pruned += d.ooo_pruned;
        self.stats.tx_queue_drops += core::mem::take(&mut c.out_drops);
        self.stats.retransmits += core::mem::take(&mut c.retrans_unfolded);
        while let Some(e) = c.pop_event() {
            let ev = match e {
                ConnEvent::Connected => Event::Connected(h),
                ConnEvent::Readable => Event::Readable(h),
                ConnEvent::Writable => Event::Writable(h),
                ConnEvent::PeerClosed => Event::PeerClosed(h),
                ConnEvent::Lingered(sent) => Event::Lingered(h, sent),
                ConnEvent::Closed(err) => Event::Closed(h, err),
            };
            // Children not yet accepted have no owner to tell; a closed
            // socket hears only how its lingering close ended.
            let lingered = matches!(ev, Event::Lingered(..));
            if (!c.orphan || lingered) && !c.unaccepted {
                self.events.push(ev);
            }
        }
        if c.state() == State::TimeWait {
            // Send what is due (the final ACK), then become a compact record (SPEC T1, T11).
            while let Some(s) = c.poll_segment(now, &self.cfg) {
                push_bounded(
                    &mut self.out,
                    s,
                    self.cfg.tx_queue_len,
                    &mut self.stats.tx_queue_drops,
                );
            }
            let entry = TimeWaitEntry {
                tuple: c.tuple,
                snd_nxt: c.snd_nxt,
                rcv_nxt: c.rcv_nxt,
                ts_recent: c.ts_recent,
                ts_offset: c.ts_offset,
                ts_recent_stamp: c.ts_recent_stamp,
                expires: now + self.cfg.time_wait_len,
                last_oow_ms: 0,
                window: (c.rcv_wnd >> c.rcv_wscale).min(65_535) as u16,
                ts_ok: c.ts_ok,
            };
            if !self.tw.insert(entry, self.cfg.max_tw_buckets) {
                self.stats.tw_overflow += 1;
            }
            c.set_closed(None);
            let orphan = c.orphan || c.unaccepted;
            while let Some(ConnEvent::Closed(err)) = c.pop_event() {
                if !orphan {
                    self.events.push(Event::Closed(h, err));
                }
            }
        }
        if c.is_closed() {
            while let Some(s) = c.poll_segment(now, &self.cfg) {
                push_bounded(
                    &mut self.out,
                    s,
                    self.cfg.tx_queue_len,
                    &mut self.stats.tx_queue_drops,
                );
            }
            let tuple = c.tuple;
            let orphan = c.orphan || c.unaccepted;
            // One hash of the tuple, not two (a lookup, then a removal).
            if let Entry::Occupied(e) = self.by_tuple.entry(tuple) {
                if *e.get() == h {
                    e.remove();
                }
            }
            if orphan {
                let unaccepted = c.unaccepted;
                self.events.forget_conn(h);
                // A stale handle left in `dirty` finds no slot and is dropped there.
                // The containers leave the slot in place (a connection is
                // a kilobyte: moving it out to take them was a copy).
                if let Some(slot) = self.conns.slot_mut(h) {
                    if let Some(filed) = slot.filed {
                        self.deadlines.remove(&(filed, h));
                    }
                    self.spares.give(&mut slot.conn);
                    self.conns.discard(h);
                }
                // Only a connection never accepted waits in an accept queue.
                if unaccepted {
                    for l in self.listeners.values_mut() {
                        l.accept_queue.retain(|x| *x != h);
                    }
                }
            }
        }
    }

    /// Check the invariants in the module docs (tests call this after every step).
    #[cfg(test)]
    pub(crate) fn check_invariants(&self) {
        let mut filed = 0;
        for (h, c) in self.conns.iter() {
            let slot = self.conns.slot(h).expect("iterated slot");
            if let Some(f) = slot.filed {
                filed += 1;
                assert!(
                    self.deadlines.contains(&(f, h)),
                    "{h:?} filed but not indexed"
                );
            }
            if let Some(t) = c.next_timeout() {
                assert!(slot.filed.is_some_and(|f| f <= t), "{h:?} deadline index");
            }
            assert_eq!(slot.dirty, self.dirty.contains(&h), "{h:?} transmit list");
            if c.state() != State::Closed {
                assert_eq!(self.by_tuple.get(&c.tuple()), Some(&h), "{h:?} tuple map");
                assert!(!self.tw.contains(&c.tuple()), "{h:?} also in TIME-WAIT");
            }
            assert!(c.snd_una <= c.snd_nxt, "{h:?} SND.UNA <= SND.NXT");
        }
        assert_eq!(self.deadlines.len(), filed, "stale timer index entries");
        for (tuple, h) in &self.by_tuple {
            let c = self
                .conns
                .get(h)
                .expect("by_tuple points at a live connection");
            assert_eq!(c.tuple(), *tuple);
            assert_ne!(c.state(), State::Closed);
        }
        for (h, l) in &self.listeners {
            l.check_invariants();
            assert_eq!(l.filed, l.next_timeout(), "{h:?} listener index");
            if let Some(t) = l.filed {
                assert!(self.listener_deadlines.contains(&(t, *h)));
            }
        }
        let filed = self
            .listeners
            .values()
            .filter(|l| l.filed.is_some())
            .count();
        assert_eq!(
            self.listener_deadlines.len(),
            filed,
            "stale listener index entries"
        );
    }

    // ---------------------------------------------------------------- user API

    /// Listen on `local` (`0.0.0.0` for any address) with an accept queue of
    /// `backlog`, capped by `somaxconn` (SPEC H8).
    pub fn listen(
        &mut self,
        local: SocketAddrV4,
        backlog: usize,
    ) -> Result<ListenerHandle, ListenError> {
        if backlog == 0 {
            return Err(ListenError::InvalidBacklog);
        }
        if self.listen_addrs.contains_key(&local) {
            return Err(ListenError::AddrInUse);
        }
        let h = ListenerHandle(self.new_handle());
        let backlog = backlog.min(self.cfg.somaxconn);
        self.listeners.insert(h, Listener::new(local, backlog));
        self.listen_addrs.insert(local, h);
        Ok(h)
    }

    /// Take a completed connection from the accept queue (SPEC H7).
    pub fn accept(
        &mut self,
        l: ListenerHandle,
    ) -> Result<(ConnectionHandle, SocketAddrV4), AcceptError> {
        let listener = self
            .listeners
            .get_mut(&l)
            .ok_or(AcceptError::InvalidHandle)?;
        while let Some(h) = listener.accept_queue.pop_front() {
            if let Some(c) = self.conns.get_mut(&h) {
                c.unaccepted = false;
                return Ok((h, c.tuple.remote));
            }
        }
        Err(AcceptError::WouldBlock)
    }

    /// Stop listening; queued, un-accepted connections are reset (Linux `inet_csk_listen_stop`).
    pub fn close_listener(&mut self, now: Instant, l: ListenerHandle) -> Result<(), CloseError> {
        let listener = self.listeners.remove(&l).ok_or(CloseError::InvalidHandle)?;
        self.listen_addrs.remove(&listener.local);
        self.events.forget_listener(l);
        if let Some(t) = listener.filed {
            self.listener_deadlines.remove(&(t, l));
        }
        for h in listener.accept_queue {
            if let Some(c) = self.conns.get_mut(&h) {
                c.orphan = true;
                c.send_active_reset(now, &self.cfg);
                c.set_closed(None);
                self.after_conn(now, h);
            }
        }
        Ok(())
    }

    /// Active open from `local_ip` on an ephemeral port (SPEC H1, T15).
    pub fn connect(
        &mut self,
        now: Instant,
        local_ip: Ipv4Addr,
        remote: SocketAddrV4,
    ) -> Result<ConnectionHandle, ConnectError> {
        self.connect_with(now, local_ip, remote, SocketOptions::default())
    }

    /// [`Self::connect`] with socket options set before the SYN is built
    /// (SPEC R9: `TCP_MAXSEG` shapes the SYN's MSS option).
    pub fn connect_with(
        &mut self,
        now: Instant,
        local_ip: Ipv4Addr,
        remote: SocketAddrV4,
        opts: SocketOptions,
    ) -> Result<ConnectionHandle, ConnectError> {
        if remote.port() == 0 || remote.ip().is_unspecified() || local_ip.is_unspecified() {
            return Err(ConnectError::InvalidAddress);
        }
        if self.by_tuple.len() >= self.cfg.max_connections {
            return Err(ConnectError::TooManyConnections);
        }
        let (lo, hi) = (
            *self.cfg.ephemeral_ports.start(),
            *self.cfg.ephemeral_ports.end(),
        );
        if lo > hi || lo == 0 {
            return Err(ConnectError::AddrNotAvailable);
        }
        let span = u32::from(hi - lo) + 1;
        let offset = self
            .secrets
            .port_offset(local_ip, remote)
            .wrapping_add(self.port_counter);
        for i in 0..span {
            let port = lo + ((offset.wrapping_add(i)) % span) as u16;
            let local = SocketAddrV4::new(local_ip, port);
            if self.port_bound_by_listener(local) {
                continue;
            }
            let tuple = FourTuple::new(local, remote);
            if let Some(isn) = self.tuple_available(now, tuple) {
                self.port_counter = self.port_counter.wrapping_add(i + 2);
                return Ok(self.open(now, tuple, isn, opts));
            }
        }
        Err(ConnectError::AddrNotAvailable)
    }

    /// Active open from an explicit local address and port.
    pub fn connect_from(
        &mut self,
        now: Instant,
        local: SocketAddrV4,
        remote: SocketAddrV4,
    ) -> Result<ConnectionHandle, ConnectError> {
        if remote.port() == 0 || local.port() == 0 || remote.ip().is_unspecified() {
            return Err(ConnectError::InvalidAddress);
        }
        if self.by_tuple.len() >= self.cfg.max_connections {
            return Err(ConnectError::TooManyConnections);
        }
        let tuple = FourTuple::new(local, remote);
        match self.tuple_available(now, tuple) {
            Some(isn) => Ok(self.open(now, tuple, isn, SocketOptions::default())),
            None => Err(ConnectError::AddrInUse),
        }
    }

    fn port_bound_by_listener(&self, local: SocketAddrV4) -> bool {
        self.listen_addrs.contains_key(&local)
            || self
                .listen_addrs
                .contains_key(&SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, local.port()))
    }

    /// `Some(isn)` if `tuple` is free, taking over a TIME-WAIT record under
    /// `tw_reuse` (SPEC T12; Linux `tcp_twsk_unique`).
    fn tuple_available(&mut self, now: Instant, tuple: FourTuple) -> Option<SeqNumber> {
        if self.by_tuple.contains_key(&tuple) {
            return None;
        }
        // Only the listener on the tuple's local address can hold it in
        // its SYN queue.
        if self
            .listener_for(tuple.local)
            .and_then(|l| self.listeners.get(&l))
            .is_some_and(|l| l.syn_queue.contains_key(&tuple))
        {
            return None;
        }
        if let Some(tw) = self.tw.get(&tuple) {
            let reusable = self.cfg.tw_reuse
                && tw.ts_ok
                && now - tw.ts_recent_stamp >= self.cfg.tw_reuse_delay;
            if !reusable {
                return None;
            }
            let mut isn = tw.snd_nxt + 65_535 + 2;
            if isn.0 == 0 {
                isn = SeqNumber(1);
            }
            self.tw.remove(&tuple);
            self.stats.tw_reused += 1;
            return Some(isn);
        }
        Some(self.secrets.isn(tuple, now))
    }

    fn open(
        &mut self,
        now: Instant,
        tuple: FourTuple,
        iss: SeqNumber,
        opts: SocketOptions,
    ) -> ConnectionHandle {
        let ts_off = self.secrets.ts_offset(tuple);
        let mut c = Connection::connect(now, tuple, iss, ts_off, opts, &self.cfg);
        self.spares.fit(&mut c);
        let h = self.conns.insert(c);
        self.by_tuple.insert(tuple, h);
        self.mark_dirty(h);
        h
    }

    fn conn_mut(&mut self, h: ConnectionHandle) -> Option<&mut Connection> {
        self.conns.get_mut(&h)
    }

    /// Queue data to send; returns the bytes accepted.
    pub fn write(
        &mut self,
        now: Instant,
        h: ConnectionHandle,
        data: &[u8],
    ) -> Result<usize, WriteError> {
        let cfg = &self.cfg;
        let c = self.conns.get_mut(&h).ok_or(WriteError::InvalidHandle)?;
        if c.orphan {
            return Err(WriteError::InvalidHandle);
        }
        let r = c.write(now, data, cfg);
        self.after_conn(now, h);
        r
    }

    /// Read in-order data; `Ok(0)` is end-of-stream.
    pub fn read(
        &mut self,
        now: Instant,
        h: ConnectionHandle,
        buf: &mut [u8],
    ) -> Result<usize, ReadError> {
        self.reading(now, h, |c, cfg| c.read(buf, cfg))
    }

    /// Read up to `max` in-order bytes without copying them where they are
    /// a received payload (a view of the frame); empty is end-of-stream.
    pub fn read_bytes(
        &mut self,
        now: Instant,
        h: ConnectionHandle,
        max: usize,
    ) -> Result<Payload, ReadError> {
        self.reading(now, h, |c, cfg| c.read_bytes(max, cfg))
    }

    fn reading<T>(
        &mut self,
        now: Instant,
        h: ConnectionHandle,
        read: impl FnOnce(&mut Connection, &Config) -> Result<T, ReadError>,
    ) -> Result<T, ReadError> {
        let cfg = &self.cfg;
        let c = self.conns.get_mut(&h).ok_or(ReadError::InvalidHandle)?;
        if c.orphan {
            return Err(ReadError::InvalidHandle);
        }
        let r = read(c, cfg);
        self.after_conn(now, h);
        r
    }

    /// `shutdown(how)`: `Write` sends FIN after queued data while reading
    /// continues (SPEC T7); `Read` makes reads end at the data queued (SPEC R9).
    pub fn shutdown(
        &mut self,
        now: Instant,
        h: ConnectionHandle,
        how: Shutdown,
    ) -> Result<(), ShutdownError> {
        let c = self.conn_mut(h).ok_or(ShutdownError::InvalidHandle)?;
        if c.orphan {
            return Err(ShutdownError::InvalidHandle);
        }
        let r = c.shutdown(how);
        self.after_conn(now, h);
        r
    }

    /// `close()`: release the handle; the connection finishes on its own (SPEC T1, T2, T14).
    pub fn close(&mut self, now: Instant, h: ConnectionHandle) -> Result<(), CloseError> {
        let cfg = &self.cfg;
        let c = self.conns.get_mut(&h).ok_or(CloseError::InvalidHandle)?;
        if c.orphan {
            return Err(CloseError::InvalidHandle);
        }
        c.close(now, cfg);
        // The handle is released: what it had pending will never be read.
        self.events.forget_conn(h);
        self.after_conn(now, h);
        Ok(())
    }

    /// `setsockopt` on a connection (SPEC R9, K1, T14, R8).
    pub fn set_option(
        &mut self,
        now: Instant,
        h: ConnectionHandle,
        opt: SockOpt,
    ) -> Result<(), OptionError> {
        let cfg = &self.cfg;
        let c = self.conns.get_mut(&h).ok_or(OptionError::InvalidHandle)?;
        if c.orphan {
            return Err(OptionError::InvalidHandle);
        }
        c.opts.set(opt)?;
        if matches!(opt, SockOpt::KeepAlive(_) | SockOpt::KeepIdle(_)) {
            // Linux `tcp_set_keepalive` / `keepalive_time` option: (re)arm
            // from now with the new idle time, or stop.
            if c.opts.keepalive && c.state().is_synchronized() {
                let idle = c.opts.keepalive_time(cfg);
                c.timers.set(Timer::Keepalive, now + idle);
            } else if !c.opts.keepalive {
                c.timers.stop(Timer::Keepalive);
            }
        }
        if opt == SockOpt::NoDelay(true) {
            // Linux: setting TCP_NODELAY pushes what Nagle held back.
            self.mark_dirty(h);
        }
        self.refresh_deadline(h);
        Ok(())
    }

    /// `setsockopt` on a listener: connections it accepts from now on
    /// start with these options (Linux clones the listening socket).
    pub fn set_listener_option(
        &mut self,
        l: ListenerHandle,
        opt: SockOpt,
    ) -> Result<(), OptionError> {
        self.listeners
            .get_mut(&l)
            .ok_or(OptionError::InvalidHandle)?
            .opts
            .set(opt)
    }

    /// A connection's options (`getsockopt`).
    pub fn options(&self, h: ConnectionHandle) -> Result<SocketOptions, OptionError> {
        self.conns
            .get(&h)
            .filter(|c| !c.orphan)
            .map(|c| c.opts)
            .ok_or(OptionError::InvalidHandle)
    }

    /// A listener's options, which its accepted connections inherit.
    pub fn listener_options(&self, l: ListenerHandle) -> Result<SocketOptions, OptionError> {
        self.listeners
            .get(&l)
            .map(|x| x.opts)
            .ok_or(OptionError::InvalidHandle)
    }

    /// `SO_ERROR`: the pending error, once; reading it clears it (so the next
    /// read or write no longer reports it). This is how the application
    /// learns the result of a non-blocking `connect` that failed. With no
    /// pending error, an ICMP-reported soft error, once (Linux `sock_getsockopt`).
    pub fn take_error(&mut self, h: ConnectionHandle) -> Result<Option<ConnError>, OptionError> {
        let c = self.conn_mut(h).ok_or(OptionError::InvalidHandle)?;
        if c.orphan {
            return Err(OptionError::InvalidHandle);
        }
        Ok(c.error.take().or_else(|| c.soft_error.take()))
    }
}
