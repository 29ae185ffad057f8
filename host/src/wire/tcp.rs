//! TCP segments (RFC 9293 §3.1) and their options (SPEC W4).
//!
//! The buffer handed to [`TcpPacket`] is the IP payload, so SPEC W4's "payload
//! length = IP total length − IP header length − TCP header length" is simply
//! the buffer length minus [`TcpPacket::header_len`]: TCP has no length field.
//!
//! Invariants:
//! - After `TcpPacket::new_checked`: 20 ≤ data offset·4 ≤ buffer length, so the
//!   options and payload slices are in bounds.
//! - Option parsing (RFC 9293 §3.2) never reads past the header: a missing
//!   length byte, a length below 2, a length running past the header, or a
//!   length wrong for a known kind is [`Error::BadOption`]. Unknown kinds are
//!   skipped by their length. Parsing stops at End of Option List.
//! - `TcpRepr` keeps all eight flag bits (ECE and CWR included, RFC 3168), so
//!   parse → emit preserves them.
//! - `TcpRepr::emit` lays options out as Linux does (`tcp_options_write`): MSS;
//!   SACK-permitted + timestamps, or NOP NOP timestamps, or NOP NOP
//!   SACK-permitted; NOP window scale; NOP NOP SACK blocks — and, like Linux,
//!   sends only as many SACK blocks as fit in the 40 option bytes.

use core::fmt;

use super::checksum;
use super::ipv4::{IpProtocol, Ipv4Address};
use super::{ChecksumCapabilities, Error, Result, be};

/// TCP header flags, byte 13 of the header (RFC 9293 §3.1; ECE and CWR from
/// RFC 3168 §23.2).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TcpFlags(pub u8);

impl TcpFlags {
    pub const FIN: TcpFlags = TcpFlags(0x01);
    pub const SYN: TcpFlags = TcpFlags(0x02);
    pub const RST: TcpFlags = TcpFlags(0x04);
    pub const PSH: TcpFlags = TcpFlags(0x08);
    pub const ACK: TcpFlags = TcpFlags(0x10);
    pub const URG: TcpFlags = TcpFlags(0x20);
    pub const ECE: TcpFlags = TcpFlags(0x40);
    pub const CWR: TcpFlags = TcpFlags(0x80);
    pub const NONE: TcpFlags = TcpFlags(0);

    /// Every bit of `other` is set in `self`.
    pub const fn contains(self, other: TcpFlags) -> bool {
        self.0 & other.0 == other.0
    }
    pub const fn fin(self) -> bool {
        self.contains(Self::FIN)
    }
    pub const fn syn(self) -> bool {
        self.contains(Self::SYN)
    }
    pub const fn rst(self) -> bool {
        self.contains(Self::RST)
    }
    pub const fn psh(self) -> bool {
        self.contains(Self::PSH)
    }
    pub const fn ack(self) -> bool {
        self.contains(Self::ACK)
    }
    pub const fn urg(self) -> bool {
        self.contains(Self::URG)
    }
    pub const fn ece(self) -> bool {
        self.contains(Self::ECE)
    }
    pub const fn cwr(self) -> bool {
        self.contains(Self::CWR)
    }
}

impl core::ops::BitOr for TcpFlags {
    type Output = TcpFlags;
    fn bitor(self, rhs: TcpFlags) -> TcpFlags {
        TcpFlags(self.0 | rhs.0)
    }
}

impl core::ops::BitOrAssign for TcpFlags {
    fn bitor_assign(&mut self, rhs: TcpFlags) {
        self.0 |= rhs.0;
    }
}

impl fmt::Debug for TcpFlags {
    /// tcpdump style: `[S.]`, `[F.]`, `[R]`, `[P.]`, `[.]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (flag, c) in [
            (Self::SYN, "S"),
            (Self::FIN, "F"),
            (Self::RST, "R"),
            (Self::PSH, "P"),
            (Self::URG, "U"),
            (Self::ECE, "E"),
            (Self::CWR, "W"),
        ] {
            if self.contains(flag) {
                f.write_str(c)?;
            }
        }
        if self.ack() {
            f.write_str(".")?;
        } else if self.0 == 0 {
            f.write_str("none")?;
        }
        f.write_str("]")
    }
}

/// The timestamps option's two values (RFC 7323 §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TcpTimestamp {
    pub tsval: u32,
    pub tsecr: u32,
}

