//! UDP (RFC 768) datagrams over IPv4 (SPEC W3).
//!
//! The buffer handed to [`UdpPacket`] is the IP payload (total length − header
//! length). The datagram ends at the UDP length field; bytes after it, if the IP
//! payload is longer, are ignored.
//!
//! Invariants:
//! - After `UdpPacket::new_checked`: 8 ≤ length field ≤ buffer length.
//! - A zero checksum field means "no checksum" (RFC 768) and always verifies;
//!   an emitted checksum that computes to zero is sent as 0xffff.

use super::checksum;
use super::ipv4::{IpProtocol, Ipv4Address};
use super::{ChecksumCapabilities, Error, Result, be};

mod field {
    pub const SRC_PORT: usize = 0;
    pub const DST_PORT: usize = 2;
    pub const LENGTH: usize = 4;
    pub const CHECKSUM: usize = 6;
}

/// Length of the UDP header.
pub const HEADER_LEN: usize = 8;

/// A zero-copy view of a UDP datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpPacket<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> UdpPacket<T> {
    /// Wrap a buffer without checking it; accessors may panic on a short one.
    pub const fn new_unchecked(buffer: T) -> Self {
        UdpPacket { buffer }
    }

    /// Wrap a buffer after [`Self::check_len`].
    pub fn new_checked(buffer: T) -> Result<Self> {
        let p = Self::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    pub fn check_len(&self) -> Result<()> {
        let len = self.buffer.as_ref().len();
        if len < HEADER_LEN {
            return Err(Error::Truncated);
        }
        // RFC 768: "Length is the length in octets of this user datagram
        // including this header and the data. (This means the minimum value of
        // the length is eight.)"
        let field_len = usize::from(self.len());
        if field_len < HEADER_LEN {
            return Err(Error::Malformed);
        }
        if field_len > len {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    pub fn into_inner(self) -> T {
        self.buffer
    }

    pub fn src_port(&self) -> u16 {
        be::u16_at(self.buffer.as_ref(), field::SRC_PORT)
    }

    pub fn dst_port(&self) -> u16 {
        be::u16_at(self.buffer.as_ref(), field::DST_PORT)
    }

    /// The length field: header plus data.
    pub fn len(&self) -> u16 {
        be::u16_at(self.buffer.as_ref(), field::LENGTH)
    }

    /// The datagram has no data.
    pub fn is_empty(&self) -> bool {
        usize::from(self.len()) <= HEADER_LEN
    }

    pub fn checksum(&self) -> u16 {
        be::u16_at(self.buffer.as_ref(), field::CHECKSUM)
    }

    /// RFC 768: the checksum covers a pseudo header, the UDP header and the
    /// data; "An all zero transmitted checksum value means that the
    /// transmitter generated no checksum", which therefore verifies.
    pub fn verify_checksum(&self, src: &Ipv4Address, dst: &Ipv4Address) -> bool {
        if self.checksum() == 0 {
            return true;
        }
        let len = self.len();
        let data = &self.buffer.as_ref()[..usize::from(len)];
        checksum::combine(&[
            checksum::pseudo_header(src, dst, IpProtocol::Udp, u32::from(len)),
            checksum::data(data),
        ]) == 0xffff
    }

    /// The data, up to the length field.
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[HEADER_LEN..usize::from(self.len())]
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> UdpPacket<&'a T> {
    /// [`Self::payload`] with the lifetime of the underlying buffer.
    pub fn payload_ref(&self) -> &'a [u8] {
        let b: &'a [u8] = self.buffer.as_ref();
        &b[HEADER_LEN..usize::from(self.len())]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> UdpPacket<T> {
    pub fn set_src_port(&mut self, v: u16) {
        be::put_u16(self.buffer.as_mut(), field::SRC_PORT, v);
    }

    pub fn set_dst_port(&mut self, v: u16) {
        be::put_u16(self.buffer.as_mut(), field::DST_PORT, v);
    }

    pub fn set_len(&mut self, v: u16) {
        be::put_u16(self.buffer.as_mut(), field::LENGTH, v);
    }

    pub fn set_checksum(&mut self, v: u16) {
        be::put_u16(self.buffer.as_mut(), field::CHECKSUM, v);
    }

    /// Compute the checksum over the pseudo header, header and data (up to
    /// the length field). RFC 768: "If the computed checksum is zero, it is
    /// transmitted as all ones."
    pub fn fill_checksum(&mut self, src: &Ipv4Address, dst: &Ipv4Address) {
        self.set_checksum(0);
        let len = self.len();
        let sum = checksum::combine(&[
            checksum::pseudo_header(src, dst, IpProtocol::Udp, u32::from(len)),
            checksum::data(&self.buffer.as_ref()[..usize::from(len)]),
        ]);
        let c = checksum::finish(sum);
        self.set_checksum(if c == 0 { 0xffff } else { c });
    }

    pub fn payload_mut(&mut self) -> &mut [u8] {
        let end = usize::from(self.len());
        &mut self.buffer.as_mut()[HEADER_LEN..end]
    }
}

/// A UDP datagram's header meaning and a borrowed payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UdpRepr<'a> {
    pub src_port: u16,
    pub dst_port: u16,
    pub payload: &'a [u8],
}

impl<'a> UdpRepr<'a> {
    /// Parse a checked datagram carried from `src` to `dst`. Verifies the
    /// checksum if `caps.udp.rx()`. Destination port 0 is [`Error::Malformed`]
    /// (RFC 768 makes only the source port optional).
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &UdpPacket<&'a T>,
        src: &Ipv4Address,
        dst: &Ipv4Address,
        caps: &ChecksumCapabilities,
    ) -> Result<UdpRepr<'a>> {
        packet.check_len()?;
        if packet.dst_port() == 0 {
            return Err(Error::Malformed);
        }
        if caps.udp.rx() && !packet.verify_checksum(src, dst) {
            return Err(Error::BadChecksum);
        }
        Ok(UdpRepr {
            src_port: packet.src_port(),
            dst_port: packet.dst_port(),
            payload: packet.payload_ref(),
        })
    }

    /// Header plus payload.
    pub const fn buffer_len(&self) -> usize {
        HEADER_LEN + self.payload.len()
    }

    /// Write header and payload into a buffer of at least `buffer_len()`
    /// bytes; compute the checksum if `caps.udp.tx()`, else leave it zero for
    /// the fabric (SPEC F4). A payload over 65527 bytes cannot be expressed:
    /// the length field saturates.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut UdpPacket<T>,
        src: &Ipv4Address,
        dst: &Ipv4Address,
        caps: &ChecksumCapabilities,
    ) {
        packet.set_src_port(self.src_port);
        packet.set_dst_port(self.dst_port);
        packet.set_len(u16::try_from(self.buffer_len()).unwrap_or(u16::MAX));
        packet.set_checksum(0);
        packet.payload_mut()[..self.payload.len()].copy_from_slice(self.payload);
        if caps.udp.tx() {
            packet.fill_checksum(src, dst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: Ipv4Address = Ipv4Address::new(192, 168, 1, 1);
    const DST: Ipv4Address = Ipv4Address::new(192, 168, 1, 2);

    fn datagram() -> Vec<u8> {
        let repr = UdpRepr {
            src_port: 5353,
            dst_port: 53,
            payload: b"hello",
        };
        let mut b = vec![0u8; repr.buffer_len()];
        repr.emit(
            &mut UdpPacket::new_unchecked(&mut b[..]),
            &SRC,
            &DST,
            &ChecksumCapabilities::default(),
        );
        b
    }

    #[test]
    fn round_trip() {
        let b = datagram();
        assert_eq!(&b[..6], &[0x14, 0xe9, 0x00, 0x35, 0x00, 13]);
        let p = UdpPacket::new_checked(&b[..]).unwrap();
        assert!(p.verify_checksum(&SRC, &DST));
        let r = UdpRepr::parse(&p, &SRC, &DST, &ChecksumCapabilities::default()).unwrap();
        assert_eq!(r.src_port, 5353);
        assert_eq!(r.dst_port, 53);
        assert_eq!(&r.payload[..], b"hello");
    }

    #[test]
    fn zero_checksum_means_none() {
        let mut b = datagram();
        b[6] = 0;
        b[7] = 0;
        let p = UdpPacket::new_checked(&b[..]).unwrap();
        assert!(UdpRepr::parse(&p, &SRC, &DST, &ChecksumCapabilities::default()).is_ok());
    }

    #[test]
    fn trailing_bytes_after_length_are_ignored() {
        let mut b = datagram();
        b.extend_from_slice(&[0xee; 3]);
        let p = UdpPacket::new_checked(&b[..]).unwrap();
        let r = UdpRepr::parse(&p, &SRC, &DST, &ChecksumCapabilities::default()).unwrap();
        assert_eq!(&r.payload[..], b"hello");
    }

    #[test]
    fn error_truncated() {
        let b = datagram();
        assert_eq!(UdpPacket::new_checked(&b[..7]), Err(Error::Truncated));
        assert_eq!(UdpPacket::new_checked(&b[..12]), Err(Error::Truncated));
    }

    #[test]
    fn error_malformed_length_or_port() {
        let mut b = datagram();
        b[4..6].copy_from_slice(&7u16.to_be_bytes());
        assert_eq!(UdpPacket::new_checked(&b[..]), Err(Error::Malformed));
        let mut b = datagram();
        b[2..4].copy_from_slice(&0u16.to_be_bytes());
        let p = UdpPacket::new_checked(&b[..]).unwrap();
        assert_eq!(
            UdpRepr::parse(&p, &SRC, &DST, &ChecksumCapabilities::offloaded()),
            Err(Error::Malformed)
        );
    }

    #[test]
    fn error_bad_checksum_unless_offloaded() {
        let mut b = datagram();
        b[9] ^= 0x01;
        let p = UdpPacket::new_checked(&b[..]).unwrap();
        assert_eq!(
            UdpRepr::parse(&p, &SRC, &DST, &ChecksumCapabilities::default()),
            Err(Error::BadChecksum)
        );
        assert!(UdpRepr::parse(&p, &SRC, &DST, &ChecksumCapabilities::offloaded()).is_ok());
        // Wrong pseudo header: delivered to the wrong address.
        let b = datagram();
        let p = UdpPacket::new_checked(&b[..]).unwrap();
        assert!(!p.verify_checksum(&SRC, &Ipv4Address::new(192, 168, 1, 3)));
    }

    #[test]
    fn computed_zero_is_sent_as_all_ones() {
        // Find a payload whose checksum computes to zero, then check the field.
        for x in 0..=u16::MAX {
            let payload = x.to_be_bytes();
            let repr = UdpRepr {
                src_port: 1,
                dst_port: 2,
                payload: &payload,
            };
            let mut b = [0u8; 10];
            let mut p = UdpPacket::new_unchecked(&mut b[..]);
            repr.emit(&mut p, &SRC, &DST, &ChecksumCapabilities::default());
            if p.checksum() == 0xffff {
                assert!(UdpPacket::new_unchecked(&b[..]).verify_checksum(&SRC, &DST));
                return;
            }
        }
        panic!("no payload gives a zero checksum");
    }
}
