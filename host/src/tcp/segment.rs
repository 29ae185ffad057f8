//! The engine's own TCP segment, independent of wire bytes.
//!
//! The stack converts between `wire::TcpRepr` and [`Segment`]; the engine never
//! sees raw bytes. A `Segment` is always *checked* in the sense that its fields
//! are plain values: any value is accepted by the engine without panicking
//! (hostile sequence numbers, windows, option values are handled with wrapping
//! or checked arithmetic).
//!
//! Invariants:
//! - [`SeqNumber`] compares modulo 2^32 (RFC 9293 §3.4): `a < b` iff
//!   `(b - a) as i32 > 0`. The relation is not transitive across more than
//!   2^31 of distance, which no window reaches.
//! - `Segment::window` is the *unscaled* 16-bit header field; scaling is the
//!   connection's business (RFC 7323 §2.3: never scaled on SYN segments).
//! - Options are stored as a set; [`TcpOptions::linux_layout`] gives the order
//!   and NOP padding Linux emits, which the wire layer must reproduce.

use core::cmp::Ordering;
use core::fmt;
use core::ops::{Add, AddAssign, Sub};
use std::net::{Ipv4Addr, SocketAddrV4};

use arrayvec::ArrayVec;

/// A TCP sequence number: a `u32` with modulo-2^32 arithmetic and ordering.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SeqNumber(pub u32);

impl SeqNumber {
    /// Signed distance `self - other`, in (-2^31, 2^31].
    pub fn diff(self, other: SeqNumber) -> i32 {
        self.0.wrapping_sub(other.0) as i32
    }

    /// Bytes from `earlier` up to `self`, or 0 if `self` is not after `earlier`.
    pub fn distance_from(self, earlier: SeqNumber) -> usize {
        let d = self.diff(earlier);
        if d > 0 { d as usize } else { 0 }
    }

    /// `low <= self < high`, modulo 2^32 (RFC 9293 §3.4).
    pub fn in_range(self, low: SeqNumber, high: SeqNumber) -> bool {
        self.0.wrapping_sub(low.0) < high.0.wrapping_sub(low.0)
    }

    /// The later of two sequence numbers.
    pub fn max(self, other: SeqNumber) -> SeqNumber {
        if self >= other { self } else { other }
    }

    /// The earlier of two sequence numbers.
    pub fn min(self, other: SeqNumber) -> SeqNumber {
        if self <= other { self } else { other }
    }
}

impl PartialOrd for SeqNumber {
    fn partial_cmp(&self, other: &SeqNumber) -> Option<Ordering> {
        Some(self.diff(*other).cmp(&0))
    }
}

impl Add<usize> for SeqNumber {
    type Output = SeqNumber;
    fn add(self, rhs: usize) -> SeqNumber {
        // Truncation is the point: sequence space is modulo 2^32.
        SeqNumber(self.0.wrapping_add(rhs as u32))
    }
}

impl AddAssign<usize> for SeqNumber {
    fn add_assign(&mut self, rhs: usize) {
        *self = *self + rhs;
    }
}

impl Sub<usize> for SeqNumber {
    type Output = SeqNumber;
    fn sub(self, rhs: usize) -> SeqNumber {
        SeqNumber(self.0.wrapping_sub(rhs as u32))
    }
}

impl fmt::Debug for SeqNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for SeqNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// TCP header flags: the wire layer's type (one definition of the bits).
pub use crate::wire::TcpFlags as Flags;

/// One SACK block (RFC 2018): `[left, right)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SackBlock {
    pub left: SeqNumber,
    pub right: SeqNumber,
}

/// The timestamps option (RFC 7323 §3): the wire layer's type.
pub use crate::wire::TcpTimestamp as Timestamps;

/// SACK blocks of one segment: at most 4 fit in the options (3 alongside
/// timestamps), so they live inline.
pub type SackBlocks = ArrayVec<SackBlock, { crate::wire::tcp::MAX_SACK_BLOCKS }>;

/// A segment's payload: a shared, immutable byte buffer. A received
/// segment's payload is a view of the frame it came in (no copy).
pub use crate::buffer::payload::Payload;

