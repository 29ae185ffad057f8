//! IPv4 (RFC 791) headers (SPEC W2); addresses, subnets and protocol
//! numbers live in [`super::ipv4_addr`] and are re-exported here.
//!
//! Invariants:
//! - After `Ipv4Packet::new_checked`: the buffer holds the whole header
//!   (20 ≤ IHL·4 ≤ buffer length) and the whole packet (IHL·4 ≤ total length ≤
//!   buffer length). [`Ipv4Packet::payload`] ends at the total length, so
//!   Ethernet padding after the packet is never mistaken for payload.
//! - `Ipv4Repr::parse` returns [`Error::Fragmented`] for a fragment (after
//!   checking its header): it is not a whole datagram; the interface
//!   reassembles it. The stack never emits fragments (SPEC W5).
//! - `Ipv4Repr::emit` writes a 20-byte header without options, DF as the repr
//!   says (the stack sets it on TCP, SPEC W2), fragment offset 0.

use super::checksum;
pub use super::ipv4_addr::{CidrParseError, IpProtocol, Ipv4Address, Ipv4Cidr};
use super::{ChecksumCapabilities, Error, Result, be};

pub(crate) mod field {
    use core::ops::Range;
    pub const VER_IHL: usize = 0;
    pub const DSCP_ECN: usize = 1;
    pub const LENGTH: usize = 2;
    pub const IDENT: usize = 4;
    pub const FLG_OFF: usize = 6;
    pub const TTL: usize = 8;
    pub const PROTOCOL: usize = 9;
    pub const CHECKSUM: usize = 10;
    pub const SRC_ADDR: Range<usize> = 12..16;
    pub const DST_ADDR: Range<usize> = 16..20;
}

/// Length of a header without options.
pub const HEADER_LEN: usize = field::DST_ADDR.end;

// RFC 791 §3.1 "Flags: 3 bits ... Bit 1: (DF) ... Bit 2: (MF)".
const FLAG_DF: u16 = 0x4000;
const FLAG_MF: u16 = 0x2000;
const FRAG_OFFSET_MASK: u16 = 0x1fff;

