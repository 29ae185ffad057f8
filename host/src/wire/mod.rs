//! Wire formats: zero-copy views of packet bytes and checked high-level reprs.
//!
//! Each protocol has two levels, as in smoltcp:
//! - `XxxPacket<T: AsRef<[u8]>>` (`EthernetFrame` for Ethernet) is a view over a
//!   buffer. Field offsets live in a private `mod field`. [`new_checked`] is the
//!   only constructor for untrusted bytes: once it returns `Ok`, every accessor is
//!   in bounds, so no byte pattern can make an accessor panic. `new_unchecked`
//!   is for buffers the caller sized itself (emitting).
//! - `XxxRepr` is the parsed, validated meaning of a header: `parse` checks
//!   field values (and checksums, per [`ChecksumCapabilities`]); `emit` writes a
//!   header into a buffer of at least `buffer_len()` bytes and never checks.
//!
//! Invariants:
//! - Parsing never panics, never allocates, never copies payload: a repr borrows
//!   its payload from the packet.
//! - Every rejection is an [`Error`] naming the drop cause, so the stack can count
//!   drops by cause (SPEC "Bad input"). The rule for length errors: a length
//!   field or buffer *shorter than the minimum header* is [`Error::Truncated`]
//!   when it is the buffer and [`Error::Malformed`] when it is a field; a length
//!   field claiming *more bytes than the buffer holds* is [`Error::Truncated`].
//! - Checksums are verified on parse and computed on emit only where
//!   [`ChecksumCapabilities`] says software must (SPEC F3/F4: the fabric does the
//!   rest).
//!
//! [`new_checked`]: EthernetFrame::new_checked

pub mod arp;
pub mod checksum;
pub mod ethernet;
pub mod frame;
pub mod icmp;
pub mod ipv4;
pub mod ipv4_addr;
pub mod tcp;
pub mod udp;

use core::fmt;

pub use arp::{ArpOperation, ArpPacket, ArpRepr};
pub use ethernet::{EtherType, EthernetAddress, EthernetFrame, EthernetRepr};
pub use frame::{FrameRepr, NetworkRepr, TransportRepr};
pub use icmp::{IcmpPacket, IcmpQuote, IcmpRepr};
pub use ipv4::{IpProtocol, Ipv4Address, Ipv4Cidr, Ipv4Packet, Ipv4Repr};
pub use tcp::{TcpFlags, TcpOption, TcpPacket, TcpRepr, TcpTimestamp};
pub use udp::{UdpPacket, UdpRepr};

/// Why a frame, packet or segment was dropped. Small and `Copy`, so the stack
/// can keep one counter per variant ([`Error::index`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Error {
    /// The buffer is shorter than a header, or than a length field claims.
    Truncated,
    /// A field holds an impossible value (IP version not 4, IHL < 5, a length
    /// field below its header size, port 0, a TCP data offset < 5, ...).
    Malformed,
    /// A checksum that software had to verify did not verify.
    BadChecksum,
    /// A TCP option whose length byte is missing, below 2, runs past the
    /// header, or is wrong for its kind.
    BadOption,
    /// An IPv4 fragment: not a whole datagram (the interface reassembles it).
    Fragmented,
    /// Well-formed but not handled here (802.3 length frames, ARP for other
    /// hardware or protocols, unknown ARP operations).
    Unsupported,
    /// IPv4 options that cannot be walked or have impossible lengths or
    /// pointers (Linux `ip_options_compile`).
    BadIpOption,
    /// An IPv4 loose or strict source route (Linux `accept_source_route = 0`).
    SourceRouted,
}

impl Error {
    /// Every variant, in [`Error::index`] order.
    pub const ALL: [Error; 8] = [
        Error::Truncated,
        Error::Malformed,
        Error::BadChecksum,
        Error::BadOption,
        Error::Fragmented,
        Error::Unsupported,
        Error::BadIpOption,
        Error::SourceRouted,
    ];