/// Most SACK blocks one option can hold: (40 − 2) / 8.
pub const MAX_SACK_BLOCKS: usize = 4;

/// Most option bytes a header can hold: (15 − 5) × 4.
pub const MAX_OPTIONS_LEN: usize = 40;

/// Option kinds (IANA "TCP Option Kind Numbers").
mod kind {
    pub const END: u8 = 0;
    pub const NOP: u8 = 1;
    pub const MSS: u8 = 2;
    pub const WS: u8 = 3;
    pub const SACK_PERMITTED: u8 = 4;
    pub const SACK: u8 = 5;
    pub const TIMESTAMP: u8 = 8;
}

/// One TCP option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcpOption<'a> {
    /// Kind 0: the end of the option list (RFC 9293 §3.2).
    EndOfList,
    /// Kind 1: padding between options.
    NoOperation,
    /// Kind 2, length 4.
    MaxSegmentSize(u16),
    /// Kind 3, length 3: the shift count as received (RFC 7323 §2.2).
    WindowScale(u8),
    /// Kind 4, length 2 (RFC 2018 §2).
    SackPermitted,
    /// Kind 5, length 2 + 8n with 1 ≤ n ≤ 4: `(left, right)` edges (RFC 2018 §3).
    SackRange([Option<(u32, u32)>; MAX_SACK_BLOCKS]),
    /// Kind 8, length 10 (RFC 7323 §3.2).
    Timestamp(TcpTimestamp),
    /// Any other kind, skipped by its length.
    Unknown { kind: u8, data: &'a [u8] },
}

impl<'a> TcpOption<'a> {
    /// Parse the option at the front of `buffer` (the remaining option bytes
    /// of one header); return the bytes after it and the option.
    pub fn parse(buffer: &'a [u8]) -> Result<(&'a [u8], TcpOption<'a>)> {
        let (&kind, rest) = buffer.split_first().ok_or(Error::BadOption)?;
        match kind {
            kind::END => return Ok((rest, TcpOption::EndOfList)),
            kind::NOP => return Ok((rest, TcpOption::NoOperation)),
            _ => {}
        }
        // RFC 9293 §3.2: "an octet of option-kind, an octet of option-length,
        // and the actual option-data octets. The option-length counts the two
        // octets of option-kind and option-length as well as the option-data
        // octets."
        let (&len, _) = rest.split_first().ok_or(Error::BadOption)?;
        let len = usize::from(len);
        if len < 2 || len > buffer.len() {
            return Err(Error::BadOption);
        }
        let data = &buffer[2..len];
        let rest = &buffer[len..];
        let option = match (kind, len) {
            (kind::MSS, 4) => TcpOption::MaxSegmentSize(be::u16_at(data, 0)),
            (kind::WS, 3) => TcpOption::WindowScale(data[0]),
            (kind::SACK_PERMITTED, 2) => TcpOption::SackPermitted,
            (kind::TIMESTAMP, 10) => TcpOption::Timestamp(TcpTimestamp {
                tsval: be::u32_at(data, 0),
                tsecr: be::u32_at(data, 4),
            }),
            // RFC 2018 §3: "a SACK option that specifies n blocks will have a
            // length of 8*n+2 bytes".
            (kind::SACK, _) if (len - 2) % 8 == 0 && len > 2 && len <= 2 + 8 * MAX_SACK_BLOCKS => {
                let mut blocks = [None; MAX_SACK_BLOCKS];
                for (slot, edge) in blocks.iter_mut().zip(data.chunks_exact(8)) {
                    *slot = Some((be::u32_at(edge, 0), be::u32_at(edge, 4)));
                }
                TcpOption::SackRange(blocks)
            }
            (kind::MSS | kind::WS | kind::SACK_PERMITTED | kind::TIMESTAMP | kind::SACK, _) => {
                return Err(Error::BadOption);
            }
            (kind, _) => TcpOption::Unknown { kind, data },
        };
        Ok((rest, option))
    }

    /// Bytes this option occupies on the wire.
    pub fn buffer_len(&self) -> usize {
        match self {
            TcpOption::EndOfList | TcpOption::NoOperation => 1,
            TcpOption::MaxSegmentSize(_) => 4,
            TcpOption::WindowScale(_) => 3,
            TcpOption::SackPermitted => 2,
            TcpOption::SackRange(blocks) => 2 + 8 * blocks.iter().flatten().count(),
            TcpOption::Timestamp(_) => 10,
            TcpOption::Unknown { data, .. } => 2 + data.len(),
        }
    }

