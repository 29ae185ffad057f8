//! The receive path: frame or packet bytes to engine segments, UDP
//! datagrams, ARP answers and ICMP (echo replies, port unreachable, errors
//! for the engine); fragments through reassembly.
//!
//! Invariants:
//! - Every byte pattern is either consumed or dropped and counted under one
//!   [`DropCause`]; nothing here can panic (all parsing goes through the
//!   wire layer's `new_checked`/`parse`).
//! - Checksums are verified only where `InterfaceConfig::caps` says software
//!   must (the fabric verified the others, SPEC F3).
//! - The ARP cache learns only from ARP packets that target us or refresh an
//!   entry we already hold (RFC 826's merge rule), never from IPv4 traffic.

use crate::tcp::segment::Payload;
use crate::time::Instant;
use crate::wire::Error as WireError;
use crate::wire::{
    ArpOperation, ArpPacket, ArpRepr, Checksum, ChecksumCapabilities, EtherType, EthernetAddress,
    EthernetFrame, EthernetRepr, IpProtocol, Ipv4Address, Ipv4Packet, Ipv4Repr, TcpPacket, TcpRepr,
    UdpPacket, UdpRepr,
};

use super::reassembly::Fragment;
use super::stats::DropCause;
use super::{Interface, Medium, segment};

type RxResult = Result<(), DropCause>;

/// What the fabric found about one received frame's checksums (SPEC F3), as
/// its RX completion reports them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HwChecksum {
    /// The IPv4 header checksum: `None` if the fabric did not check it.
    pub ipv4: Option<bool>,
    /// The TCP/UDP checksum: `None` if the fabric did not check it.
    pub l4: Option<bool>,
}

impl HwChecksum {
    /// The fabric checked nothing: software verifies as `caps` says.
    pub const NONE: HwChecksum = HwChecksum {
        ipv4: None,
        l4: None,
    };
}

impl Interface {
    /// Process one received frame (a bare IPv4 packet on [`Medium::Ip`]),
    /// without FCS. TCP segments wait in the engine's bounded backlog (SPEC
    /// H8) until [`Self::poll_transmit`], [`Self::handle_timeout`] or
    /// [`Self::process_backlog`] runs; afterwards drain `poll_transmit` and
    /// the engine's events.
    pub fn receive(&mut self, now: Instant, bytes: &[u8]) {
        let caps = self.cfg.caps;
        self.receive_with(now, bytes, None, Ok(caps));
    }

    /// [`Self::receive`] for a frame the caller gives away: a TCP
    /// segment's payload stays in it, a view rather than a copy, until the
    /// application reads it (a `Vec<u8>` converts without copying).
    pub fn receive_frame(&mut self, now: Instant, frame: Payload) {
        let caps = self.cfg.caps;
        self.receive_with(now, &frame, Some(&frame), Ok(caps));
    }

    /// [`Self::receive`] for a frame whose checksums the fabric verified
    /// (SPEC F3), with its verdicts: a checksum it found bad drops the frame
    /// as [`DropCause::BadChecksum`]; one it found good is not verified
    /// again; one it did not check is verified in software, whatever `caps`
    /// says.
    pub fn receive_offloaded(&mut self, now: Instant, bytes: &[u8], hw: HwChecksum) {
        let caps = if hw.ipv4 == Some(false) || hw.l4 == Some(false) {
            Err(DropCause::BadChecksum)
        } else {
            Ok(rx_caps(self.cfg.caps, hw))
        };
        self.receive_with(now, bytes, None, caps);
    }

    /// `owner`, if any, is the buffer `bytes` lie in.
    fn receive_with(
        &mut self,
        now: Instant,
        bytes: &[u8],
        owner: Option<&Payload>,
        caps: Result<ChecksumCapabilities, DropCause>,
    ) {
        self.stats.rx_frames += 1;
        self.stats.rx_bytes += bytes.len() as u64;
        let r = caps.and_then(|caps| match self.cfg.medium {
            Medium::Ethernet(mac) => self.receive_ethernet(now, mac, bytes, owner, &caps),
            Medium::Ip => self.receive_ipv4(now, bytes, owner, &caps, false),
        });
        if let Err(cause) = r {
            self.stats.drop(cause);
        }
    }

