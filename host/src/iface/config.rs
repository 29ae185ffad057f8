//! Interface configuration: link layer, address, subnet, gateway, and every
//! queue bound (SPEC preamble: every default is a configuration field).

use core::ops::RangeInclusive;
use core::time::Duration;

use thiserror::Error;

use crate::arp_cache::ArpCacheConfig;
use crate::wire::{ChecksumCapabilities, EthernetAddress, Ipv4Address};

/// The link layer, chosen at construction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Medium {
    /// Ethernet II frames with ARP (SPEC W1); the interface's MAC address.
    Ethernet(EthernetAddress),
    /// Bare IPv4 packets with no link header: a TUN device, or a packet-level
    /// test tool (smoltcp's `Medium::Ip`).
    Ip,
}

impl Medium {
    /// Bytes of link header before the IPv4 header.
    pub const fn header_len(&self) -> usize {
        match self {
            Medium::Ethernet(_) => crate::wire::ethernet::HEADER_LEN,
            Medium::Ip => 0,
        }
    }
}

/// Everything an [`Interface`](super::Interface) is built from.
#[derive(Clone, Debug)]
pub struct InterfaceConfig {
    pub medium: Medium,
    /// Our IPv4 address.
    pub addr: Ipv4Address,
    /// Subnet mask; on-link is `(dst & mask) == (addr & mask)` (SPEC W2).
    pub netmask: Ipv4Address,
    /// Next hop for destinations off the subnet; none means "no route".
    pub gateway: Option<Ipv4Address>,
    /// IP MTU (SPEC W5): no packet longer than this is ever emitted.
    pub mtu: u16,
    /// What software must do about checksums; the rest is the fabric's (SPEC F3, F4).
    pub caps: ChecksumCapabilities,
    /// TTL of emitted packets (Linux `ip_default_ttl`).
    pub ttl: u8,
    /// The ARP cache (Ethernet only).
    pub arp: ArpCacheConfig,
    /// Packets held per next hop while its address is being resolved (SPEC
    /// W1); past it the oldest is dropped, as Linux's `unres_qlen` does.
    pub arp_queue_per_neighbor: usize,
    /// Packets held for all unresolved next hops together; past it new ones are dropped.
    pub arp_queue_total: usize,
    /// Frames ready for the driver, not yet taken (Linux `txqueuelen`).
    /// UDP sends past it fail with would-block; TCP is pulled from the engine
    /// only when this queue is empty, so it never overflows it.
    pub tx_queue_len: usize,
    /// Most UDP sockets at once.
    pub udp_max_sockets: usize,
    /// Datagrams queued per UDP socket before arrivals are dropped (Linux `RcvbufErrors`).
    pub udp_rx_queue: usize,
    /// Ports `udp_bind` picks from when asked for port 0.
    pub udp_ephemeral_ports: RangeInclusive<u16>,
    /// The device cuts TCP runs into segments (TSO, SPEC F5) from frames
    /// of up to this many bytes; `None`: runs are cut in software. TSO
    /// needs the device to insert IPv4 and TCP checksums (`caps`).
    pub tso_max_len: Option<usize>,
    /// Echo replies and the errors this host sends.
    pub icmp: IcmpConfig,
    /// Reassembly of received IPv4 fragments.
    pub reassembly: ReassemblyConfig,
}

/// IPv4 reassembly bounds, with Linux's `net.ipv4.ipfrag_*` defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReassemblyConfig {
    /// A datagram still incomplete this long after its first fragment came
    /// is discarded (Linux `ipfrag_time`, 30 s).
    pub timeout: Duration,
    /// Bytes held over all datagrams (data plus a fixed overhead a
    /// fragment) at which fragments are dropped (Linux
    /// `ipfrag_high_thresh`, 4 MiB); 0 turns reassembly off.
    pub high_thresh: usize,
}

impl Default for ReassemblyConfig {
    fn default() -> Self {
        ReassemblyConfig {
            timeout: Duration::from_secs(30),
            high_thresh: 4 << 20,
        }
    }
}