    /// Write the option at the front of `buffer` (at least `buffer_len()`
    /// bytes) and return the bytes after it.
    pub fn emit<'b>(&self, buffer: &'b mut [u8]) -> &'b mut [u8] {
        let len = self.buffer_len();
        let (out, rest) = buffer.split_at_mut(len);
        match self {
            TcpOption::EndOfList => out[0] = kind::END,
            TcpOption::NoOperation => out[0] = kind::NOP,
            TcpOption::MaxSegmentSize(mss) => {
                out[0] = kind::MSS;
                out[1] = 4;
                be::put_u16(out, 2, *mss);
            }
            TcpOption::WindowScale(shift) => {
                out[0] = kind::WS;
                out[1] = 3;
                out[2] = *shift;
            }
            TcpOption::SackPermitted => {
                out[0] = kind::SACK_PERMITTED;
                out[1] = 2;
            }
            TcpOption::SackRange(blocks) => {
                out[0] = kind::SACK;
                out[1] = len as u8;
                for (i, (left, right)) in blocks.iter().flatten().enumerate() {
                    be::put_u32(out, 2 + 8 * i, *left);
                    be::put_u32(out, 6 + 8 * i, *right);
                }
            }
            TcpOption::Timestamp(ts) => {
                out[0] = kind::TIMESTAMP;
                out[1] = 10;
                be::put_u32(out, 2, ts.tsval);
                be::put_u32(out, 6, ts.tsecr);
            }
            TcpOption::Unknown { kind, data } => {
                out[0] = *kind;
                out[1] = len as u8;
                out[2..].copy_from_slice(data);
            }
        }
        rest
    }
}

pub(crate) mod field {
    pub const SRC_PORT: usize = 0;
    pub const DST_PORT: usize = 2;
    pub const SEQ_NUM: usize = 4;
    pub const ACK_NUM: usize = 8;
    pub const DATA_OFF: usize = 12;
    pub const FLAGS: usize = 13;
    pub const WIN_SIZE: usize = 14;
    pub const CHECKSUM: usize = 16;
    pub const URGENT: usize = 18;
    pub const OPTIONS: usize = 20;
}

/// Length of a header without options.
pub const HEADER_LEN: usize = field::OPTIONS;

