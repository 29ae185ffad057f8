//! Listening sockets: the SYN queue of compact request records and the
//! accept queue (SPEC H8). What the engine does with segments for them
//! (SYN-ACKs, SYN cookies, the final ACK) is in `engine::passive`.
//!
//! Invariants:
//! - A request record is small and fixed-size: no buffers, no timers table.
//! - The accept queue holds handles of ESTABLISHED (or later) children that
//!   the application has not accepted; Linux's off-by-one is kept: the queue
//!   is full when it holds *more than* `backlog` entries (`sk_acceptq_is_full`).
//! - A SYN-ACK is retransmitted after 1, 2, 4, 8, 16 s and the record dropped
//!   32 s after the last (63 s in all) with the default config (SPEC H5).

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::net::SocketAddrV4;

use crate::time::Instant;

use super::handles::ConnectionHandle;
use super::options::SocketOptions;
use super::segment::{FourTuple, SeqNumber};

/// A half-open connection in the SYN queue (Linux `struct tcp_request_sock`).
#[derive(Clone, Debug)]
pub struct RequestSock {
    pub tuple: FourTuple,
    pub iss: SeqNumber,
    pub irs: SeqNumber,
    pub peer_mss: u16,
    pub snd_wscale: Option<u8>,
    pub sack_ok: bool,
    /// Peer's TSval if timestamps are in use.
    pub ts_recent: Option<u32>,
    pub ts_offset: u32,
    /// Window offered in the SYN-ACK (bytes, unscaled).
    pub rcv_wnd: u32,
    /// MSS announced in the SYN-ACK (the listener's `TCP_MAXSEG` applied).
    pub adv_mss: u16,
    pub first_sent: Instant,
    pub expires: Instant,
    /// SYN-ACK retransmissions by timer (Linux `num_timeout`).
    pub num_timeout: u32,
    /// SYN-ACK retransmissions of any cause (Linux `num_retrans`).
    pub num_retrans: u32,
    /// The final ACK arrived while the accept queue was full (Linux `acked`).
    pub acked: bool,
    pub last_oow: Option<Instant>,
}

/// A listening socket.
#[derive(Debug)]
pub struct Listener {
    pub local: SocketAddrV4,
    /// Accept-queue bound: `listen(backlog)` capped by `somaxconn`.
    pub backlog: usize,
    pub syn_queue: HashMap<FourTuple, RequestSock>,
    /// `(expires, tuple)` for every SYN-queue record: the next deadline is the first.
    expiry: BTreeSet<(Instant, FourTuple)>,
    pub accept_queue: VecDeque<ConnectionHandle>,
    /// Last SYN-queue overflow (Linux `tcp_synq_overflow`), enabling cookie checks.
    pub last_overflow: Option<Instant>,
    /// Options every accepted connection starts with (SPEC R9).
    pub opts: SocketOptions,
    /// The deadline the engine's listener index holds for this listener
    /// (its `next_timeout` when last filed).
    pub(crate) filed: Option<Instant>,
}

impl Listener {
    pub fn new(local: SocketAddrV4, backlog: usize) -> Self {
        Listener {
            local,
            backlog,
            syn_queue: HashMap::new(),
            expiry: BTreeSet::new(),
            accept_queue: VecDeque::new(),
            last_overflow: None,
            opts: SocketOptions::default(),
            filed: None,
        }
    }

    pub fn next_timeout(&self) -> Option<Instant> {
        self.expiry.first().map(|(t, _)| *t)
    }

    /// SYN-queue records due at `now`.
    pub(crate) fn due(&self, now: Instant) -> Vec<FourTuple> {
        self.expiry
            .iter()
            .take_while(|(t, _)| *t <= now)
            .map(|(_, tuple)| *tuple)
            .collect()
    }

    #[cfg(test)]
    pub(crate) fn check_invariants(&self) {
        assert_eq!(self.expiry.len(), self.syn_queue.len());
        for r in self.syn_queue.values() {
            assert!(self.expiry.contains(&(r.expires, r.tuple)));
        }
    }

    pub(crate) fn add(&mut self, req: RequestSock) {
        self.expiry.insert((req.expires, req.tuple));
        self.syn_queue.insert(req.tuple, req);
    }

    pub(crate) fn remove(&mut self, tuple: &FourTuple) -> Option<RequestSock> {
        let r = self.syn_queue.remove(tuple)?;
        self.expiry.remove(&(r.expires, r.tuple));
        Some(r)
    }

    /// Restart a record's timer; `retransmitted` counts a SYN-ACK resent by
    /// timer (`num_timeout`) or in reply to a retransmitted SYN.
    pub(crate) fn restart(&mut self, tuple: &FourTuple, expires: Instant, by_timer: bool) {
        if let Some(r) = self.syn_queue.get_mut(tuple) {
            self.expiry.remove(&(r.expires, r.tuple));
            r.expires = expires;
            r.num_retrans += 1;
            if by_timer {
                r.num_timeout += 1;
            }
            self.expiry.insert((expires, *tuple));
        }
    }

    pub(crate) fn accept_queue_full(&self) -> bool {
        self.accept_queue.len() > self.backlog
    }
}
