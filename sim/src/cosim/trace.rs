//! What the hosts sent and received while tracing, with each host's TCP
//! state for the connection after the service that handled the frame; and
//! the sequence-diagram rows (SPEC S3) built from it.
//!
//! Two times per sent frame: when the host handed it to its driver (the
//! service's time), and when it left the sender's MAC onto the wire — the
//! time the pcap records. Diagrams show the wire time, so they agree with
//! Wireshark.
use std::net::SocketAddrV4;

use synack_host::stack::{FrameDirection, LoggedFrame};
use synack_host::tcp::ss::SocketRow;
use synack_host::tcp::{Engine, State};
use synack_host::time::Instant;
use synack_host::wire::{EtherType, EthernetFrame, IpProtocol, Ipv4Packet, TcpPacket};

use crate::sequence_diagram::{Direction, Exchange};

/// The TCP fields a diagram shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpSummary {
    pub src: SocketAddrV4,
    pub dst: SocketAddrV4,
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
    pub payload_len: usize,
}

/// One TCP frame a host handled while tracing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceRecord {
    pub node: usize,
    /// When the host handled the frame (the time of its service).
    pub at_ns: u64,
    /// For a sent frame: when it left the MAC onto the wire, as the pcap
    /// records it; `None` until then (or if tracing stopped first).
    pub wire_ns: Option<u64>,
    pub direction: FrameDirection,
    pub tcp: TcpSummary,
    /// The host's state for this connection once the service was over.
    pub state: String,
}

/// The TCP fields of an Ethernet/IPv4/TCP frame; `None` for anything else.
pub fn tcp_summary(frame: &[u8]) -> Option<TcpSummary> {
    let eth = EthernetFrame::new_checked(frame).ok()?;
    if eth.ethertype() != EtherType::Ipv4 {
        return None;
    }
    let ip = Ipv4Packet::new_checked(eth.payload_ref()).ok()?;
    if ip.protocol() != IpProtocol::Tcp {
        return None;
    }
    let tcp = TcpPacket::new_checked(ip.payload_ref()).ok()?;
    Some(TcpSummary {
        src: SocketAddrV4::new(ip.src_addr().into(), tcp.src_port()),
        dst: SocketAddrV4::new(ip.dst_addr().into(), tcp.dst_port()),
        seq: tcp.seq_number(),
        ack: tcp.ack_number(),
        flags: tcp.flags().0,
        payload_len: tcp.payload_ref().len(),
    })
}

/// `local`'s state towards `remote` as `ss` would list it.
pub fn state_of(
    engine: &Engine,
    now: Instant,
    local: SocketAddrV4,
    remote: SocketAddrV4,
) -> String {
    state_in(&engine.sockets(now), local, remote)
}

/// `local`'s state towards `remote` in a socket listing: the connection's,
/// else a listener's on that port, else CLOSED.
pub fn state_in(rows: &[SocketRow], local: SocketAddrV4, remote: SocketAddrV4) -> String {
    let state = rows
        .iter()
        .find(|r| r.local == local && r.peer == Some(remote))
        .map(|r| r.state)
        .or_else(|| {
            rows.iter()
                .find(|r| r.peer.is_none() && r.local.port() == local.port())
                .map(|r| r.state)
        })
        .unwrap_or(State::Closed);
    state.rfc_name().to_string()
}

/// Adds one service's logged frames to `trace`. A frame logged before the
/// application ran gets the state from `before_app` (the listing taken just
/// before it), one the application's calls caused the state after the service.
pub(super) fn record(
    trace: &mut Vec<TraceRecord>,
    node: usize,
    at_ns: u64,
    before_app: &[SocketRow],
    after: &[SocketRow],
    log: Vec<LoggedFrame>,
) {
    for frame in log {
        let Some(tcp) = tcp_summary(&frame.bytes) else {
            continue;
        };
        let (local, remote) = match frame.direction {
            FrameDirection::Sent => (tcp.src, tcp.dst),
            FrameDirection::Received => (tcp.dst, tcp.src),
        };
        let rows = if frame.after_app { after } else { before_app };
        trace.push(TraceRecord {
            node,
            at_ns,
            wire_ns: None,
            direction: frame.direction,
            tcp,
            state: state_in(rows, local, remote),
        });
    }
}

