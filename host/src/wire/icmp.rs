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
//! - [`IcmpQuote::parse`] reads only the quoted header and 8 bytes after it,
//!   after checking they are there.
//! - A message type this module does not model parses as [`IcmpRepr::Other`]
//!   with its type and code, never as an error: it is well formed, just
//!   not acted on.

use super::checksum;
use super::ipv4::{IpProtocol, Ipv4Address};
use super::{Error, Result, be};

mod field {
    pub const TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const CHECKSUM: usize = 2;
    /// Echo: identifier; errors: unused (zero).
    pub const IDENT: usize = 4;
    /// Echo: sequence number; errors: unused (zero), or the next-hop MTU.
    pub const SEQ_NO: usize = 6;
}

/// Length of the ICMP header: type, code, checksum and four type-specific bytes.
pub const HEADER_LEN: usize = 8;

/// Message types (RFC 792) this stack names.
pub mod msg_type {
    pub const ECHO_REPLY: u8 = 0;
    pub const DST_UNREACHABLE: u8 = 3;
    pub const ECHO_REQUEST: u8 = 8;
    pub const TIME_EXCEEDED: u8 = 11;
    pub const PARAM_PROBLEM: u8 = 12;
}

/// Codes of a time-exceeded message (RFC 792).
pub mod time_exceeded {
    pub const IN_TRANSIT: u8 = 0;
    pub const REASSEMBLY: u8 = 1;
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
    /// Destination unreachable with its code ([`unreachable`](mod@unreachable)) and the start
    /// of the datagram that could not be delivered: its IP header and at
    /// least its first 8 data bytes (RFC 792), unchecked. `next_hop_mtu`
    /// is the MTU a router could not forward it through (RFC 1191: code
    /// [`unreachable::FRAG_NEEDED`], else zero; 0 from older routers).
    DstUnreachable {
        code: u8,
        next_hop_mtu: u16,
        invoking: &'a [u8],
    },
    /// Time exceeded (code 0 in transit, 1 in reassembly) and the datagram.
    TimeExceeded { code: u8, invoking: &'a [u8] },
    /// Parameter problem: `pointer` is the offset of the bad octet in the
    /// datagram (code 0).
    ParamProblem {
        code: u8,
        pointer: u8,
        invoking: &'a [u8],
    },
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
                next_hop_mtu: packet.seq_no(),
                invoking: data,
            },
            msg_type::TIME_EXCEEDED => IcmpRepr::TimeExceeded {
                code: packet.code(),
                invoking: data,
            },
            msg_type::PARAM_PROBLEM => IcmpRepr::ParamProblem {
                code: packet.code(),
                pointer: (packet.ident() >> 8) as u8,
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
                IcmpRepr::DstUnreachable { invoking, .. }
                | IcmpRepr::TimeExceeded { invoking, .. }
                | IcmpRepr::ParamProblem { invoking, .. } => invoking.len(),
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
            IcmpRepr::DstUnreachable {
                code,
                next_hop_mtu,
                invoking,
            } => (msg_type::DST_UNREACHABLE, code, 0, next_hop_mtu, invoking),
            IcmpRepr::TimeExceeded { code, invoking } => {
                (msg_type::TIME_EXCEEDED, code, 0, 0, invoking)
            }
            IcmpRepr::ParamProblem {
                code,
                pointer,
                invoking,
            } => (
                msg_type::PARAM_PROBLEM,
                code,
                u16::from(pointer) << 8,
                0,
                invoking,
            ),
            IcmpRepr::Other { msg_type, code } => (msg_type, code, 0, 0, &[][..]),
        };
        packet.set_header(msg_type, code, ident, seq_no);
        packet.buffer.as_mut()[HEADER_LEN..HEADER_LEN + data.len()].copy_from_slice(data);
        packet.fill_checksum();
    }
}

/// The start of the datagram an ICMP error quotes: enough to name the
/// socket that sent it (RFC 792: "Internet Header + 64 bits of Original Data
/// Datagram"; RFC 1122 §3.2.2 says at least that much comes back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IcmpQuote {
    pub src_addr: Ipv4Address,
    pub dst_addr: Ipv4Address,
    pub protocol: IpProtocol,
    pub src_port: u16,
    pub dst_port: u16,
    /// Bytes 4..8 of the transport header: TCP's sequence number.
    pub seq: u32,
}

