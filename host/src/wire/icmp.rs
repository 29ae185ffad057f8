//! ICMP for IPv4 (RFC 792): echo, and the errors a host sends and receives.
//!
//! The buffer handed to [`IcmpPacket`] is the IP payload (total length −
//! header length): an ICMP message has no length field of its own.
//!
//! Invariants:
//! - After `IcmpPacket::new_checked` the buffer holds the 8-byte header, so
//!   no accessor can panic.
//! - The checksum covers the whole message (RFC 792: "the 16-bit ones's
//!   complement of the one's complement sum of the ICMP message starting with
//!   the ICMP Type") with no pseudo-header. It is always verified on parse and
//!   always computed on emit: the fabric sums only TCP and UDP (SPEC F3, F4).
//! - A message type this module does not model parses as [`IcmpRepr::Other`]
//!   with its type and code, never as an error: it is well formed, just
//!   not acted on.

use super::checksum;
use super::{Error, Result, be};

mod field {
    pub const TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const CHECKSUM: usize = 2;
    /// Echo: identifier; errors: unused (zero).
    pub const IDENT: usize = 4;
    /// Echo: sequence number; errors: unused (zero, or the next-hop MTU).
    pub const SEQ_NO: usize = 6;
}

/// Length of the ICMP header: type, code, checksum and four type-specific bytes.
pub const HEADER_LEN: usize = 8;

/// Message types (RFC 792) this stack names.
pub mod msg_type {
    pub const ECHO_REPLY: u8 = 0;
    pub const DST_UNREACHABLE: u8 = 3;
    pub const ECHO_REQUEST: u8 = 8;
}

/// Codes of a destination-unreachable message (RFC 792, RFC 1122 §3.2.2.1).
pub mod unreachable {
    pub const NET: u8 = 0;
    pub const HOST: u8 = 1;
    pub const PROTOCOL: u8 = 2;
    pub const PORT: u8 = 3;
    pub const FRAG_NEEDED: u8 = 4;
}