/// The TCP options the engine understands. Unknown options are dropped by the
/// wire layer and never reach the engine.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TcpOptions {
    /// Maximum segment size (SYN and SYN-ACK only).
    pub mss: Option<u16>,
    /// Window scale shift as received; the engine clamps it to 14 (RFC 7323 §2.3).
    pub window_scale: Option<u8>,
    /// SACK-permitted (SYN and SYN-ACK only).
    pub sack_permitted: bool,
    /// SACK blocks (at most 4 fit; 3 alongside timestamps).
    pub sack_blocks: SackBlocks,
    /// Timestamps.
    pub timestamps: Option<Timestamps>,
}

/// One option as laid out on the wire, including the NOP padding Linux uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptionItem {
    Nop,
    Mss(u16),
    SackPermitted,
    Timestamps(Timestamps),
    WindowScale(u8),
    Sack(SackBlocks),
}

impl TcpOptions {
    /// The options in the order and with the NOP padding Linux emits them
    /// (`tcp_options_write`): MSS; then SACK-permitted + timestamps packed
    /// together, or NOP NOP + timestamps, or NOP NOP + SACK-permitted; then
    /// NOP + window scale; then NOP NOP + SACK blocks.
    pub fn linux_layout(&self) -> Vec<OptionItem> {
        let mut out = Vec::new();
        if let Some(mss) = self.mss {
            out.push(OptionItem::Mss(mss));
        }
        match (self.sack_permitted, self.timestamps) {
            (true, Some(ts)) => {
                out.push(OptionItem::SackPermitted);
                out.push(OptionItem::Timestamps(ts));
            }
            (false, Some(ts)) => {
                out.extend([OptionItem::Nop, OptionItem::Nop]);
                out.push(OptionItem::Timestamps(ts));
            }
            (true, None) => {
                out.extend([OptionItem::Nop, OptionItem::Nop]);
                out.push(OptionItem::SackPermitted);
            }
            (false, None) => {}
        }
        if let Some(ws) = self.window_scale {
            out.push(OptionItem::Nop);
            out.push(OptionItem::WindowScale(ws));
        }
        if !self.sack_blocks.is_empty() {
            out.extend([OptionItem::Nop, OptionItem::Nop]);
            out.push(OptionItem::Sack(self.sack_blocks.clone()));
        }
        out
    }

    /// Length in bytes of [`Self::linux_layout`] on the wire (a multiple of 4).
    pub fn wire_len(&self) -> usize {
        self.linux_layout()
            .iter()
            .map(|o| match o {
                OptionItem::Nop => 1,
                OptionItem::Mss(_) => 4,
                OptionItem::SackPermitted => 2,
                OptionItem::Timestamps(_) => 10,
                OptionItem::WindowScale(_) => 3,
                OptionItem::Sack(b) => 2 + 8 * b.len(),
            })
            .sum()
    }
}

/// A connection's identity (SPEC C1): local and remote IPv4 socket addresses.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct FourTuple {
    pub local: SocketAddrV4,
    pub remote: SocketAddrV4,
}

impl core::hash::Hash for FourTuple {
    /// The 12 bytes as two words: one hasher call instead of a dozen
    /// (every received segment hashes its tuple). Equal tuples write equal
    /// words, so this agrees with `Eq`.
    fn hash<H: core::hash::Hasher>(&self, h: &mut H) {
        let ips =
            u64::from(self.local.ip().to_bits()) << 32 | u64::from(self.remote.ip().to_bits());
        let ports = u32::from(self.local.port()) << 16 | u32::from(self.remote.port());
        h.write_u64(ips);
        h.write_u32(ports);
    }
}

impl FourTuple {
    pub fn new(local: SocketAddrV4, remote: SocketAddrV4) -> Self {
        FourTuple { local, remote }
    }
}

impl fmt::Debug for FourTuple {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}<->{}", self.local, self.remote)
    }
}

