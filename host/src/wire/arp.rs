//! ARP (RFC 826) for IPv4 over Ethernet (SPEC W1).
//!
//! The packet view handles any hardware and protocol address lengths, so a
//! request for another protocol can be looked at and rejected; the repr
//! handles only Ethernet/IPv4 (htype 1, ptype 0x0800, hlen 6, plen 4), which
//! is all this NIC speaks.
//!
//! Invariants:
//! - After `ArpPacket::new_checked` the buffer holds the fixed 8 bytes and the
//!   four addresses their length fields announce.
//! - `ArpRepr::parse` returns [`Error::Unsupported`] for any other hardware or
//!   protocol, or an operation other than request (1) and reply (2).

use super::be;
use super::ethernet::EthernetAddress;
use super::ipv4::Ipv4Address;
use super::{Error, Result};

/// ARP operation codes (RFC 826 `ar$op`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArpOperation {
    Request,
    Reply,
    Unknown(u16),
}

impl From<u16> for ArpOperation {
    fn from(v: u16) -> Self {
        match v {
            1 => ArpOperation::Request,
            2 => ArpOperation::Reply,
            other => ArpOperation::Unknown(other),
        }
    }
}

impl From<ArpOperation> for u16 {
    fn from(op: ArpOperation) -> u16 {
        match op {
            ArpOperation::Request => 1,
            ArpOperation::Reply => 2,
            ArpOperation::Unknown(v) => v,
        }
    }
}

mod field {
    pub const HTYPE: usize = 0;
    pub const PTYPE: usize = 2;
    pub const HLEN: usize = 4;
    pub const PLEN: usize = 5;
    pub const OPER: usize = 6;
    /// Start of the variable part: sha, spa, tha, tpa.
    pub const ADDRS: usize = 8;
}

/// RFC 826 `ar$hrd` for Ethernet.
const HTYPE_ETHERNET: u16 = 1;
/// RFC 826 `ar$pro`: the EtherType of the protocol, IPv4.
const PTYPE_IPV4: u16 = 0x0800;

/// Length of an Ethernet/IPv4 ARP packet.
pub const ETHERNET_IPV4_LEN: usize = field::ADDRS + 2 * (6 + 4);

