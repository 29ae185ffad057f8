//! Interface counters; drops by cause (SPEC preamble, F8).

use crate::wire;

/// Why the interface dropped a frame, packet or datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DropCause {
    /// Shorter than a header, or than a length field claims.
    Truncated,
    /// An impossible field value (IP version, IHL, length, port 0, data offset).
    Malformed,
    /// A checksum software had to verify did not verify.
    BadChecksum,
    /// A TCP option with a bad length.
    BadOption,
    /// An IPv4 fragment reassembly refused: a duplicate, or one that
    /// discarded its datagram (overlapping, past the datagram's end, empty,
    /// over 65,535 bytes).
    Fragmented,
    /// A link-layer type or ARP variant this stack does not speak.
    Unsupported,
    /// Addressed to another MAC or IP address (or ARP for another host).
    NotForUs,
    /// An IP protocol other than TCP, UDP and ICMP.
    UnsupportedProtocol,
    /// A broadcast, multicast or our own address as source.
    MartianSource,
    /// A datagram to a UDP port nobody bound.
    NoUdpSocket,
    /// A UDP socket's receive queue was full.
    UdpQueueFull,
    /// The queue of packets waiting for ARP resolution was full.
    ArpQueueFull,
    /// ARP resolution failed (no answer, or too many resolutions at once).
    NeighborUnreachable,
    /// Off-link with no gateway, or a multicast destination.
    NoRoute,
    /// Longer than the MTU: never sent, because it would need fragmenting.
    Oversize,
    /// The ready queue towards the driver was full.
    TxQueueFull,
    /// IPv4 options Linux's `ip_options_compile` refuses.
    BadIpOption,
    /// An IPv4 source route (Linux `accept_source_route = 0`).
    SourceRouted,
    /// A fragment while reassembly holds `high_thresh` bytes.
    ReassemblyFull,
    /// A SYN from a source with no route back (off-link, no gateway).
    UnroutableSource,
}

impl DropCause {
    /// Every cause, in [`DropCause::index`] order.
    pub const ALL: [DropCause; 20] = [
        DropCause::Truncated,
        DropCause::Malformed,
        DropCause::BadChecksum,
        DropCause::BadOption,
        DropCause::Fragmented,
        DropCause::Unsupported,
        DropCause::NotForUs,
        DropCause::UnsupportedProtocol,
        DropCause::MartianSource,
        DropCause::NoUdpSocket,
        DropCause::UdpQueueFull,
        DropCause::ArpQueueFull,
        DropCause::NeighborUnreachable,
        DropCause::NoRoute,
        DropCause::Oversize,
        DropCause::TxQueueFull,
        DropCause::BadIpOption,
        DropCause::SourceRouted,
        DropCause::ReassemblyFull,
        DropCause::UnroutableSource,
    ];

    pub const COUNT: usize = DropCause::ALL.len();

    /// A dense index in `0..COUNT`.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// A drop on the transmit path (the rest are drops of received bytes).
    pub const fn is_transmit(self) -> bool {
        matches!(
            self,
            DropCause::ArpQueueFull
                | DropCause::NeighborUnreachable
                | DropCause::NoRoute
                | DropCause::Oversize
                | DropCause::TxQueueFull
        )
    }

    /// A short lowercase name, for statistics output.
    pub const fn as_str(self) -> &'static str {
        match self {
            DropCause::Truncated => "truncated",
            DropCause::Malformed => "malformed",
            DropCause::BadChecksum => "bad-checksum",
            DropCause::BadOption => "bad-option",
            DropCause::Fragmented => "fragmented",
            DropCause::Unsupported => "unsupported",
            DropCause::NotForUs => "not-for-us",
            DropCause::UnsupportedProtocol => "unsupported-protocol",
            DropCause::MartianSource => "martian-source",
            DropCause::NoUdpSocket => "no-udp-socket",
            DropCause::UdpQueueFull => "udp-queue-full",
            DropCause::ArpQueueFull => "arp-queue-full",
            DropCause::NeighborUnreachable => "neighbor-unreachable",
            DropCause::NoRoute => "no-route",
            DropCause::Oversize => "oversize",
            DropCause::TxQueueFull => "tx-queue-full",
            DropCause::BadIpOption => "bad-ip-option",
            DropCause::SourceRouted => "source-routed",
            DropCause::ReassemblyFull => "reassembly-full",
            DropCause::UnroutableSource => "unroutable-source",
        }
    }
}