/// A zero-copy view of an ICMP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcmpPacket<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> IcmpPacket<T> {
    /// Wrap a buffer without checking it; accessors may panic on a short one.
    pub const fn new_unchecked(buffer: T) -> Self {
        IcmpPacket { buffer }
    }

    /// Wrap a buffer after [`Self::check_len`].
    pub fn new_checked(buffer: T) -> Result<Self> {
        let p = Self::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    /// The buffer holds at least the header.
    pub fn check_len(&self) -> Result<()> {
        if self.buffer.as_ref().len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    pub fn msg_type(&self) -> u8 {
        self.buffer.as_ref()[field::TYPE]
    }

    pub fn code(&self) -> u8 {
        self.buffer.as_ref()[field::CODE]
    }

    pub fn checksum(&self) -> u16 {
        be::u16_at(self.buffer.as_ref(), field::CHECKSUM)
    }

    /// Echo identifier.
    pub fn ident(&self) -> u16 {
        be::u16_at(self.buffer.as_ref(), field::IDENT)
    }

    /// Echo sequence number.
    pub fn seq_no(&self) -> u16 {
        be::u16_at(self.buffer.as_ref(), field::SEQ_NO)
    }

    /// The ones'-complement sum of the whole message verifies.
    pub fn verify_checksum(&self) -> bool {
        checksum::data(self.buffer.as_ref()) == 0xffff
    }

    /// Everything after the header: echo data, or an error's invoking datagram.
    pub fn data(&self) -> &[u8] {
        &self.buffer.as_ref()[HEADER_LEN..]
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> IcmpPacket<&'a T> {
    /// [`Self::data`] with the lifetime of the underlying buffer.
    pub fn data_ref(&self) -> &'a [u8] {
        let b: &'a [u8] = self.buffer.as_ref();
        &b[HEADER_LEN..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> IcmpPacket<T> {
    /// Write type, code and the four type-specific bytes; zero the checksum.
    fn set_header(&mut self, msg_type: u8, code: u8, ident: u16, seq_no: u16) {
        let b = self.buffer.as_mut();
        b[field::TYPE] = msg_type;
        b[field::CODE] = code;
        be::put_u16(b, field::CHECKSUM, 0);
        be::put_u16(b, field::IDENT, ident);
        be::put_u16(b, field::SEQ_NO, seq_no);
    }

    /// Compute the checksum over the whole buffer.
    pub fn fill_checksum(&mut self) {
        be::put_u16(self.buffer.as_mut(), field::CHECKSUM, 0);
        let c = checksum::finish(checksum::data(self.buffer.as_ref()));
        be::put_u16(self.buffer.as_mut(), field::CHECKSUM, c);
    }
}

/// An ICMP message's meaning, with borrowed data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IcmpRepr<'a> {
    EchoRequest {
        ident: u16,
        seq_no: u16,
        data: &'a [u8],
    },
    EchoReply {
        ident: u16,
        seq_no: u16,
        data: &'a [u8],
    },
    /// Destination unreachable with its code ([`unreachable`]) and the start
    /// of the datagram that could not be delivered: its IP header and at
    /// least its first 8 data bytes (RFC 792), unchecked.
    DstUnreachable { code: u8, invoking: &'a [u8] },
    /// Any other message: well formed, not modelled here.
    Other { msg_type: u8, code: u8 },
}

impl<'a> IcmpRepr<'a> {
    /// Parse a checked message; the checksum is always verified.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(packet: &IcmpPacket<&'a T>) -> Result<IcmpRepr<'a>> {
        packet.check_len()?;
        if !packet.verify_checksum() {
            return Err(Error::BadChecksum);
        }
        let data = packet.data_ref();
        Ok(match packet.msg_type() {
            msg_type::ECHO_REQUEST => IcmpRepr::EchoRequest {
                ident: packet.ident(),
                seq_no: packet.seq_no(),
                data,
            },
            msg_type::ECHO_REPLY => IcmpRepr::EchoReply {
                ident: packet.ident(),
                seq_no: packet.seq_no(),
                data,
            },
            msg_type::DST_UNREACHABLE => IcmpRepr::DstUnreachable {
                code: packet.code(),
                invoking: data,
            },
            msg_type => IcmpRepr::Other {
                msg_type,
                code: packet.code(),
            },
        })
    }

    /// Header plus data. [`IcmpRepr::Other`] emits a bare header.
    pub const fn buffer_len(&self) -> usize {
        HEADER_LEN
            + match self {
                IcmpRepr::EchoRequest { data, .. } | IcmpRepr::EchoReply { data, .. } => data.len(),
                IcmpRepr::DstUnreachable { invoking, .. } => invoking.len(),
                IcmpRepr::Other { .. } => 0,
            }
    }

    /// Write the message into a buffer of exactly `buffer_len()` bytes (the
    /// checksum covers the whole buffer), checksum included.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut IcmpPacket<T>) {
        let (msg_type, code, ident, seq_no, data) = match *self {
            IcmpRepr::EchoRequest {
                ident,
                seq_no,
                data,
            } => (msg_type::ECHO_REQUEST, 0, ident, seq_no, data),
            IcmpRepr::EchoReply {
                ident,
                seq_no,
                data,
            } => (msg_type::ECHO_REPLY, 0, ident, seq_no, data),
            IcmpRepr::DstUnreachable { code, invoking } => {
                (msg_type::DST_UNREACHABLE, code, 0, 0, invoking)
            }
            IcmpRepr::Other { msg_type, code } => (msg_type, code, 0, 0, &[][..]),
        };
        packet.set_header(msg_type, code, ident, seq_no);
        packet.buffer.as_mut()[HEADER_LEN..HEADER_LEN + data.len()].copy_from_slice(data);
        packet.fill_checksum();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emitted(repr: &IcmpRepr<'_>) -> Vec<u8> {
        let mut b = vec![0u8; repr.buffer_len()];
        repr.emit(&mut IcmpPacket::new_unchecked(&mut b[..]));
        b
    }

    #[test]
    fn echo_request_round_trips_with_rfc_1071_checksum() {
        let repr = IcmpRepr::EchoRequest {
            ident: 0x1234,
            seq_no: 7,
            data: b"abcdefgh",
        };
        let b = emitted(&repr);
        assert_eq!(&b[..2], &[8, 0]);
        assert_eq!(&b[4..8], &[0x12, 0x34, 0, 7]);
        // By hand: 0x0800 + 0x1234 + 0x0007 + "abcdefgh" as four words.
        let sum: u32 = 0x0800 + 0x1234 + 0x0007 + 0x6162 + 0x6364 + 0x6566 + 0x6768;
        let folded = (sum & 0xffff) + (sum >> 16);
        assert_eq!(u16::from_be_bytes([b[2], b[3]]), !(folded as u16));
        let p = IcmpPacket::new_checked(&b[..]).unwrap();
        assert_eq!(IcmpRepr::parse(&p), Ok(repr));
    }

    #[test]
    fn odd_length_data_is_summed_with_a_zero_pad() {
        let repr = IcmpRepr::EchoReply {
            ident: 1,
            seq_no: 2,
            data: b"xyz",
        };
        let b = emitted(&repr);
        assert_eq!(b[0], 0);
        assert_eq!(
            IcmpRepr::parse(&IcmpPacket::new_checked(&b[..]).unwrap()),
            Ok(repr)
        );
    }

    #[test]
    fn port_unreachable_carries_the_invoking_datagram() {
        let invoking = [0x45u8; 28];
        let repr = IcmpRepr::DstUnreachable {
            code: unreachable::PORT,
            invoking: &invoking,
        };
        let b = emitted(&repr);
        assert_eq!(&b[..2], &[3, 3]);
        assert_eq!(&b[4..8], &[0; 4]);
        assert_eq!(&b[8..], &invoking);
        assert_eq!(
            IcmpRepr::parse(&IcmpPacket::new_checked(&b[..]).unwrap()),
            Ok(repr)
        );
    }

    #[test]
    fn other_types_parse_as_other_not_as_errors() {
        let mut b = emitted(&IcmpRepr::Other {
            msg_type: 13,
            code: 0,
        });
        assert_eq!(
            IcmpRepr::parse(&IcmpPacket::new_checked(&b[..]).unwrap()),
            Ok(IcmpRepr::Other {
                msg_type: 13,
                code: 0
            })
        );
        b[1] = 9;
        let p = IcmpPacket::new_checked(&b[..]).unwrap();
        assert_eq!(IcmpRepr::parse(&p), Err(Error::BadChecksum));
    }

    #[test]
    fn error_truncated_and_bad_checksum() {
        let b = emitted(&IcmpRepr::EchoRequest {
            ident: 9,
            seq_no: 9,
            data: b"payload",
        });
        assert_eq!(IcmpPacket::new_checked(&b[..7]), Err(Error::Truncated));
        for at in 0..b.len() {
            let mut c = b.clone();
            c[at] ^= 0x10;
            let p = IcmpPacket::new_checked(&c[..]).unwrap();
            assert_eq!(IcmpRepr::parse(&p), Err(Error::BadChecksum), "byte {at}");
        }
    }
}