/// A zero-copy view of a TCP segment (header and payload).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpPacket<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> TcpPacket<T> {
    /// Wrap a buffer without checking it; accessors may panic on a short one.
    pub const fn new_unchecked(buffer: T) -> Self {
        TcpPacket { buffer }
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
        let header_len = usize::from(self.header_len());
        // RFC 9293 §3.1: Data Offset is "the number of 32-bit words in the TCP
        // header"; the fixed header alone is 5 words.
        if header_len < HEADER_LEN {
            return Err(Error::Malformed);
        }
        if header_len > len {
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

    pub fn seq_number(&self) -> u32 {
        be::u32_at(self.buffer.as_ref(), field::SEQ_NUM)
    }

    pub fn ack_number(&self) -> u32 {
        be::u32_at(self.buffer.as_ref(), field::ACK_NUM)
    }

    /// Header length in bytes (data offset × 4), options included.
    pub fn header_len(&self) -> u8 {
        (self.buffer.as_ref()[field::DATA_OFF] >> 4) * 4
    }

    /// The four bits between data offset and flags (reserved; the last is
    /// the historic NS / AccECN AE bit).
    pub fn reserved_bits(&self) -> u8 {
        self.buffer.as_ref()[field::DATA_OFF] & 0x0f
    }

    pub fn flags(&self) -> TcpFlags {
        TcpFlags(self.buffer.as_ref()[field::FLAGS])
    }

    pub fn window_len(&self) -> u16 {
        be::u16_at(self.buffer.as_ref(), field::WIN_SIZE)
    }

    pub fn checksum(&self) -> u16 {
        be::u16_at(self.buffer.as_ref(), field::CHECKSUM)
    }

    pub fn urgent_pointer(&self) -> u16 {
        be::u16_at(self.buffer.as_ref(), field::URGENT)
    }

    /// Option bytes (possibly with trailing padding).
    pub fn options(&self) -> &[u8] {
        &self.buffer.as_ref()[HEADER_LEN..usize::from(self.header_len())]
    }

    /// The data: everything after the header. Its length is SPEC W4's
    /// IP total length − IP header length − TCP header length.
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[usize::from(self.header_len())..]
    }

    /// RFC 9293 §3.1: "The checksum field is the 16-bit ones' complement of
    /// the ones' complement sum of all 16-bit words in the header and text",
    /// over the pseudo header with "the TCP header length plus the data
    /// length in octets (this is not an explicitly transmitted quantity but
    /// is computed)".
    pub fn verify_checksum(&self, src: &Ipv4Address, dst: &Ipv4Address) -> bool {
        let data = self.buffer.as_ref();
        checksum::combine(&[
            checksum::pseudo_header(src, dst, IpProtocol::Tcp, data.len() as u32),
            checksum::data(data),
        ]) == 0xffff
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> TcpPacket<&'a T> {
    /// [`Self::payload`] with the lifetime of the underlying buffer.
    pub fn payload_ref(&self) -> &'a [u8] {
        let b: &'a [u8] = self.buffer.as_ref();
        &b[usize::from(self.header_len())..]
    }

    /// [`Self::options`] with the lifetime of the underlying buffer.
    pub fn options_ref(&self) -> &'a [u8] {
        let b: &'a [u8] = self.buffer.as_ref();
        &b[HEADER_LEN..usize::from(self.header_len())]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> TcpPacket<T> {
    pub fn set_src_port(&mut self, v: u16) {
        be::put_u16(self.buffer.as_mut(), field::SRC_PORT, v);
    }

    pub fn set_dst_port(&mut self, v: u16) {
        be::put_u16(self.buffer.as_mut(), field::DST_PORT, v);
    }

    pub fn set_seq_number(&mut self, v: u32) {
        be::put_u32(self.buffer.as_mut(), field::SEQ_NUM, v);
    }

    pub fn set_ack_number(&mut self, v: u32) {
        be::put_u32(self.buffer.as_mut(), field::ACK_NUM, v);
    }

    /// Set the header length in bytes (a multiple of 4, ≤ 60); clears the
    /// reserved bits.
    pub fn set_header_len(&mut self, len: u8) {
        self.buffer.as_mut()[field::DATA_OFF] = ((len / 4) & 0x0f) << 4;
    }

    pub fn set_flags(&mut self, flags: TcpFlags) {
        self.buffer.as_mut()[field::FLAGS] = flags.0;
    }

    pub fn set_window_len(&mut self, v: u16) {
        be::put_u16(self.buffer.as_mut(), field::WIN_SIZE, v);
    }

    pub fn set_checksum(&mut self, v: u16) {
        be::put_u16(self.buffer.as_mut(), field::CHECKSUM, v);
    }

    pub fn set_urgent_pointer(&mut self, v: u16) {
        be::put_u16(self.buffer.as_mut(), field::URGENT, v);
    }

    /// RFC 9293 §3.1: "While computing the checksum, the checksum field itself
    /// is replaced with zeros." Covers the whole buffer as the segment.
    pub fn fill_checksum(&mut self, src: &Ipv4Address, dst: &Ipv4Address) {
        self.set_checksum(0);
        let data = self.buffer.as_ref();
        let sum = checksum::combine(&[
            checksum::pseudo_header(src, dst, IpProtocol::Tcp, data.len() as u32),
            checksum::data(data),
        ]);
        self.set_checksum(checksum::finish(sum));
    }

    pub fn options_mut(&mut self) -> &mut [u8] {
        let end = usize::from(self.header_len());
        &mut self.buffer.as_mut()[HEADER_LEN..end]
    }

    pub fn payload_mut(&mut self) -> &mut [u8] {
        let start = usize::from(self.header_len());
        &mut self.buffer.as_mut()[start..]
    }
}

/// A TCP segment's header meaning, its understood options, and a borrowed
/// payload. Sequence and acknowledgment numbers are raw `u32`: modular
/// comparison is the engine's business (`tcp::SeqNumber`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TcpRepr<'a> {
    pub src_port: u16,
    pub dst_port: u16,
    pub seq_number: u32,
    /// Meaningful only with [`TcpFlags::ACK`]; carried as is either way.
    pub ack_number: u32,
    /// All eight flag bits.
    pub flags: TcpFlags,
    /// The unscaled 16-bit window field.
    pub window_len: u16,
    pub urgent_pointer: u16,
    pub max_seg_size: Option<u16>,
    pub window_scale: Option<u8>,
    pub sack_permitted: bool,
    /// SACK blocks in order; `None`s only after the last `Some`.
    pub sack_ranges: [Option<(u32, u32)>; MAX_SACK_BLOCKS],
    pub timestamp: Option<TcpTimestamp>,
    pub payload: &'a [u8],
}