impl IcmpQuote {
    /// Read the quoted IPv4 header and the first 8 transport bytes, as Linux
    /// `icmp_unreach` does: version 4, IHL ≥ 5 ([`Error::Malformed`]), and
    /// IHL·4 + 8 bytes present ([`Error::Truncated`]). The quoted datagram
    /// may be cut anywhere after that, so its total length is not checked.
    pub fn parse(invoking: &[u8]) -> Result<IcmpQuote> {
        if invoking.len() < super::ipv4::HEADER_LEN {
            return Err(Error::Truncated);
        }
        let header_len = usize::from(invoking[0] & 0x0f) * 4;
        if invoking[0] >> 4 != 4 || header_len < super::ipv4::HEADER_LEN {
            return Err(Error::Malformed);
        }
        if invoking.len() < header_len + 8 {
            return Err(Error::Truncated);
        }
        let addr = |at: usize| {
            Ipv4Address([
                invoking[at],
                invoking[at + 1],
                invoking[at + 2],
                invoking[at + 3],
            ])
        };
        let l4 = &invoking[header_len..];
        Ok(IcmpQuote {
            src_addr: addr(12),
            dst_addr: addr(16),
            protocol: IpProtocol::from(invoking[9]),
            src_port: be::u16_at(l4, 0),
            dst_port: be::u16_at(l4, 2),
            seq: be::u32_at(l4, 4),
        })
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
            next_hop_mtu: 0,
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
    fn fragmentation_needed_carries_the_next_hop_mtu_in_its_last_two_header_bytes() {
        let invoking = [0x45u8; 28];
        let repr = IcmpRepr::DstUnreachable {
            code: unreachable::FRAG_NEEDED,
            next_hop_mtu: 1280,
            invoking: &invoking,
        };
        let b = emitted(&repr);
        assert_eq!(&b[..2], &[3, 4]);
        assert_eq!(&b[4..8], &[0, 0, 0x05, 0x00]);
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

    #[test]
    fn a_quote_names_the_segment_it_came_from() {
        let mut q = vec![0u8; 28];
        q[0] = 0x45;
        q[9] = 6;
        q[12..16].copy_from_slice(&[10, 0, 0, 1]);
        q[16..20].copy_from_slice(&[10, 0, 0, 2]);
        q[20..28].copy_from_slice(&[0x9c, 0x40, 0x00, 0x50, 0xde, 0xad, 0xbe, 0xef]);
        let quote = IcmpQuote::parse(&q).unwrap();
        assert_eq!(
            quote,
            IcmpQuote {
                src_addr: Ipv4Address::new(10, 0, 0, 1),
                dst_addr: Ipv4Address::new(10, 0, 0, 2),
                protocol: IpProtocol::Tcp,
                src_port: 40000,
                dst_port: 80,
                seq: 0xdead_beef,
            }
        );
        // Options move the transport header: IHL 6 needs 32 bytes.
        let mut with_options = q.clone();
        with_options[0] = 0x46;
        assert_eq!(IcmpQuote::parse(&with_options), Err(Error::Truncated));
        with_options.splice(20..20, [1, 1, 1, 0]);
        assert_eq!(
            IcmpQuote::parse(&with_options).map(|x| x.seq),
            Ok(0xdead_beef)
        );
        assert_eq!(IcmpQuote::parse(&q[..27]), Err(Error::Truncated));
        assert_eq!(IcmpQuote::parse(&q[..19]), Err(Error::Truncated));
        for bad in [0x44, 0x65] {
            let mut b = q.clone();
            b[0] = bad;
            assert_eq!(IcmpQuote::parse(&b), Err(Error::Malformed));
        }
    }

    #[test]
    fn time_exceeded_and_parameter_problem_round_trip() {
        let invoking = [0x45u8; 28];
        for repr in [
            IcmpRepr::TimeExceeded {
                code: 1,
                invoking: &invoking,
            },
            IcmpRepr::ParamProblem {
                code: 0,
                pointer: 9,
                invoking: &invoking,
            },
        ] {
            let b = emitted(&repr);
            assert_eq!(
                IcmpRepr::parse(&IcmpPacket::new_checked(&b[..]).unwrap()),
                Ok(repr)
            );
        }
        let b = emitted(&IcmpRepr::ParamProblem {
            code: 0,
            pointer: 9,
            invoking: &invoking,
        });
        assert_eq!(&b[..2], &[12, 0]);
        assert_eq!(b[4], 9);
    }
}