/// A zero-copy view of an ARP packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArpPacket<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> ArpPacket<T> {
    /// Wrap a buffer without checking it; accessors may panic on a short one.
    pub const fn new_unchecked(buffer: T) -> Self {
        ArpPacket { buffer }
    }

    /// Wrap a buffer after [`Self::check_len`].
    pub fn new_checked(buffer: T) -> Result<Self> {
        let p = Self::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    /// [`Error::Truncated`] unless the buffer holds the fixed part and the
    /// addresses whose lengths it announces.
    pub fn check_len(&self) -> Result<()> {
        let len = self.buffer.as_ref().len();
        if len < field::ADDRS {
            return Err(Error::Truncated);
        }
        let addrs = 2 * (usize::from(self.hardware_len()) + usize::from(self.protocol_len()));
        if len < field::ADDRS + addrs {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    pub fn into_inner(self) -> T {
        self.buffer
    }

    pub fn hardware_type(&self) -> u16 {
        be::u16_at(self.buffer.as_ref(), field::HTYPE)
    }

    pub fn protocol_type(&self) -> u16 {
        be::u16_at(self.buffer.as_ref(), field::PTYPE)
    }

    pub fn hardware_len(&self) -> u8 {
        self.buffer.as_ref()[field::HLEN]
    }

    pub fn protocol_len(&self) -> u8 {
        self.buffer.as_ref()[field::PLEN]
    }

    pub fn operation(&self) -> ArpOperation {
        ArpOperation::from(be::u16_at(self.buffer.as_ref(), field::OPER))
    }

    fn sha_range(&self) -> core::ops::Range<usize> {
        let h = usize::from(self.hardware_len());
        field::ADDRS..field::ADDRS + h
    }

    fn spa_range(&self) -> core::ops::Range<usize> {
        let s = self.sha_range().end;
        s..s + usize::from(self.protocol_len())
    }

    fn tha_range(&self) -> core::ops::Range<usize> {
        let s = self.spa_range().end;
        s..s + usize::from(self.hardware_len())
    }

    fn tpa_range(&self) -> core::ops::Range<usize> {
        let s = self.tha_range().end;
        s..s + usize::from(self.protocol_len())
    }

    pub fn source_hardware_addr(&self) -> &[u8] {
        &self.buffer.as_ref()[self.sha_range()]
    }

    pub fn source_protocol_addr(&self) -> &[u8] {
        &self.buffer.as_ref()[self.spa_range()]
    }

    pub fn target_hardware_addr(&self) -> &[u8] {
        &self.buffer.as_ref()[self.tha_range()]
    }

    pub fn target_protocol_addr(&self) -> &[u8] {
        &self.buffer.as_ref()[self.tpa_range()]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> ArpPacket<T> {
    pub fn set_hardware_type(&mut self, v: u16) {
        be::put_u16(self.buffer.as_mut(), field::HTYPE, v);
    }

    pub fn set_protocol_type(&mut self, v: u16) {
        be::put_u16(self.buffer.as_mut(), field::PTYPE, v);
    }

    pub fn set_hardware_len(&mut self, v: u8) {
        self.buffer.as_mut()[field::HLEN] = v;
    }

    pub fn set_protocol_len(&mut self, v: u8) {
        self.buffer.as_mut()[field::PLEN] = v;
    }

    pub fn set_operation(&mut self, op: ArpOperation) {
        be::put_u16(self.buffer.as_mut(), field::OPER, op.into());
    }

    /// The length fields must be set first: they place the addresses.
    pub fn set_source_hardware_addr(&mut self, a: &[u8]) {
        let r = self.sha_range();
        self.buffer.as_mut()[r].copy_from_slice(a);
    }

    pub fn set_source_protocol_addr(&mut self, a: &[u8]) {
        let r = self.spa_range();
        self.buffer.as_mut()[r].copy_from_slice(a);
    }

    pub fn set_target_hardware_addr(&mut self, a: &[u8]) {
        let r = self.tha_range();
        self.buffer.as_mut()[r].copy_from_slice(a);
    }

    pub fn set_target_protocol_addr(&mut self, a: &[u8]) {
        let r = self.tpa_range();
        self.buffer.as_mut()[r].copy_from_slice(a);
    }
}

/// An Ethernet/IPv4 ARP request or reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ArpRepr {
    pub operation: ArpOperation,
    pub source_hardware_addr: EthernetAddress,
    pub source_protocol_addr: Ipv4Address,
    /// In a request, ignored by the receiver (RFC 826: "does not care"); sent as zero.
    pub target_hardware_addr: EthernetAddress,
    pub target_protocol_addr: Ipv4Address,
}

impl ArpRepr {
    /// Parse a checked packet.
    pub fn parse<T: AsRef<[u8]>>(packet: &ArpPacket<T>) -> Result<ArpRepr> {
        packet.check_len()?;
        // RFC 826 packet reception: "?Do I have the hardware type in ar$hrd? ...
        // ?Do I speak the protocol in ar$pro? ... If not, discard the packet."
        if packet.hardware_type() != HTYPE_ETHERNET
            || packet.protocol_type() != PTYPE_IPV4
            || packet.hardware_len() != 6
            || packet.protocol_len() != 4
        {
            return Err(Error::Unsupported);
        }
        let operation = packet.operation();
        if let ArpOperation::Unknown(_) = operation {
            return Err(Error::Unsupported);
        }
        // The length checks above make each conversion infallible; map to an
        // error anyway so no path can panic.
        let mac = |b: &[u8]| EthernetAddress::from_bytes(b).ok_or(Error::Malformed);
        let ip = |b: &[u8]| Ipv4Address::from_bytes(b).ok_or(Error::Malformed);
        Ok(ArpRepr {
            operation,
            source_hardware_addr: mac(packet.source_hardware_addr())?,
            source_protocol_addr: ip(packet.source_protocol_addr())?,
            target_hardware_addr: mac(packet.target_hardware_addr())?,
            target_protocol_addr: ip(packet.target_protocol_addr())?,
        })
    }

    /// Always [`ETHERNET_IPV4_LEN`] (28).
    pub const fn buffer_len(&self) -> usize {
        ETHERNET_IPV4_LEN
    }

    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut ArpPacket<T>) {
        packet.set_hardware_type(HTYPE_ETHERNET);
        packet.set_protocol_type(PTYPE_IPV4);
        packet.set_hardware_len(6);
        packet.set_protocol_len(4);
        packet.set_operation(self.operation);
        packet.set_source_hardware_addr(&self.source_hardware_addr.0);
        packet.set_source_protocol_addr(&self.source_protocol_addr.0);
        packet.set_target_hardware_addr(&self.target_hardware_addr.0);
        packet.set_target_protocol_addr(&self.target_protocol_addr.0);
    }

    /// The reply to this request, sent by the owner of `target_protocol_addr`
    /// whose hardware address is `our_mac`. RFC 826: "swap hardware and
    /// protocol fields, putting the local hardware and protocol addresses in
    /// the sender fields. Set the ar$op field to ares_op$REPLY."
    pub fn reply(&self, our_mac: EthernetAddress) -> ArpRepr {
        ArpRepr {
            operation: ArpOperation::Reply,
            source_hardware_addr: our_mac,
            source_protocol_addr: self.target_protocol_addr,
            target_hardware_addr: self.source_hardware_addr,
            target_protocol_addr: self.source_protocol_addr,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQUEST: [u8; 28] = [
        0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01, // Ethernet, IPv4, request
        0x02, 0, 0, 0, 0, 0x01, 10, 0, 0, 1, // sender
        0, 0, 0, 0, 0, 0, 10, 0, 0, 2, // target
    ];

    fn request() -> ArpRepr {
        ArpRepr {
            operation: ArpOperation::Request,
            source_hardware_addr: EthernetAddress([0x02, 0, 0, 0, 0, 1]),
            source_protocol_addr: Ipv4Address::new(10, 0, 0, 1),
            target_hardware_addr: EthernetAddress::UNSPECIFIED,
            target_protocol_addr: Ipv4Address::new(10, 0, 0, 2),
        }
    }

    #[test]
    fn parse_request() {
        let p = ArpPacket::new_checked(&REQUEST[..]).unwrap();
        assert_eq!(ArpRepr::parse(&p), Ok(request()));
    }

    #[test]
    fn emit_request() {
        let mut b = [0u8; 28];
        request().emit(&mut ArpPacket::new_unchecked(&mut b[..]));
        assert_eq!(b, REQUEST);
    }

    #[test]
    fn reply_swaps_addresses() {
        let mac = EthernetAddress([0x02, 0, 0, 0, 0, 2]);
        let r = request().reply(mac);
        assert_eq!(r.operation, ArpOperation::Reply);
        assert_eq!(r.source_hardware_addr, mac);
        assert_eq!(r.source_protocol_addr, Ipv4Address::new(10, 0, 0, 2));
        assert_eq!(r.target_hardware_addr, request().source_hardware_addr);
        assert_eq!(r.target_protocol_addr, Ipv4Address::new(10, 0, 0, 1));
    }

    #[test]
    fn error_truncated() {
        assert_eq!(ArpPacket::new_checked(&REQUEST[..7]), Err(Error::Truncated));
        assert_eq!(
            ArpPacket::new_checked(&REQUEST[..27]),
            Err(Error::Truncated)
        );
        // Lengths announcing more address bytes than present.
        let mut b = REQUEST;
        b[4] = 255;
        assert_eq!(ArpPacket::new_checked(&b[..]), Err(Error::Truncated));
    }

    #[test]
    fn error_unsupported_hardware_protocol_or_operation() {
        for (at, v) in [(1usize, 6u8), (2, 0x86), (7, 3)] {
            let mut b = REQUEST;
            b[at] = v;
            let p = ArpPacket::new_checked(&b[..]).unwrap();
            assert_eq!(ArpRepr::parse(&p), Err(Error::Unsupported), "byte {at}");
        }
        // Other address lengths: a consistent packet, just not Ethernet/IPv4.
        let mut b = vec![0x00, 0x01, 0x08, 0x00, 8, 4, 0x00, 0x01];
        b.extend_from_slice(&[0; 24]);
        let p = ArpPacket::new_checked(&b[..]).unwrap();
        assert_eq!(p.source_hardware_addr().len(), 8);
        assert_eq!(ArpRepr::parse(&p), Err(Error::Unsupported));
    }
}