impl<'a> TcpRepr<'a> {
    /// Parse a checked segment carried from `src` to `dst`. Verifies the
    /// checksum if `caps.tcp.rx()`; rejects port 0 ([`Error::Malformed`]) and
    /// bad option lengths ([`Error::BadOption`]). A repeated option overrides
    /// the earlier one.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &TcpPacket<&'a T>,
        src: &Ipv4Address,
        dst: &Ipv4Address,
        caps: &ChecksumCapabilities,
    ) -> Result<TcpRepr<'a>> {
        packet.check_len()?;
        // Port 0 is reserved (IANA); no connection can use it.
        if packet.src_port() == 0 || packet.dst_port() == 0 {
            return Err(Error::Malformed);
        }
        if caps.tcp.rx() && !packet.verify_checksum(src, dst) {
            return Err(Error::BadChecksum);
        }
        let mut repr = TcpRepr {
            src_port: packet.src_port(),
            dst_port: packet.dst_port(),
            seq_number: packet.seq_number(),
            ack_number: packet.ack_number(),
            flags: packet.flags(),
            window_len: packet.window_len(),
            urgent_pointer: packet.urgent_pointer(),
            max_seg_size: None,
            window_scale: None,
            sack_permitted: false,
            sack_ranges: [None; MAX_SACK_BLOCKS],
            timestamp: None,
            payload: packet.payload_ref(),
        };
        let mut options = packet.options_ref();
        while !options.is_empty() {
            let (rest, option) = TcpOption::parse(options)?;
            match option {
                // RFC 9293 §3.2: End of Option List "is used at the end of all
                // options, not the end of each option"; what follows is padding.
                TcpOption::EndOfList => break,
                TcpOption::NoOperation | TcpOption::Unknown { .. } => {}
                TcpOption::MaxSegmentSize(mss) => repr.max_seg_size = Some(mss),
                TcpOption::WindowScale(shift) => repr.window_scale = Some(shift),
                TcpOption::SackPermitted => repr.sack_permitted = true,
                TcpOption::SackRange(blocks) => repr.sack_ranges = blocks,
                TcpOption::Timestamp(ts) => repr.timestamp = Some(ts),
            }
            options = rest;
        }
        Ok(repr)
    }

    /// Sequence space the segment occupies: payload, plus one each for SYN
    /// and FIN (RFC 9293 §3.4).
    pub fn segment_len(&self) -> usize {
        self.payload.len() + usize::from(self.flags.syn()) + usize::from(self.flags.fin())
    }

    /// Option bytes before the SACK option, in the Linux layout.
    fn fixed_options_len(&self) -> usize {
        let mut len = 0;
        if self.max_seg_size.is_some() {
            len += 4;
        }
        len += match (self.sack_permitted, self.timestamp.is_some()) {
            (true, true) => 12,  // SACK-permitted + timestamps
            (false, true) => 12, // NOP NOP timestamps
            (true, false) => 4,  // NOP NOP SACK-permitted
            (false, false) => 0,
        };
        if self.window_scale.is_some() {
            len += 4; // NOP window scale
        }
        len
    }

    /// SACK blocks that will be emitted: as many as fit after the other
    /// options (Linux `tcp_established_options` does the same).
    fn emitted_sack_blocks(&self) -> usize {
        let room = MAX_OPTIONS_LEN - self.fixed_options_len();
        let fit = room.saturating_sub(4) / 8; // NOP NOP kind len, then 8 per block
        self.sack_ranges.iter().flatten().count().min(fit)
    }

    /// Length of the options as emitted; a multiple of 4, at most 40.
    pub fn options_len(&self) -> usize {
        let sacks = self.emitted_sack_blocks();
        self.fixed_options_len() + if sacks > 0 { 4 + 8 * sacks } else { 0 }
    }

    /// Header length as emitted.
    pub fn header_len(&self) -> usize {
        HEADER_LEN + self.options_len()
    }

    /// Header plus payload.
    pub fn buffer_len(&self) -> usize {
        self.header_len() + self.payload.len()
    }

    /// Write header, options and payload into a buffer of exactly
    /// `buffer_len()` bytes (the checksum covers the whole buffer). The
    /// checksum is computed if `caps.tcp.tx()`, else left zero for the
    /// fabric (SPEC F4).
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut TcpPacket<T>,
        src: &Ipv4Address,
        dst: &Ipv4Address,
        caps: &ChecksumCapabilities,
    ) {
        packet.set_src_port(self.src_port);
        packet.set_dst_port(self.dst_port);
        packet.set_seq_number(self.seq_number);
        packet.set_ack_number(self.ack_number);
        packet.set_header_len(self.header_len() as u8);
        packet.set_flags(self.flags);
        packet.set_window_len(self.window_len);
        packet.set_checksum(0);
        packet.set_urgent_pointer(self.urgent_pointer);

        let mut out = packet.options_mut();
        if let Some(mss) = self.max_seg_size {
            out = TcpOption::MaxSegmentSize(mss).emit(out);
        }
        match (self.sack_permitted, self.timestamp) {
            (true, Some(ts)) => {
                out = TcpOption::SackPermitted.emit(out);
                out = TcpOption::Timestamp(ts).emit(out);
            }
            (false, Some(ts)) => {
                out = TcpOption::NoOperation.emit(out);
                out = TcpOption::NoOperation.emit(out);
                out = TcpOption::Timestamp(ts).emit(out);
            }
            (true, None) => {
                out = TcpOption::NoOperation.emit(out);
                out = TcpOption::NoOperation.emit(out);
                out = TcpOption::SackPermitted.emit(out);
            }
            (false, None) => {}
        }
        if let Some(shift) = self.window_scale {
            out = TcpOption::NoOperation.emit(out);
            out = TcpOption::WindowScale(shift).emit(out);
        }
        let sacks = self.emitted_sack_blocks();
        if sacks > 0 {
            let mut blocks = [None; MAX_SACK_BLOCKS];
            for (slot, block) in blocks
                .iter_mut()
                .zip(self.sack_ranges.iter().flatten())
                .take(sacks)
            {
                *slot = Some(*block);
            }
            out = TcpOption::NoOperation.emit(out);
            out = TcpOption::NoOperation.emit(out);
            out = TcpOption::SackRange(blocks).emit(out);
        }
        // Every layout above is a multiple of 4; nothing is left to pad.
        debug_assert!(out.is_empty());

        packet.payload_mut()[..self.payload.len()].copy_from_slice(self.payload);
        if caps.tcp.tx() {
            packet.fill_checksum(src, dst);
        }
    }
}

