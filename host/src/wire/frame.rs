//! A whole Ethernet frame parsed or emitted through every layer at once.
//!
//! This is the receive path's first step and the transmit path's last: one
//! call turns frame bytes into borrowed reprs (or the drop cause), and one call
//! writes a frame from reprs.
//!
//! Invariants:
//! - `FrameRepr::parse` runs each layer's `new_checked` and `parse`, in order,
//!   so it inherits their guarantees: no panic, no copy, the first failing
//!   layer's [`Error`] is returned.
//! - An IPv4 packet carrying neither TCP nor UDP is returned as
//!   [`TransportRepr::Other`] with its payload; the stack decides (ICMP etc.).
//! - `FrameRepr::emit` derives the IP protocol and payload length from the
//!   transport, so a frame cannot be emitted with the two disagreeing.
//!
//! ```
//! use synack_host::wire::*;
//!
//! let caps = ChecksumCapabilities::software();
//! let udp = UdpRepr { src_port: 5000, dst_port: 53, payload: b"query" };
//! let frame = FrameRepr {
//!     ethernet: EthernetRepr {
//!         src_addr: EthernetAddress([0x02, 0, 0, 0, 0, 1]),
//!         dst_addr: EthernetAddress([0x02, 0, 0, 0, 0, 2]),
//!         ethertype: EtherType::Ipv4,
//!     },
//!     network: NetworkRepr::Ipv4 {
//!         ip: Ipv4Repr {
//!             src_addr: Ipv4Address::new(10, 0, 0, 1),
//!             dst_addr: Ipv4Address::new(10, 0, 0, 2),
//!             protocol: IpProtocol::Udp,
//!             payload_len: udp.buffer_len(),
//!             ttl: 64,
//!             ident: 1,
//!             dont_frag: false,
//!         },
//!         transport: TransportRepr::Udp(udp),
//!     },
//! };
//! let mut bytes = vec![0u8; frame.buffer_len()];
//! frame.emit(&mut bytes, &caps);
//! assert_eq!(FrameRepr::parse(&bytes, &caps), Ok(frame));
//!
//! bytes[40] ^= 1; // a bit flipped in the UDP header
//! assert_eq!(FrameRepr::parse(&bytes, &caps), Err(Error::BadChecksum));
//! ```

use super::arp::{ArpPacket, ArpRepr};
use super::ethernet::{EtherType, EthernetFrame, EthernetRepr};
use super::ipv4::{IpProtocol, Ipv4Packet, Ipv4Repr};
use super::tcp::{TcpPacket, TcpRepr};
use super::udp::{UdpPacket, UdpRepr};
use super::{ChecksumCapabilities, Error, Result};

/// The transport layer of an IPv4 packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportRepr<'a> {
    Tcp(TcpRepr<'a>),
    Udp(UdpRepr<'a>),
    /// Another protocol (the IP header says which); its bytes unparsed.
    Other(&'a [u8]),
}

impl TransportRepr<'_> {
    fn buffer_len(&self) -> usize {
        match self {
            TransportRepr::Tcp(t) => t.buffer_len(),
            TransportRepr::Udp(u) => u.buffer_len(),
            TransportRepr::Other(b) => b.len(),
        }
    }
}

/// The network layer of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkRepr<'a> {
    Arp(ArpRepr),
    Ipv4 {
        ip: Ipv4Repr,
        transport: TransportRepr<'a>,
    },
}

/// A parsed frame: Ethernet header and what it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameRepr<'a> {
    pub ethernet: EthernetRepr,
    pub network: NetworkRepr<'a>,
}