impl From<wire::Error> for DropCause {
    fn from(e: wire::Error) -> Self {
        match e {
            wire::Error::Truncated => DropCause::Truncated,
            wire::Error::Malformed => DropCause::Malformed,
            wire::Error::BadChecksum => DropCause::BadChecksum,
            wire::Error::BadOption => DropCause::BadOption,
            wire::Error::Fragmented => DropCause::Fragmented,
            wire::Error::Unsupported => DropCause::Unsupported,
            wire::Error::BadIpOption => DropCause::BadIpOption,
            wire::Error::SourceRouted => DropCause::SourceRouted,
        }
    }
}

impl core::fmt::Display for DropCause {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Interface counters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InterfaceStats {
    pub rx_frames: u64,
    pub rx_bytes: u64,
    pub tx_frames: u64,
    pub tx_bytes: u64,
    /// TCP segments handed to the engine.
    pub rx_tcp_segments: u64,
    /// UDP datagrams queued on a socket.
    pub rx_udp_datagrams: u64,
    /// ARP packets used (answered, or learned from).
    pub rx_arp_packets: u64,
    pub arp_requests_sent: u64,
    pub arp_replies_sent: u64,
    /// Well-formed ICMP messages received, of every type.
    pub rx_icmp_messages: u64,
    /// Echo replies handed to IP output.
    pub icmp_echo_replies_sent: u64,
    /// Port-unreachable errors handed to IP output.
    pub icmp_unreachables_sent: u64,
    /// ICMP errors the rate limit held back (Linux `IcmpOutRateLimit*`).
    pub icmp_rate_limited: u64,
    /// ICMP errors kept for a connected UDP socket to report.
    pub udp_icmp_errors: u64,
    /// IPv4 fragments taken into reassembly.
    pub rx_fragments: u64,
    /// Datagrams reassembled (each then counted again, as any datagram).
    pub rx_reassembled: u64,
    /// Datagrams discarded incomplete: refused fragments (Linux `ReasmFails`).
    pub reassembly_failures: u64,
    /// Datagrams discarded when their time ran out (Linux `ReasmTimeout`).
    pub reassembly_timeouts: u64,
    /// ICMP time-exceeded errors (reassembly) handed to IP output.
    pub icmp_time_exceeded_sent: u64,
    drops: [u64; DropCause::COUNT],
}

impl InterfaceStats {
    /// Drops counted for `cause`.
    pub fn drops(&self, cause: DropCause) -> u64 {
        self.drops[cause.index()]
    }

    /// Drops of received bytes. Every received frame is counted exactly once
    /// in `rx_tcp_segments`, `rx_udp_datagrams`, `rx_arp_packets`,
    /// `rx_icmp_messages`, `rx_fragments` or here; a reassembled datagram
    /// (`rx_reassembled`) is counted once more, the same way.
    pub fn rx_drops(&self) -> u64 {
        DropCause::ALL
            .iter()
            .filter(|c| !c.is_transmit())
            .map(|c| self.drops(*c))
            .sum()
    }

    /// Received frames consumed (not dropped): `rx_tcp_segments`,
    /// `rx_udp_datagrams`, `rx_arp_packets`, `rx_icmp_messages` and
    /// `rx_fragments`. With [`Self::rx_drops`] it accounts for every frame:
    /// `rx_consumed() + rx_drops() == rx_frames + rx_reassembled`.
    pub fn rx_consumed(&self) -> u64 {
        self.rx_tcp_segments
            + self.rx_udp_datagrams
            + self.rx_arp_packets
            + self.rx_icmp_messages
            + self.rx_fragments
    }

    /// All drops, every cause.
    pub fn total_drops(&self) -> u64 {
        self.drops.iter().sum()
    }

    pub(crate) fn drop(&mut self, cause: DropCause) {
        self.drops[cause.index()] += 1;
    }

    pub(crate) fn drop_n(&mut self, cause: DropCause, n: usize) {
        self.drops[cause.index()] += n as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_are_dense_and_wire_errors_map_one_to_one() {
        for (i, c) in DropCause::ALL.iter().enumerate() {
            assert_eq!(c.index(), i);
        }
        for e in wire::Error::ALL {
            assert_eq!(DropCause::from(e).as_str(), e.as_str());
        }
    }
}