impl fmt::Display for TcpRepr<'_> {
    /// tcpdump style, without addresses: `40000 > 80: Flags [S], seq 7,
    /// win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,wscale 7], length 0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} > {}: Flags {:?}, seq {}",
            self.src_port, self.dst_port, self.flags, self.seq_number
        )?;
        if !self.payload.is_empty() {
            let end = self.seq_number.wrapping_add(self.payload.len() as u32);
            write!(f, ":{end}")?;
        }
        if self.flags.ack() {
            write!(f, ", ack {}", self.ack_number)?;
        }
        write!(f, ", win {}", self.window_len)?;
        let mut options = Vec::new();
        if let Some(mss) = self.max_seg_size {
            options.push(format!("mss {mss}"));
        }
        if self.sack_permitted {
            options.push("sackOK".to_string());
        }
        if let Some(ts) = self.timestamp {
            options.push(format!("TS val {} ecr {}", ts.tsval, ts.tsecr));
        }
        if let Some(shift) = self.window_scale {
            options.push(format!("wscale {shift}"));
        }
        let sacks: Vec<String> = self
            .sack_ranges
            .iter()
            .flatten()
            .map(|(l, r)| format!("{{{l}:{r}}}"))
            .collect();
        if !sacks.is_empty() {
            options.push(format!("sack {} {}", sacks.len(), sacks.join("")));
        }
        if !options.is_empty() {
            write!(f, ", options [{}]", options.join(","))?;
        }
        write!(f, ", length {}", self.payload.len())
    }
}

#[cfg(test)]
mod tests;