/// Node `node`'s frame `frame` (Ethernet header onwards) left its MAC at
/// `at_ns`: the earliest of that node's sent records with the same TCP
/// fields and no wire time yet gets it. Frames leave the MAC in the order
/// the host queued them (one TX ring), and the fabric's TSO reproduces the
/// segments the host logged field for field (SPEC F5), so the match is exact.
pub(super) fn note_wire_time(trace: &mut [TraceRecord], node: usize, at_ns: u64, frame: &[u8]) {
    let Some(tcp) = tcp_summary(frame) else {
        return;
    };
    if let Some(r) = trace.iter_mut().find(|r| {
        r.node == node && r.direction == FrameDirection::Sent && r.wire_ns.is_none() && r.tcp == tcp
    }) {
        r.wire_ns = Some(at_ns);
    }
}

/// Each node's initial sequence number: the sequence number of the first
/// SYN it sent in `trace`.
pub fn initial_sequence_numbers(trace: &[TraceRecord]) -> [Option<u32>; 2] {
    let isn = |node: usize| {
        trace
            .iter()
            .find(|r| {
                r.node == node && r.direction == FrameDirection::Sent && r.tcp.flags & 0x02 != 0
            })
            .map(|r| r.tcp.seq)
    };
    [isn(0), isn(1)]
}

fn flag_names(flags: u8) -> String {
    const NAMES: [(u8, &str); 6] = [
        (0x02, "SYN"),
        (0x01, "FIN"),
        (0x04, "RST"),
        (0x08, "PSH"),
        (0x10, "ACK"),
        (0x20, "URG"),
    ];
    let names: Vec<&str> = NAMES
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, n)| *n)
        .collect();
    names.join(",")
}

/// Diagram rows for the segments node 0 (left) and node 1 (right)
/// exchanged, in the order they were sent, keeping those `keep` accepts.
/// Sequence numbers are shown relative to `isns` (see
/// [`initial_sequence_numbers`]), as Wireshark shows them; each row's time
/// is when the segment left the sender's MAC (the pcap's timestamp). A
/// segment counts as delivered if the other host received a segment with
/// the same numbers, flags and length.
pub fn connection_exchanges(
    trace: &[TraceRecord],
    isns: [Option<u32>; 2],
    mut keep: impl FnMut(&TraceRecord) -> bool,
) -> Vec<Exchange> {
    let mut matched = vec![false; trace.len()];
    let mut last_state = [String::from("CLOSED"), String::from("LISTEN")];
    let mut rows = Vec::new();
    for (k, sent) in trace.iter().enumerate() {
        if sent.direction != FrameDirection::Sent {
            if sent.direction == FrameDirection::Received {
                last_state[sent.node] = sent.state.clone();
            }
            continue;
        }
        last_state[sent.node] = sent.state.clone();
        let peer = 1 - sent.node;
        let received = trace.iter().enumerate().skip(k + 1).find(|(j, r)| {
            !matched[*j]
                && r.node == peer
                && r.direction == FrameDirection::Received
                && r.tcp == sent.tcp
        });
        let receiver_state = match received {
            Some((j, r)) => {
                matched[j] = true;
                r.state.clone()
            }
            None => last_state[peer].clone(),
        };
        if !keep(sent) {
            continue;
        }
        let t = &sent.tcp;
        let rel = |node: usize, v: u32| isns[node].map_or(v, |i| v.wrapping_sub(i));
        let mut label = format!("{} seq={}", flag_names(t.flags), rel(sent.node, t.seq));
        if t.flags & 0x10 != 0 {
            label += &format!(" ack={}", rel(peer, t.ack));
        }
        if t.payload_len > 0 {
            label += &format!(" len={}", t.payload_len);
        }
        let (left_state, right_state) = if sent.node == 0 {
            (sent.state.clone(), receiver_state)
        } else {
            (receiver_state, sent.state.clone())
        };
        rows.push(Exchange {
            direction: if sent.node == 0 {
                Direction::LeftToRight
            } else {
                Direction::RightToLeft
            },
            wire_ns: sent.wire_ns,
            label,
            delivered: received.is_some(),
            left_state,
            right_state,
        });
    }
    rows
}