/// ICMP: what is answered and how often errors may leave, with Linux's
/// `net.ipv4.icmp_*` defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IcmpConfig {
    /// Answer echo requests to our address (Linux `icmp_echo_ignore_all` = 0).
    pub echo_reply: bool,
    /// Answer echo requests to a broadcast address too (Linux
    /// `icmp_echo_ignore_broadcasts` = 1: not answered).
    pub echo_reply_broadcast: bool,
    /// Send port unreachable for a UDP datagram to a port nobody bound, as
    /// Linux does (RFC 1122 §4.1.3.1: SHOULD).
    pub port_unreachable: bool,
    /// Per destination, at most one error per this interval after a burst of
    /// [`ICMP_RATELIMIT_BURST`] (Linux `icmp_ratelimit`, 1 s).
    pub ratelimit: Duration,
    /// All destinations together: errors per second (Linux `icmp_msgs_per_sec`).
    pub msgs_per_sec: u32,
    /// All destinations together: the burst (Linux `icmp_msgs_burst`).
    pub msgs_burst: u32,
    /// Destinations the per-destination limit remembers; past it the one
    /// that sent longest ago is forgotten (Linux's `inet_peer` cache).
    pub ratelimit_peers: usize,
}

/// Errors one destination may receive back to back before
/// [`IcmpConfig::ratelimit`] spaces them (Linux `XRLIM_BURST_FACTOR`).
pub const ICMP_RATELIMIT_BURST: u32 = 6;

impl Default for IcmpConfig {
    fn default() -> Self {
        IcmpConfig {
            echo_reply: true,
            echo_reply_broadcast: false,
            port_unreachable: true,
            ratelimit: Duration::from_secs(1),
            msgs_per_sec: 1000,
            msgs_burst: 50,
            ratelimit_peers: 1024,
        }
    }
}

impl InterfaceConfig {
    /// An Ethernet interface with defaults: MTU 1500, software checksums, no gateway.
    pub fn ethernet(mac: EthernetAddress, addr: Ipv4Address, netmask: Ipv4Address) -> Self {
        Self::with_medium(Medium::Ethernet(mac), addr, netmask)
    }

    /// A raw-IPv4 interface (no link header) with the same defaults.
    pub fn ip(addr: Ipv4Address, netmask: Ipv4Address) -> Self {
        Self::with_medium(Medium::Ip, addr, netmask)
    }

    fn with_medium(medium: Medium, addr: Ipv4Address, netmask: Ipv4Address) -> Self {
        InterfaceConfig {
            medium,
            addr,
            netmask,
            gateway: None,
            mtu: 1500,
            caps: ChecksumCapabilities::software(),
            ttl: 64,
            arp: ArpCacheConfig::default(),
            arp_queue_per_neighbor: 32,
            arp_queue_total: 256,
            tx_queue_len: 1000,
            udp_max_sockets: 1024,
            udp_rx_queue: 64,
            udp_ephemeral_ports: 32768..=60999,
            tso_max_len: None,
            icmp: IcmpConfig::default(),
            reassembly: ReassemblyConfig::default(),
        }
    }

    /// The same, with a default gateway.
    pub fn with_gateway(mut self, gateway: Ipv4Address) -> Self {
        self.gateway = Some(gateway);
        self
    }

    /// The same, with other checksum capabilities.
    pub fn with_caps(mut self, caps: ChecksumCapabilities) -> Self {
        self.caps = caps;
        self
    }
}

/// Why a configuration was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum ConfigError {
    #[error("interface address must be a unicast address")]
    AddressNotUnicast,
    #[error("subnet mask bits are not contiguous")]
    BadNetmask,
    #[error("gateway is not on the interface's subnet")]
    GatewayNotOnLink,
    #[error("MAC address must be unicast")]
    MacNotUnicast,
    #[error("MTU below the IPv4 minimum of 68 bytes")]
    MtuTooSmall,
    /// The engine would build segments the link cannot carry unfragmented (SPEC W5).
    #[error("TCP engine MTU exceeds the interface MTU")]
    EngineMtuTooLarge,
    /// TSO frames are cut by the device, which must then insert the checksums.
    #[error("TSO needs IPv4 and TCP checksums inserted by the device (caps), not software")]
    TsoWithoutChecksumOffload,
    #[error("TSO frames must be able to hold at least one MTU-sized packet")]
    TsoMaxTooSmall,
}
