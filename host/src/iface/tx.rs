//! The transmit path: engine segments, UDP datagrams and ICMP messages become IPv4 packets,
//! then frames once the next hop is resolved.
//!
//! Invariants:
//! - No packet longer than the MTU leaves (SPEC W5): one that would is dropped
//!   and counted as [`DropCause::Oversize`], never fragmented.
//! - TCP packets carry DF (SPEC W2).
//! - Every packet is built once, in a buffer with room for the link header,
//!   so resolving the next hop later only writes that header.
//! - Checksums the fabric inserts (per `InterfaceConfig::caps`) are left 0,
//!   and the frame's [`TxMeta`] says so.

use crate::arp_cache::Lookup;
use crate::time::Instant;
use crate::wire::{
    ArpOperation, ArpPacket, ArpRepr, Checksum, ChecksumCapabilities, EtherType, EthernetAddress,
    EthernetFrame, EthernetRepr, IpProtocol, Ipv4Address, Ipv4Packet, Ipv4Repr, UdpPacket, UdpRepr,
    ipv4,
};

use super::neighbor::Queued;
use super::route::{NextHop, next_hop};
use super::stats::DropCause;
pub use super::transmit::{Transmit, TsoMeta, TxMeta};
use super::{Interface, Medium};

impl Interface {
    /// The next frame to send (a bare IPv4 packet on [`Medium::Ip`]). Call
    /// until `None` after every `receive`, `handle_timeout` and user call:
    /// it also pulls the engine's segments and resolves next hops.
    #[must_use]
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        // Segments received since the last call are handled first, as a
        // softirq runs the backlog before the device transmits (SPEC H8).
        self.engine.process_backlog(now);
        loop {
            if let Some(t) = self.ready.pop_front() {
                self.stats.tx_frames += 1;
                self.stats.tx_bytes += t.frame.len() as u64;
                return Some(t);
            }
            if !self.transmit_tcp_run(now) {
                return None;
            }
        }
    }

    /// Build and dispatch a UDP datagram; the caller checked size and route.
    pub(crate) fn send_datagram(&mut self, now: Instant, udp: &UdpRepr<'_>, dst: Ipv4Address) {
        let ip = Ipv4Repr {
            src_addr: self.cfg.addr,
            dst_addr: dst,
            protocol: IpProtocol::Udp,
            payload_len: udp.buffer_len(),
            ttl: self.cfg.ttl,
            ident: self.next_ident(),
            // SPEC W2 asks DF of TCP only; datagrams fit the MTU anyway (checked by the caller).
            dont_frag: false,
        };
        let Some((mut buf, meta)) = self.build_ip(&ip, self.cfg.caps.udp.tx()) else {
            return;
        };
        let l4 = self.cfg.medium.header_len() + ipv4::HEADER_LEN;
        udp.emit(
            &mut UdpPacket::new_unchecked(&mut buf[l4..]),
            &ip.src_addr,
            &ip.dst_addr,
            &self.cfg.caps,
        );
        self.dispatch(now, dst, Transmit { frame: buf, meta });
    }

    /// A zeroed buffer with room for the link header, the IPv4 header written;
    /// `None` (counted) if the packet would exceed the MTU.
    fn build_ip(&mut self, ip: &Ipv4Repr, software_l4_csum: bool) -> Option<(Vec<u8>, TxMeta)> {
        self.build_ip_with(ip, self.cfg.caps.ipv4.tx(), software_l4_csum)
    }

    /// [`Self::build_ip`] for a protocol the fabric does not sum (ICMP): the
    /// IPv4 header checksum is computed here and the frame asks nothing of
    /// the fabric; the message's own checksum is the caller's.
    pub(super) fn build_ip_software(&mut self, ip: &Ipv4Repr) -> Option<(Vec<u8>, TxMeta)> {
        self.build_ip_with(ip, true, true)
    }

    fn build_ip_with(
        &mut self,
        ip: &Ipv4Repr,
        software_ip_csum: bool,
        software_l4_csum: bool,
    ) -> Option<(Vec<u8>, TxMeta)> {
        let ip_len = ipv4::HEADER_LEN + ip.payload_len;
        if ip_len > usize::from(self.cfg.mtu) {
            self.stats.drop(DropCause::Oversize);
            return None;
        }
        let l3 = self.cfg.medium.header_len();
        let mut buf = vec![0u8; l3 + ip_len];
        let caps = ChecksumCapabilities {
            ipv4: if software_ip_csum {
                Checksum::Both
            } else {
                Checksum::None
            },
            ..self.cfg.caps
        };
        ip.emit(&mut Ipv4Packet::new_unchecked(&mut buf[l3..]), &caps);
        let meta = TxMeta {
            fabric_ipv4_checksum: !software_ip_csum,
            fabric_l4_checksum: !software_l4_csum,
            l3_offset: Some(l3 as u16),
            l4_offset: Some((l3 + ipv4::HEADER_LEN) as u16),
            tso: None,
        };
        Some((buf, meta))
    }

    pub(super) fn next_ident(&mut self) -> u16 {
        self.ident = self.ident.wrapping_add(1);
        self.ident
    }

    /// Send an IPv4 packet towards `dst`: straight out on raw IPv4; on
    /// Ethernet, once its next hop's MAC is known (SPEC W1, W2).
    pub(super) fn dispatch(&mut self, now: Instant, dst: Ipv4Address, mut t: Transmit) {
        let Medium::Ethernet(_) = self.cfg.medium else {
            self.push_ready(t);
            return;
        };
        let hop = match next_hop(&self.cidr, self.cfg.gateway, dst) {
            None => {
                self.stats.drop(DropCause::NoRoute);
                return;
            }
            Some(NextHop::Broadcast) => {
                self.write_ethernet_header(&mut t.frame, EthernetAddress::BROADCAST);
                self.push_ready(t);
                return;
            }
            Some(NextHop::Unicast(hop)) => hop,
        };
        match self.arp.lookup(&hop, now) {
            Lookup::Found(mac) => {
                self.write_ethernet_header(&mut t.frame, mac);
                self.push_ready(t);
            }
            Lookup::SendRequest => {
                self.queue_for(now, hop, t);
                self.send_arp_request(now, hop);
            }
            Lookup::Pending => self.queue_for(now, hop, t),
            Lookup::Unreachable | Lookup::RateLimited => {
                self.stats.drop(DropCause::NeighborUnreachable);
            }
        }
    }

    fn queue_for(&mut self, now: Instant, hop: Ipv4Address, t: Transmit) {
        let retry_at = now + self.cfg.arp.request_interval;
        match self.pending.push(
            hop,
            t,
            retry_at,
            self.cfg.arp_queue_per_neighbor,
            self.cfg.arp_queue_total,
        ) {
            Queued::Held => {}
            Queued::HeldDroppedOldest | Queued::Refused => self.stats.drop(DropCause::ArpQueueFull),
        }
    }

    pub(crate) fn send_arp_request(&mut self, now: Instant, target: Ipv4Address) {
        let Medium::Ethernet(mac) = self.cfg.medium else {
            return;
        };
        let arp = ArpRepr {
            operation: ArpOperation::Request,
            source_hardware_addr: mac,
            source_protocol_addr: self.cfg.addr,
            target_hardware_addr: EthernetAddress::UNSPECIFIED,
            target_protocol_addr: target,
        };
        self.pending
            .set_retry(&target, now + self.cfg.arp.request_interval);
        self.stats.arp_requests_sent += 1;
        self.send_arp(EthernetAddress::BROADCAST, &arp);
    }

    pub(crate) fn send_arp(&mut self, dst_mac: EthernetAddress, arp: &ArpRepr) {
        let Medium::Ethernet(mac) = self.cfg.medium else {
            return;
        };
        let eth = EthernetRepr {
            src_addr: mac,
            dst_addr: dst_mac,
            ethertype: EtherType::Arp,
        };
        let mut buf = vec![0u8; eth.buffer_len() + arp.buffer_len()];
        let mut frame = EthernetFrame::new_unchecked(&mut buf[..]);
        eth.emit(&mut frame);
        arp.emit(&mut ArpPacket::new_unchecked(frame.payload_mut()));
        self.push_ready(Transmit {
            frame: buf,
            meta: TxMeta::default(),
        });
    }

    pub(crate) fn write_ethernet_header(&self, frame: &mut [u8], dst_mac: EthernetAddress) {
        if let Medium::Ethernet(mac) = self.cfg.medium {
            let eth = EthernetRepr {
                src_addr: mac,
                dst_addr: dst_mac,
                ethertype: EtherType::Ipv4,
            };
            eth.emit(&mut EthernetFrame::new_unchecked(frame));
        }
    }

    pub(crate) fn push_ready(&mut self, t: Transmit) -> bool {
        if self.ready.len() >= self.cfg.tx_queue_len {
            self.stats.drop(DropCause::TxQueueFull);
            return false;
        }
        self.ready.push_back(t);
        true
    }

    /// Frames waiting for the driver.
    pub fn tx_queue_len(&self) -> usize {
        self.ready.len()
    }

    /// ARP retries for next hops with packets waiting (SPEC W1); the rest of
    /// `handle_timeout`.
    pub(crate) fn arp_timeouts(&mut self, now: Instant) {
        for hop in self.pending.due(now) {
            match self.arp.lookup(&hop, now) {
                Lookup::Found(mac) => self.flush_pending(hop, mac),
                Lookup::SendRequest => self.send_arp_request(now, hop),
                Lookup::Pending => self
                    .pending
                    .set_retry(&hop, now + self.cfg.arp.request_interval),
                Lookup::Unreachable | Lookup::RateLimited => {
                    let n = self.pending.take(&hop).len();
                    self.stats.drop_n(DropCause::NeighborUnreachable, n);
                }
            }
        }
    }

    /// Send everything that waited for `hop`, now at `mac`.
    pub(crate) fn flush_pending(&mut self, hop: Ipv4Address, mac: EthernetAddress) {
        for mut t in self.pending.take(&hop) {
            self.write_ethernet_header(&mut t.frame, mac);
            self.push_ready(t);
        }
    }
}