/// A zero-copy view of an IPv4 packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ipv4Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Ipv4Packet<T> {
    /// Wrap a buffer without checking it; accessors may panic on a short one.
    pub const fn new_unchecked(buffer: T) -> Self {
        Ipv4Packet { buffer }
    }

    /// Wrap a buffer after [`Self::check_len`].
    pub fn new_checked(buffer: T) -> Result<Self> {
        let p = Self::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    /// Validate the length fields against each other and the buffer.
    pub fn check_len(&self) -> Result<()> {
        let len = self.buffer.as_ref().len();
        if len < HEADER_LEN {
            return Err(Error::Truncated);
        }
        let header_len = usize::from(self.header_len());
        // RFC 791 §3.1: "the minimum value for a correct header is 5" (IHL).
        if header_len < HEADER_LEN {
            return Err(Error::Malformed);
        }
        if header_len > len {
            return Err(Error::Truncated);
        }
        let total_len = usize::from(self.total_len());
        if total_len < header_len {
            return Err(Error::Malformed);
        }
        if total_len > len {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    pub fn into_inner(self) -> T {
        self.buffer
    }

    pub fn version(&self) -> u8 {
        self.buffer.as_ref()[field::VER_IHL] >> 4
    }

    /// Header length in bytes (IHL × 4), options included.
    pub fn header_len(&self) -> u8 {
        (self.buffer.as_ref()[field::VER_IHL] & 0x0f) * 4
    }

    pub fn dscp(&self) -> u8 {
        self.buffer.as_ref()[field::DSCP_ECN] >> 2
    }

    pub fn ecn(&self) -> u8 {
        self.buffer.as_ref()[field::DSCP_ECN] & 0x03
    }

    /// Total length: header plus data, in bytes.
    pub fn total_len(&self) -> u16 {
        be::u16_at(self.buffer.as_ref(), field::LENGTH)
    }

    pub fn ident(&self) -> u16 {
        be::u16_at(self.buffer.as_ref(), field::IDENT)
    }

    pub fn dont_frag(&self) -> bool {
        be::u16_at(self.buffer.as_ref(), field::FLG_OFF) & FLAG_DF != 0
    }

    pub fn more_frags(&self) -> bool {
        be::u16_at(self.buffer.as_ref(), field::FLG_OFF) & FLAG_MF != 0
    }

    /// The reserved flag (RFC 791 "Bit 0: reserved, must be zero").
    pub fn reserved_flag(&self) -> bool {
        be::u16_at(self.buffer.as_ref(), field::FLG_OFF) & 0x8000 != 0
    }

    /// Fragment offset in bytes ("measured in units of 8 octets").
    pub fn frag_offset(&self) -> u16 {
        (be::u16_at(self.buffer.as_ref(), field::FLG_OFF) & FRAG_OFFSET_MASK) << 3
    }

    pub fn ttl(&self) -> u8 {
        self.buffer.as_ref()[field::TTL]
    }

    pub fn protocol(&self) -> IpProtocol {
        IpProtocol::from(self.buffer.as_ref()[field::PROTOCOL])
    }

    pub fn checksum(&self) -> u16 {
        be::u16_at(self.buffer.as_ref(), field::CHECKSUM)
    }

    pub fn src_addr(&self) -> Ipv4Address {
        let b = self.buffer.as_ref();
        Ipv4Address([b[12], b[13], b[14], b[15]])
    }

    pub fn dst_addr(&self) -> Ipv4Address {
        let b = self.buffer.as_ref();
        Ipv4Address([b[16], b[17], b[18], b[19]])
    }

    /// RFC 791 §3.1: "The checksum field is the 16 bit one's complement of the
    /// one's complement sum of all 16 bit words in the header." Summing the
    /// header with the field in place gives all ones iff it is right.
    pub fn verify_checksum(&self) -> bool {
        let header = &self.buffer.as_ref()[..usize::from(self.header_len())];
        checksum::data(header) == 0xffff
    }

    /// Option bytes between the fixed header and the payload.
    pub fn options(&self) -> &[u8] {
        &self.buffer.as_ref()[HEADER_LEN..usize::from(self.header_len())]
    }

    /// Data: from the end of the header to the total length (not the buffer's
    /// end, which may include link-layer padding).
    pub fn payload(&self) -> &[u8] {
        let b = self.buffer.as_ref();
        &b[usize::from(self.header_len())..usize::from(self.total_len())]
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Ipv4Packet<&'a T> {
    /// [`Self::payload`] with the lifetime of the underlying buffer.
    pub fn payload_ref(&self) -> &'a [u8] {
        let b: &'a [u8] = self.buffer.as_ref();
        &b[usize::from(self.header_len())..usize::from(self.total_len())]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Ipv4Packet<T> {
    pub fn set_version(&mut self, v: u8) {
        let b = &mut self.buffer.as_mut()[field::VER_IHL];
        *b = (*b & 0x0f) | (v << 4);
    }

    /// Set the header length in bytes (must be a multiple of 4, ≤ 60).
    pub fn set_header_len(&mut self, len: u8) {
        let b = &mut self.buffer.as_mut()[field::VER_IHL];
        *b = (*b & 0xf0) | ((len / 4) & 0x0f);
    }

    pub fn set_dscp_ecn(&mut self, dscp: u8, ecn: u8) {
        self.buffer.as_mut()[field::DSCP_ECN] = (dscp << 2) | (ecn & 0x03);
    }

    pub fn set_total_len(&mut self, len: u16) {
        be::put_u16(self.buffer.as_mut(), field::LENGTH, len);
    }

    pub fn set_ident(&mut self, id: u16) {
        be::put_u16(self.buffer.as_mut(), field::IDENT, id);
    }

    /// Set DF and MF and the fragment offset in bytes (a multiple of 8).
    pub fn set_flags_and_frag_offset(&mut self, dont_frag: bool, more_frags: bool, offset: u16) {
        let mut v = (offset >> 3) & FRAG_OFFSET_MASK;
        if dont_frag {
            v |= FLAG_DF;
        }
        if more_frags {
            v |= FLAG_MF;
        }
        be::put_u16(self.buffer.as_mut(), field::FLG_OFF, v);
    }

    pub fn set_ttl(&mut self, ttl: u8) {
        self.buffer.as_mut()[field::TTL] = ttl;
    }

    pub fn set_protocol(&mut self, p: IpProtocol) {
        self.buffer.as_mut()[field::PROTOCOL] = p.into();
    }

    pub fn set_checksum(&mut self, c: u16) {
        be::put_u16(self.buffer.as_mut(), field::CHECKSUM, c);
    }

    pub fn set_src_addr(&mut self, a: Ipv4Address) {
        self.buffer.as_mut()[field::SRC_ADDR].copy_from_slice(&a.0);
    }

    pub fn set_dst_addr(&mut self, a: Ipv4Address) {
        self.buffer.as_mut()[field::DST_ADDR].copy_from_slice(&a.0);
    }

    /// RFC 791 §3.1: "For purposes of computing the checksum, the value of the
    /// checksum field is zero."
    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let len = usize::from(self.header_len());
        let sum = checksum::data(&self.buffer.as_ref()[..len]);
        self.set_checksum(checksum::finish(sum));
    }

    pub fn payload_mut(&mut self) -> &mut [u8] {
        let start = usize::from(self.header_len());
        let end = usize::from(self.total_len());
        &mut self.buffer.as_mut()[start..end]
    }
}

/// The meaning of an IPv4 header, as far as this stack uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ipv4Repr {
    pub src_addr: Ipv4Address,
    pub dst_addr: Ipv4Address,
    pub protocol: IpProtocol,
    /// Length of the data after the header (total length − header length).
    pub payload_len: usize,
    pub ttl: u8,
    pub ident: u16,
    /// Don't Fragment; the stack sets it on TCP (SPEC W2).
    pub dont_frag: bool,
}

impl Ipv4Repr {
    /// Parse a packet that passed `new_checked`. Checks the version, the header
    /// checksum (if `caps.ipv4.rx()`), the options as Linux's
    /// `ip_options_compile` does (malformed ones are [`Error::BadIpOption`],
    /// source routes [`Error::SourceRouted`]; unknown ones are skipped, RFC
    /// 1122 §3.2.1.8), and rejects fragments.
    pub fn parse<T: AsRef<[u8]>>(
        packet: &Ipv4Packet<T>,
        caps: &ChecksumCapabilities,
    ) -> Result<Ipv4Repr> {
        packet.check_len()?;
        // RFC 1122 §3.2.1.1: "A datagram whose version number is not 4 MUST be
        // silently discarded."
        if packet.version() != 4 {
            return Err(Error::Malformed);
        }
        // RFC 1122 §3.2.1.2: "A host MUST verify the IP header checksum on every
        // received datagram and silently discard every datagram that has a bad
        // checksum" — unless the fabric did (SPEC F3).
        if caps.ipv4.rx() && !packet.verify_checksum() {
            return Err(Error::BadChecksum);
        }
        options::check(packet.options())?;
        if packet.more_frags() || packet.frag_offset() != 0 {
            return Err(Error::Fragmented);
        }
        Ok(Ipv4Repr {
            src_addr: packet.src_addr(),
            dst_addr: packet.dst_addr(),
            protocol: packet.protocol(),
            payload_len: usize::from(packet.total_len()) - usize::from(packet.header_len()),
            ttl: packet.ttl(),
            ident: packet.ident(),
            dont_frag: packet.dont_frag(),
        })
    }

    /// Header length emitted: always 20 (no options).
    pub const fn buffer_len(&self) -> usize {
        HEADER_LEN
    }

    /// Write a 20-byte header (no options, not a fragment) and its checksum if
    /// `caps.ipv4.tx()`; otherwise the checksum field is zero for the fabric to
    /// fill (SPEC F4). A `payload_len` above 65515 cannot be expressed and is
    /// written as total length 65535 (for a TSO template the fabric rewrites
    /// the total length per segment, SPEC F5).
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut Ipv4Packet<T>,
        caps: &ChecksumCapabilities,
    ) {
        packet.set_version(4);
        packet.set_header_len(HEADER_LEN as u8);
        packet.set_dscp_ecn(0, 0);
        let total = u16::try_from(HEADER_LEN + self.payload_len).unwrap_or(u16::MAX);
        packet.set_total_len(total);
        packet.set_ident(self.ident);
        packet.set_flags_and_frag_offset(self.dont_frag, false, 0);
        packet.set_ttl(self.ttl);
        packet.set_protocol(self.protocol);
        packet.set_src_addr(self.src_addr);
        packet.set_dst_addr(self.dst_addr);
        if caps.ipv4.tx() {
            packet.fill_checksum();
        } else {
            packet.set_checksum(0);
        }
    }
}

mod options;

#[cfg(test)]
mod tests;
