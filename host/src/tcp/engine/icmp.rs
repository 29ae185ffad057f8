//! ICMP errors about segments this engine sent (Linux `tcp_v4_err` and
//! `tcp_req_err`; RFC 1122 §4.2.3.9, RFC 5927).
//!
//! Invariants:
//! - An error is acted on only if the sequence number it quotes lies in
//!   [SND.UNA, SND.NXT] of the connection it names, or is exactly the ISS
//!   of the SYN-queue record it names, so an off-path attacker must guess
//!   it (RFC 5927 §4.1). Anything else is counted in `Stats::icmp_ignored`.
//! - In SYN-SENT, and in SYN-RECEIVED of a simultaneous open, an error ends
//!   the connection with its meaning (a connect to a firewalled port fails
//!   at once instead of retrying for two minutes); in a synchronized state
//!   it is only remembered as the soft error, reported if the connection
//!   later times out; a network or host unreachable quoting SND.UNA during
//!   RTO backoff also takes one doubling back (RFC 6069).
//! - A SYN-queue record ends only for the errors that say the client cannot
//!   be reached (network or host unreachable, time exceeded, parameter
//!   problem), silently: POSIX wants no network errors from `accept`.
//! - Fragmentation needed (RFC 1191) about a connection lowers the path MTU
//!   to its destination for every connection there ([`PathMtuCache`]); the
//!   connection it quoted resends at once, re-cut at the new MSS, what no
//!   longer fits (Linux `tcp_v4_mtu_reduced`). About a SYN-queue record or a
//!   listener it changes nothing (a SYN-ACK is small).
//! - Other unreachable codes Linux ignores, and every other ICMP type,
//!   change nothing.
//!
//! [`PathMtuCache`]: super::super::path_mtu::PathMtuCache

use crate::time::Instant;

use super::super::connection::state::State;
use super::super::error::ConnError;
use super::super::segment::{FourTuple, SeqNumber};
use super::Engine;

/// What an ICMP error said about a segment we sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IcmpErrorKind {
    /// Destination unreachable with its code (RFC 792, RFC 1122 §3.2.2.1).
    Unreachable { code: u8 },
    /// Time exceeded (in transit or in reassembly).
    TimeExceeded,
    /// Parameter problem.
    ParameterProblem,
    /// Destination unreachable, fragmentation needed and DF set, with the
    /// next hop's MTU (RFC 1191; 0 from a router older than it).
    FragmentationNeeded { mtu: u16 },
}

/// An ICMP error as the interface read it: the TCP segment it quotes,
/// named by our side's tuple, and its sequence number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IcmpError {
    /// `local` is the quoted segment's source (us), `remote` its destination.
    pub tuple: FourTuple,
    /// The quoted segment's sequence number.
    pub seq: SeqNumber,
    pub kind: IcmpErrorKind,
}

impl IcmpErrorKind {
    /// The connection error it means, if any (Linux `icmp_err_convert`; a
    /// code it does not list, fragmentation needed among them, means none).
    pub fn meaning(self) -> Option<ConnError> {
        match self {
            IcmpErrorKind::TimeExceeded => Some(ConnError::HostUnreachable),
            IcmpErrorKind::ParameterProblem => Some(ConnError::ProtocolError),
            IcmpErrorKind::FragmentationNeeded { .. } => None,
            IcmpErrorKind::Unreachable { code } => Some(match code {
                // Network unreachable, unknown, prohibited, for TOS.
                0 | 6 | 9 | 11 => ConnError::NetUnreachable,
                // Host unreachable, prohibited, for TOS; filtered; precedence.
                1 | 10 | 12..=15 => ConnError::HostUnreachable,
                2 => ConnError::ProtocolUnavailable,
                3 => ConnError::Refused,
                5 => ConnError::SourceRouteFailed,
                7 => ConnError::HostDown,
                8 => ConnError::NotOnNetwork,
                _ => return None,
            }),
        }
    }

    /// It ends a SYN-queue record (Linux `tcp_v4_err`'s `abort` for
    /// `tcp_req_err`).
    fn ends_request(self) -> bool {
        match self {
            IcmpErrorKind::TimeExceeded | IcmpErrorKind::ParameterProblem => true,
            IcmpErrorKind::Unreachable { code } => code <= 1,
            IcmpErrorKind::FragmentationNeeded { .. } => false,
        }
    }
}

impl Engine {
    /// Act on an ICMP error about one of our segments (Linux `tcp_v4_err`).
    /// Segments received before it are handled first.
    pub fn handle_icmp_error(&mut self, now: Instant, e: &IcmpError) {
        self.process_backlog(now);
        if let IcmpErrorKind::FragmentationNeeded { mtu } = e.kind {
            self.path_mtu_reduced(now, e, mtu);
            return;
        }
        let Some(err) = e.kind.meaning() else {
            self.stats.icmp_ignored += 1;
            return;
        };
        if let Some(h) = self.demux(e.tuple) {
            let Some(c) = self.conns.get_mut(&h) else {
                return;
            };
            // Linux `between(seq, snd_una, snd_nxt)`, both ends included.
            if !e.seq.in_range(c.snd_una, c.snd_nxt + 1) {
                self.stats.icmp_ignored += 1;
                return;
            }
            match c.state {
                State::SynSent | State::SynReceived => {
                    c.set_closed(Some(err));
                    self.stats.icmp_aborts += 1;
                    self.after_conn(now, h);
                }
                _ => {
                    c.soft_error = Some(err);
                    self.stats.icmp_soft_errors += 1;
                    if matches!(e.kind, IcmpErrorKind::Unreachable { code: 0 | 1 }) {
                        c.revert_rto_backoff(now, e.seq, &self.cfg);
                        self.after_conn(now, h);
                    }
                }
            }
            return;
        }
        if let Some(l) = self.listener_for(e.tuple.local) {
            if let Some(x) = self.listeners.get_mut(&l) {
                let ends = x
                    .syn_queue
                    .get(&e.tuple)
                    .is_some_and(|req| req.iss == e.seq && e.kind.ends_request());
                if ends {
                    x.remove(&e.tuple);
                    self.stats.icmp_aborts += 1;
                    self.refile_listener(l);
                    return;
                }
            }
        }
        self.stats.icmp_ignored += 1;
    }

    /// RFC 1191 (Linux `tcp_v4_err` then `tcp_v4_mtu_reduced`): the path to
    /// the quoted segment's destination carries at most `mtu` bytes.
    fn path_mtu_reduced(&mut self, now: Instant, e: &IcmpError, mtu: u16) {
        let Some(h) = self.demux(e.tuple) else {
            // A listener's SYN-ACKs are small; Linux ignores these too.
            self.stats.icmp_ignored += 1;
            return;
        };
        let Some(c) = self.conns.get_mut(&h) else {
            return;
        };
        if c.state == State::Closed || !e.seq.in_range(c.snd_una, c.snd_nxt + 1) {
            self.stats.icmp_ignored += 1;
            return;
        }
        self.stats.icmp_frag_needed += 1;
        let pmtu = self
            .path_mtu
            .report(*e.tuple.remote.ip(), mtu, now, &self.cfg);
        if c.pmtu > pmtu {
            c.sync_pmtu(pmtu);
            c.pmtu_generation = Some(self.path_mtu.generation());
            c.simple_retransmit();
            self.stats.pmtu_reductions += 1;
            self.after_conn(now, h);
        }
    }
}