    /// Number of variants; the length of a per-cause counter array.
    pub const COUNT: usize = Error::ALL.len();

    /// A dense index in `0..COUNT`, for per-cause drop counters.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// A short lowercase name, for statistics output.
    pub const fn as_str(self) -> &'static str {
        match self {
            Error::Truncated => "truncated",
            Error::Malformed => "malformed",
            Error::BadChecksum => "bad-checksum",
            Error::BadOption => "bad-option",
            Error::Fragmented => "fragmented",
            Error::Unsupported => "unsupported",
            Error::BadIpOption => "bad-ip-option",
            Error::SourceRouted => "source-routed",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for Error {}

/// Result of a wire-format operation.
pub type Result<T> = core::result::Result<T, Error>;

/// Which directions of one checksum software must handle itself.
///
/// `Both` is the safe default: software computes on transmit and verifies on
/// receive. A direction the fabric handles (SPEC F3 verify, F4 insert) is
/// dropped from the set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Checksum {
    /// Software computes on TX and verifies on RX.
    #[default]
    Both,
    /// Software computes on TX only (the fabric verified on RX).
    Tx,
    /// Software verifies on RX only (the fabric inserts on TX).
    Rx,
    /// The fabric does both; software does neither.
    None,
}

impl Checksum {
    /// Software must compute this checksum when emitting.
    pub const fn tx(self) -> bool {
        matches!(self, Checksum::Both | Checksum::Tx)
    }

    /// Software must verify this checksum when parsing.
    pub const fn rx(self) -> bool {
        matches!(self, Checksum::Both | Checksum::Rx)
    }
}

/// Per protocol, what software must do about checksums, i.e. what the fabric
/// does *not* do. Passed to every `parse` and `emit` that touches a checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ChecksumCapabilities {
    pub ipv4: Checksum,
    pub tcp: Checksum,
    pub udp: Checksum,
}

impl ChecksumCapabilities {
    /// Software does every checksum (no offload). Same as `default()`.
    pub const fn software() -> Self {
        ChecksumCapabilities {
            ipv4: Checksum::Both,
            tcp: Checksum::Both,
            udp: Checksum::Both,
        }
    }

    /// The fabric verifies and inserts every checksum (SPEC F3, F4).
    pub const fn offloaded() -> Self {
        ChecksumCapabilities {
            ipv4: Checksum::None,
            tcp: Checksum::None,
            udp: Checksum::None,
        }
    }
}

/// Big-endian field access on slices whose length the caller has checked.
/// Kept here so every protocol reads fields the same way.
pub(crate) mod be {
    #[inline]
    pub fn u16_at(b: &[u8], at: usize) -> u16 {
        u16::from_be_bytes([b[at], b[at + 1]])
    }

    #[inline]
    pub fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
    }

    #[inline]
    pub fn put_u16(b: &mut [u8], at: usize, v: u16) {
        b[at..at + 2].copy_from_slice(&v.to_be_bytes());
    }

    #[inline]
    pub fn put_u32(b: &mut [u8], at: usize, v: u32) {
        b[at..at + 4].copy_from_slice(&v.to_be_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_indices_are_dense_and_named() {
        for (i, e) in Error::ALL.iter().enumerate() {
            assert_eq!(e.index(), i);
            assert!(!e.as_str().is_empty());
            assert_eq!(e.to_string(), e.as_str());
        }
        assert_eq!(Error::COUNT, 8);
    }

    #[test]
    fn checksum_directions() {
        assert!(Checksum::Both.tx() && Checksum::Both.rx());
        assert!(Checksum::Tx.tx() && !Checksum::Tx.rx());
        assert!(!Checksum::Rx.tx() && Checksum::Rx.rx());
        assert!(!Checksum::None.tx() && !Checksum::None.rx());
        assert_eq!(
            ChecksumCapabilities::default(),
            ChecksumCapabilities::software()
        );
    }
}