/// A TCP segment as the engine sees it.
#[derive(Clone, PartialEq, Eq)]
pub struct Segment {
    pub src: SocketAddrV4,
    pub dst: SocketAddrV4,
    pub seq: SeqNumber,
    /// Meaningful only when `flags` has ACK; otherwise sent as 0.
    pub ack: SeqNumber,
    pub flags: Flags,
    /// The unscaled 16-bit window field.
    pub window: u16,
    pub options: TcpOptions,
    pub payload: Payload,
}

impl Segment {
    /// A bare segment from `src` to `dst` with the given numbers and flags.
    pub fn new(
        src: SocketAddrV4,
        dst: SocketAddrV4,
        seq: SeqNumber,
        ack: SeqNumber,
        flags: Flags,
    ) -> Self {
        Segment {
            src,
            dst,
            seq,
            ack,
            flags,
            window: 0,
            options: TcpOptions::default(),
            payload: Payload::new(),
        }
    }

    /// The 4-tuple as seen by the receiver of this segment.
    pub fn receiver_tuple(&self) -> FourTuple {
        FourTuple::new(self.dst, self.src)
    }

    /// Sequence space occupied: payload plus one each for SYN and FIN (RFC 9293 §3.4).
    pub fn seq_len(&self) -> usize {
        self.payload.len() + usize::from(self.flags.syn()) + usize::from(self.flags.fin())
    }

    /// Sequence number just past this segment.
    pub fn seq_end(&self) -> SeqNumber {
        self.seq + self.seq_len()
    }
}

impl fmt::Debug for Segment {
    /// tcpdump-like one-liner.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} > {}: Flags {:?}, seq {}",
            self.src, self.dst, self.flags, self.seq
        )?;
        if !self.payload.is_empty() {
            write!(f, ":{}", self.seq + self.payload.len())?;
        }
        if self.flags.ack() {
            write!(f, ", ack {}", self.ack)?;
        }
        write!(f, ", win {}", self.window)?;
        let o = &self.options;
        if o != &TcpOptions::default() {
            write!(f, ", options {:?}", o.linux_layout())?;
        }
        write!(f, ", length {}", self.payload.len())
    }
}

/// Shorthand used by tests and the stack: `addr(10,0,0,1, 80)`.
pub fn addr(a: u8, b: u8, c: u8, d: u8, port: u16) -> SocketAddrV4 {
    SocketAddrV4::new(Ipv4Addr::new(a, b, c, d), port)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seq_number_compares_across_wrap() {
        let a = SeqNumber(u32::MAX - 10);
        let b = a + 20;
        assert_eq!(b.0, 9);
        assert!(a < b);
        assert!(b > a);
        assert_eq!(b.diff(a), 20);
        assert_eq!(b.distance_from(a), 20);
        assert_eq!(a.distance_from(b), 0);
        assert!(SeqNumber(5).in_range(a, b));
        assert!(!b.in_range(a, b));
        assert!(a.in_range(a, b));
        assert_eq!(a.max(b), b);
        assert_eq!(a.min(b), a);
    }

    #[test]
    fn linux_syn_option_order_is_mss_sackperm_ts_nop_wscale() {
        let o = TcpOptions {
            mss: Some(1460),
            window_scale: Some(7),
            sack_permitted: true,
            sack_blocks: SackBlocks::new(),
            timestamps: Some(Timestamps { tsval: 1, tsecr: 0 }),
        };
        assert_eq!(
            o.linux_layout(),
            vec![
                OptionItem::Mss(1460),
                OptionItem::SackPermitted,
                OptionItem::Timestamps(Timestamps { tsval: 1, tsecr: 0 }),
                OptionItem::Nop,
                OptionItem::WindowScale(7),
            ]
        );
        assert_eq!(o.wire_len(), 20);
    }

    #[test]
    fn seq_len_counts_syn_and_fin() {
        let mut s = Segment::new(
            addr(1, 1, 1, 1, 1),
            addr(2, 2, 2, 2, 2),
            SeqNumber(100),
            SeqNumber(0),
            Flags::SYN | Flags::FIN,
        );
        s.payload = vec![0; 10].into();
        assert_eq!(s.seq_len(), 12);
        assert_eq!(s.seq_end(), SeqNumber(112));
        assert_eq!(format!("{:?}", Flags::SYN | Flags::ACK), "[S.]");
    }
}