impl<'a> FrameRepr<'a> {
    /// Parse a frame (without FCS) through every layer. EtherTypes other
    /// than IPv4 and ARP are [`Error::Unsupported`].
    pub fn parse(bytes: &'a [u8], caps: &ChecksumCapabilities) -> Result<FrameRepr<'a>> {
        let frame = EthernetFrame::new_checked(bytes)?;
        let ethernet = EthernetRepr::parse(&frame)?;
        let network = match ethernet.ethertype {
            EtherType::Arp => {
                let arp = ArpPacket::new_checked(frame.payload_ref())?;
                NetworkRepr::Arp(ArpRepr::parse(&arp)?)
            }
            EtherType::Ipv4 => {
                let packet = Ipv4Packet::new_checked(frame.payload_ref())?;
                let ip = Ipv4Repr::parse(&packet, caps)?;
                let payload = packet.payload_ref();
                let transport = match ip.protocol {
                    IpProtocol::Tcp => {
                        let tcp = TcpPacket::new_checked(payload)?;
                        TransportRepr::Tcp(TcpRepr::parse(&tcp, &ip.src_addr, &ip.dst_addr, caps)?)
                    }
                    IpProtocol::Udp => {
                        let udp = UdpPacket::new_checked(payload)?;
                        TransportRepr::Udp(UdpRepr::parse(&udp, &ip.src_addr, &ip.dst_addr, caps)?)
                    }
                    _ => TransportRepr::Other(payload),
                };
                NetworkRepr::Ipv4 { ip, transport }
            }
            EtherType::Ipv6 | EtherType::Unknown(_) => return Err(Error::Unsupported),
        };
        Ok(FrameRepr { ethernet, network })
    }

    /// Bytes `emit` writes (before the fabric's padding and FCS).
    pub fn buffer_len(&self) -> usize {
        self.ethernet.buffer_len()
            + match &self.network {
                NetworkRepr::Arp(arp) => arp.buffer_len(),
                NetworkRepr::Ipv4 { ip, transport } => ip.buffer_len() + transport.buffer_len(),
            }
    }

    /// Write the frame into `buffer`, which must hold at least `buffer_len()`
    /// bytes; returns the number written. The EtherType, IP protocol and IP
    /// payload length are taken from the inner layers, not the reprs.
    ///
    /// Emitting never checks: a buffer shorter than `buffer_len()`, or a
    /// transport over 65515 bytes (which no IPv4 total length can express),
    /// is the caller's bug and panics on a slice bound.
    pub fn emit(&self, buffer: &mut [u8], caps: &ChecksumCapabilities) -> usize {
        let len = self.buffer_len();
        let mut frame = EthernetFrame::new_unchecked(&mut buffer[..len]);
        let mut ethernet = self.ethernet;
        ethernet.ethertype = match self.network {
            NetworkRepr::Arp(_) => EtherType::Arp,
            NetworkRepr::Ipv4 { .. } => EtherType::Ipv4,
        };
        ethernet.emit(&mut frame);
        match &self.network {
            NetworkRepr::Arp(arp) => arp.emit(&mut ArpPacket::new_unchecked(frame.payload_mut())),
            NetworkRepr::Ipv4 { ip, transport } => {
                let mut ip = *ip;
                ip.payload_len = transport.buffer_len();
                match transport {
                    TransportRepr::Tcp(_) => ip.protocol = IpProtocol::Tcp,
                    TransportRepr::Udp(_) => ip.protocol = IpProtocol::Udp,
                    TransportRepr::Other(_) => {}
                }
                let mut packet = Ipv4Packet::new_unchecked(frame.payload_mut());
                ip.emit(&mut packet, caps);
                let (src, dst) = (ip.src_addr, ip.dst_addr);
                let out = packet.payload_mut();
                match transport {
                    TransportRepr::Tcp(tcp) => {
                        tcp.emit(&mut TcpPacket::new_unchecked(out), &src, &dst, caps)
                    }
                    TransportRepr::Udp(udp) => {
                        udp.emit(&mut UdpPacket::new_unchecked(out), &src, &dst, caps)
                    }
                    TransportRepr::Other(bytes) => out.copy_from_slice(bytes),
                }
            }
        }
        len
    }
}