    fn receive_ethernet(
        &mut self,
        now: Instant,
        mac: EthernetAddress,
        bytes: &[u8],
        owner: Option<&Payload>,
        caps: &ChecksumCapabilities,
    ) -> RxResult {
        let frame = EthernetFrame::new_checked(bytes)?;
        let eth = EthernetRepr::parse(&frame)?;
        if eth.dst_addr != mac && !eth.dst_addr.is_broadcast() {
            return Err(DropCause::NotForUs);
        }
        match eth.ethertype {
            EtherType::Arp => {
                let packet = ArpPacket::new_checked(frame.payload_ref())?;
                let arp = ArpRepr::parse(&packet)?;
                self.receive_arp(now, mac, &arp)?;
                self.stats.rx_arp_packets += 1;
                Ok(())
            }
            EtherType::Ipv4 => {
                let link_broadcast = eth.dst_addr.is_broadcast();
                self.receive_ipv4(now, frame.payload_ref(), owner, caps, link_broadcast)
            }
            EtherType::Ipv6 | EtherType::Unknown(_) => Err(DropCause::Unsupported),
        }
    }

    fn receive_arp(&mut self, now: Instant, mac: EthernetAddress, arp: &ArpRepr) -> RxResult {
        let sender = arp.source_protocol_addr;
        if !arp.source_hardware_addr.is_unicast() || !sender.is_unicast() || sender == self.cfg.addr
        {
            return Err(DropCause::MartianSource);
        }
        // RFC 826: "If the pair <protocol type, sender protocol address> is
        // already in my translation table, update the sender hardware address
        // field of the entry with the new information in the packet".
        let merged = self
            .arp
            .update_if_present(sender, arp.source_hardware_addr, now);
        // "?Am I the target protocol address?"
        let for_us = arp.target_protocol_addr == self.cfg.addr;
        if for_us && !merged {
            // "If Merge_flag is false, add the triplet".
            self.arp.fill(sender, arp.source_hardware_addr, now);
        }
        if let Some(found) = self.arp.get(&sender, now) {
            self.flush_pending(sender, found);
        }
        if !for_us {
            return if merged {
                Ok(())
            } else {
                Err(DropCause::NotForUs)
            };
        }
        // "?Is the opcode ares_op$REQUEST? (NOW look at the opcode!!) Yes:
        // swap hardware and protocol fields ... send the packet to the
        // (new) target hardware address".
        if arp.operation == ArpOperation::Request {
            let reply = arp.reply(mac);
            self.stats.arp_replies_sent += 1;
            self.send_arp(arp.source_hardware_addr, &reply);
        }
        Ok(())
    }

    /// `link_broadcast`: the frame was sent to the link's broadcast address.
    fn receive_ipv4(
        &mut self,
        now: Instant,
        bytes: &[u8],
        owner: Option<&Payload>,
        caps: &ChecksumCapabilities,
        link_broadcast: bool,
    ) -> RxResult {
        let packet = Ipv4Packet::new_checked(bytes)?;
        let ip = match Ipv4Repr::parse(&packet, caps) {
            Err(WireError::Fragmented) => {
                self.check_addresses(packet.src_addr(), packet.dst_addr())?;
                return self.receive_fragment(now, &packet, link_broadcast);
            }
            r => r?,
        };
        let broadcast = self.check_addresses(ip.src_addr, ip.dst_addr)?;
        let payload = packet.payload_ref();
        match ip.protocol {
            IpProtocol::Tcp => {
                // RFC 1122 §4.2.3.10: a TCP segment to a broadcast address is discarded.
                if broadcast {
                    return Err(DropCause::NotForUs);
                }
                let tcp_packet = TcpPacket::new_checked(payload)?;
                let tcp = TcpRepr::parse(&tcp_packet, &ip.src_addr, &ip.dst_addr, caps)?;
                // Linux frees a SYN's request when its SYN-ACK cannot be
                // routed (`tcp_conn_request`): no SYN-queue record for a
                // source there is no way back to (off-link, no gateway).
                let opens = tcp.flags.syn() && !tcp.flags.ack();
                if opens && self.cfg.medium != Medium::Ip && self.route(ip.src_addr).is_none() {
                    return Err(DropCause::UnroutableSource);
                }
                let payload = match owner {
                    _ if tcp.payload.is_empty() => Payload::new(),
                    Some(frame) => frame.slice_ref(tcp.payload),
                    None => Payload::copy_from_slice(tcp.payload),
                };
                let seg = segment::from_wire(&ip, &tcp, payload);
                self.stats.rx_tcp_segments += 1;
                // SPEC H8: the bounded receive backlog (`netdev_max_backlog`);
                // the engine counts what overflows it.
                self.engine.enqueue_segment(seg);
                Ok(())
            }
            IpProtocol::Udp => {
                let udp_packet = UdpPacket::new_checked(payload)?;
                let udp = UdpRepr::parse(&udp_packet, &ip.src_addr, &ip.dst_addr, caps)?;
                let delivered = self.udp.deliver(&ip, &udp, self.cfg.udp_rx_queue);
                if delivered == Err(DropCause::NoUdpSocket) {
                    // RFC 1122 §3.2.2: no error about a link-layer broadcast either.
                    let datagram = &bytes[..usize::from(packet.total_len())];
                    self.send_port_unreachable(now, &ip, datagram, broadcast || link_broadcast);
                }
                delivered?;
                self.stats.rx_udp_datagrams += 1;
                Ok(())
            }
            IpProtocol::Icmp => self.receive_icmp(now, &ip, payload, broadcast),
            IpProtocol::Unknown(_) => Err(DropCause::UnsupportedProtocol),
        }
    }

