//! ICMP on the interface (RFC 792, RFC 1122 §3.2.2): echo replies, port
//! unreachable for UDP datagrams nobody is bound to receive, and errors
//! about our TCP segments handed to the engine (`tcp::IcmpError`), about our
//! UDP datagrams to the socket that sent them.
//!
//! Invariants:
//! - An echo request to our address is answered with the same identifier,
//!   sequence number and data (RFC 1122 §3.2.2.6: MUST), unless
//!   `IcmpConfig::echo_reply` is off; one to a broadcast address only with
//!   `echo_reply_broadcast` (Linux ignores them by default).
//! - An error is never sent about a datagram sent to a broadcast address, nor
//!   about an ICMP error (RFC 1122 §3.2.2), and never faster than
//!   [`super::icmp_limit`] allows; what the limit holds back is counted.
//!   Errors sent: port unreachable (UDP to an unbound port) and time
//!   exceeded in reassembly (a datagram whose first fragment came, and not
//!   the rest, within `ReassemblyConfig::timeout`).
//! - An error quotes the invoking datagram from its IP header on, as much
//!   as fits in 576 bytes (RFC 1812 §4.3.2.3, Linux `icmp_send`).
//! - ICMP leaves with DF clear (Linux's ICMP socket does not set it) and both
//!   checksums computed here: the fabric sums only TCP and UDP.
//!
//! - A received error (unreachable, fragmentation needed with its next-hop
//!   MTU, time exceeded, parameter problem) sent to our unicast address and
//!   quoting a TCP segment from our address goes to the engine, which checks
//!   the quoted sequence number; quoting a UDP datagram from our address, to
//!   the socket bound to its source port, which keeps it only if connected
//!   to its destination; every well-formed message is counted in
//!   `rx_icmp_messages`.
//!
//! Limits: no ping sockets (echo replies are counted only). The error's IP
//! header has TOS 0 (Linux: 0xc0, "internetwork control").

use std::net::SocketAddrV4;

use crate::tcp::{FourTuple, IcmpError, IcmpErrorKind, SeqNumber};
use crate::time::Instant;
use crate::wire::{
    IcmpPacket, IcmpQuote, IcmpRepr, IpProtocol, Ipv4Address, Ipv4Packet, Ipv4Repr, icmp, ipv4,
};

use super::stats::DropCause;
use super::{Interface, Transmit};

/// The largest ICMP error datagram (RFC 1812 §4.3.2.3: "SHOULD NOT exceed 576 octets").
const ERROR_DATAGRAM_MAX: usize = 576;

impl Interface {
    /// One received ICMP message (the IP payload of `ip`), after the IP layer
    /// accepted it for us or as a broadcast.
    pub(super) fn receive_icmp(
        &mut self,
        now: Instant,
        ip: &Ipv4Repr,
        message: &[u8],
        broadcast: bool,
    ) -> Result<(), DropCause> {
        let packet = IcmpPacket::new_checked(message)?;
        let repr = IcmpRepr::parse(&packet)?;
        self.stats.rx_icmp_messages += 1;
        let (kind, invoking) = match repr {
            IcmpRepr::EchoRequest {
                ident,
                seq_no,
                data,
            } => {
                let icmp = self.cfg.icmp;
                if icmp.echo_reply && (!broadcast || icmp.echo_reply_broadcast) {
                    let reply = IcmpRepr::EchoReply {
                        ident,
                        seq_no,
                        data,
                    };
                    if self.send_icmp(now, &reply, ip.src_addr) {
                        self.stats.icmp_echo_replies_sent += 1;
                    }
                }
                return Ok(());
            }
            IcmpRepr::DstUnreachable {
                code: icmp::unreachable::FRAG_NEEDED,
                next_hop_mtu,
                invoking,
            } => (
                IcmpErrorKind::FragmentationNeeded { mtu: next_hop_mtu },
                invoking,
            ),
            IcmpRepr::DstUnreachable { code, invoking, .. } => {
                (IcmpErrorKind::Unreachable { code }, invoking)
            }
            IcmpRepr::TimeExceeded { invoking, .. } => (IcmpErrorKind::TimeExceeded, invoking),
            IcmpRepr::ParamProblem { invoking, .. } => (IcmpErrorKind::ParameterProblem, invoking),
            IcmpRepr::EchoReply { .. } | IcmpRepr::Other { .. } => return Ok(()),
        };
        // Linux `icmp_rcv`: an error sent to a broadcast address is bogus.
        if broadcast {
            return Ok(());
        }
        let Ok(quote) = IcmpQuote::parse(invoking) else {
            return Ok(());
        };
        if quote.src_addr != self.cfg.addr {
            return Ok(());
        }
        match quote.protocol {
            IpProtocol::Tcp => {
                let error = tcp_error(kind, &quote);
                self.engine.handle_icmp_error(now, &error);
            }
            IpProtocol::Udp => {
                let kept = self.udp.icmp_error(&quote, kind);
                self.stats.udp_icmp_errors += u64::from(kept);
            }
            _ => {}
        }
        Ok(())
    }

    /// Port unreachable about `datagram` (a whole received IPv4 packet
    /// carrying UDP, as `ip` parsed it), if configured, not to a broadcast
    /// and within the rate limit.
    pub(super) fn send_port_unreachable(
        &mut self,
        now: Instant,
        ip: &Ipv4Repr,
        datagram: &[u8],
        broadcast: bool,
    ) {
        if !self.cfg.icmp.port_unreachable || broadcast {
            return;
        }
        let error = |invoking| IcmpRepr::DstUnreachable {
            code: icmp::unreachable::PORT,
            next_hop_mtu: 0,
            invoking,
        };
        if self.send_icmp_error(now, ip.src_addr, datagram, error) {
            self.stats.icmp_unreachables_sent += 1;
        }
    }

    /// Time exceeded in reassembly about a datagram whose first fragment
    /// (`first`, a received IPv4 packet) came and whose rest did not; not
    /// about an ICMP error's fragments, nor one sent to a broadcast.
    pub(super) fn send_reassembly_time_exceeded(&mut self, now: Instant, first: &[u8]) {
        let p = Ipv4Packet::new_unchecked(first);
        let (src, dst) = (p.src_addr(), p.dst_addr());
        if self.is_broadcast(dst) || is_icmp_error(&p) {
            return;
        }
        let error = |invoking| IcmpRepr::TimeExceeded {
            code: icmp::time_exceeded::REASSEMBLY,
            invoking,
        };
        if self.send_icmp_error(now, src, first, error) {
            self.stats.icmp_time_exceeded_sent += 1;
        }
    }

    /// An error to `dst` quoting `datagram` (from its IP header on, as much
    /// as fits in 576 bytes), within the rate limit (what it holds back is
    /// counted); true if it was handed to IP output.
    fn send_icmp_error<'a>(
        &mut self,
        now: Instant,
        dst: Ipv4Address,
        datagram: &'a [u8],
        error: impl FnOnce(&'a [u8]) -> IcmpRepr<'a>,
    ) -> bool {
        if !self.icmp_limit.allow(now, &self.cfg.icmp, dst) {
            self.stats.icmp_rate_limited += 1;
            return false;
        }
        let room =
            ERROR_DATAGRAM_MAX.min(usize::from(self.cfg.mtu)) - ipv4::HEADER_LEN - icmp::HEADER_LEN;
        let repr = error(&datagram[..datagram.len().min(room)]);
        self.send_icmp(now, &repr, dst)
    }

    /// Build and dispatch one ICMP message to `dst`; false if it was over
    /// the MTU (counted). What happens after (no route, waiting for ARP) is
    /// the transmit path's to count.
    fn send_icmp(&mut self, now: Instant, repr: &IcmpRepr<'_>, dst: Ipv4Address) -> bool {
        let ip = Ipv4Repr {
            src_addr: self.cfg.addr,
            dst_addr: dst,
            protocol: IpProtocol::Icmp,
            payload_len: repr.buffer_len(),
            ttl: self.cfg.ttl,
            ident: self.next_ident(),
            dont_frag: false,
        };
        let Some((mut buf, meta)) = self.build_ip_software(&ip) else {
            return false;
        };
        let l4 = self.cfg.medium.header_len() + ipv4::HEADER_LEN;
        repr.emit(&mut IcmpPacket::new_unchecked(&mut buf[l4..]));
        self.dispatch(now, dst, Transmit { frame: buf, meta });
        true
    }
}

/// `p` (a first fragment) carries an ICMP error, not a query: RFC 1122
/// §3.2.2 sends no error about an error.
fn is_icmp_error(p: &Ipv4Packet<&[u8]>) -> bool {
    if p.protocol() != IpProtocol::Icmp {
        return false;
    }
    let data = &p.clone().into_inner()[usize::from(p.header_len())..];
    !matches!(
        data.first(),
        None | Some(&icmp::msg_type::ECHO_REQUEST) | Some(&icmp::msg_type::ECHO_REPLY)
    )
}

/// The error as the engine takes it: the quoted segment named by our side's
/// tuple (`quote` is of a TCP segment we sent).
fn tcp_error(kind: IcmpErrorKind, quote: &IcmpQuote) -> IcmpError {
    IcmpError {
        tuple: FourTuple {
            local: SocketAddrV4::new(quote.src_addr.into(), quote.src_port),
            remote: SocketAddrV4::new(quote.dst_addr.into(), quote.dst_port),
        },
        seq: SeqNumber(quote.seq),
        kind,
    }
}