    /// A datagram from `src` to `dst` is for us: the source is a single
    /// other host, the destination our address or a broadcast (returned).
    fn check_addresses(&self, src: Ipv4Address, dst: Ipv4Address) -> Result<bool, DropCause> {
        if !src.is_unicast() || src == self.cfg.addr || self.cidr.broadcast() == Some(src) {
            return Err(DropCause::MartianSource);
        }
        let broadcast = self.is_broadcast(dst);
        if dst != self.cfg.addr && !broadcast {
            return Err(DropCause::NotForUs);
        }
        Ok(broadcast)
    }

    /// One fragment into reassembly; a datagram it completes goes through
    /// the receive path whole, its TCP or UDP checksum verified here (the
    /// fabric checks no fragment's).
    fn receive_fragment(
        &mut self,
        now: Instant,
        packet: &Ipv4Packet<&[u8]>,
        link_broadcast: bool,
    ) -> RxResult {
        let cfg = self.cfg.reassembly;
        match self.reasm.insert(now, &cfg, packet) {
            Fragment::Held => {
                self.stats.rx_fragments += 1;
                Ok(())
            }
            Fragment::Duplicate => Err(DropCause::Fragmented),
            Fragment::Discarded => {
                self.stats.reassembly_failures += 1;
                Err(DropCause::Fragmented)
            }
            Fragment::Full => Err(DropCause::ReassemblyFull),
            Fragment::Complete(datagram) => {
                self.stats.rx_fragments += 1;
                self.stats.rx_reassembled += 1;
                let caps = ChecksumCapabilities {
                    ipv4: Checksum::None,
                    tcp: Checksum::Rx,
                    udp: Checksum::Rx,
                };
                if let Err(cause) = self.receive_ipv4(now, &datagram, None, &caps, link_broadcast) {
                    self.stats.drop(cause);
                }
                Ok(())
            }
        }
    }

    /// Datagrams whose time ran out: discarded, and ICMP time exceeded
    /// sent about those whose first fragment had come (RFC 1122 §3.3.2).
    pub(super) fn reassembly_timeouts(&mut self, now: Instant) {
        for first in self.reasm.expire(now) {
            self.stats.reassembly_timeouts += 1;
            if let Some(first) = first {
                self.send_reassembly_time_exceeded(now, &first);
            }
        }
    }

    pub(super) fn is_broadcast(&self, dst: Ipv4Address) -> bool {
        dst.is_broadcast() || self.cidr.broadcast() == Some(dst)
    }
}

/// The checksums software must verify for one frame: what the fabric checked
/// and found good is skipped; what it did not check is verified.
fn rx_caps(caps: ChecksumCapabilities, hw: HwChecksum) -> ChecksumCapabilities {
    fn one(c: Checksum, hw: Option<bool>) -> Checksum {
        match (hw, c.tx()) {
            (Some(true), true) => Checksum::Tx,
            (Some(true), false) => Checksum::None,
            (_, true) => Checksum::Both,
            (_, false) => Checksum::Rx,
        }
    }
    ChecksumCapabilities {
        ipv4: one(caps.ipv4, hw.ipv4),
        tcp: one(caps.tcp, hw.l4),
        udp: one(caps.udp, hw.l4),
    }
}
