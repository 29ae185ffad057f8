//! Descriptor and completion layouts in host memory (SPEC F6), little-endian.
//!
//! Each record is defined once, as a `#[repr(C)]` struct; [`tx_desc`],
//! [`rx_desc`], [`tx_cpl`] and [`rx_cpl`] give the bit position of each of
//! its fields in the record read as one little-endian integer, which is how
//! the fabric holds it. They are computed from the structs (`offset_of!`) and
//! checked at compile time to tile them exactly; the structs' `to_bytes` and
//! `from_bytes` use them, and the fabric checks every position it writes as
//! a literal against them, so a change here fails to compile there.
//!
//! Phase bit: completion rings start zeroed. On the first pass over a ring the
//! fabric writes completions with `PHASE` set, on the second pass clear, and
//! so on; the host knows an entry is new when its phase matches the pass it
//! expects, so it never reads a stale entry and needs no read of a register.

/// A TX descriptor: one frame, or with [`tx_flags::TSO`] one TCP send of up to
/// 64 KiB payload that the fabric cuts into `mss`-byte segments (SPEC F5).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TxDesc {
    /// Address of the frame: Ethernet, IPv4 and TCP/UDP headers, then payload.
    pub addr: u64,
    /// Bytes at `addr`, headers included.
    pub len: u32,
    /// With TSO: payload bytes per segment.
    pub mss: u16,
    /// With TSO: bytes of headers (Ethernet + IPv4 + TCP with options).
    pub hdr_len: u8,
    /// [`tx_flags`].
    pub flags: u8,
}

/// Bits of [`TxDesc::flags`].
pub mod tx_flags {
    /// Insert the IPv4 header checksum and the TCP/UDP checksum (SPEC F4).
    pub const CSUM: u8 = 1 << 0;
    /// Segment to `mss` (SPEC F5); implies [`CSUM`].
    pub const TSO: u8 = 1 << 1;
}

/// A TX completion: the descriptor at the same ring index is done.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TxCompletion {
    /// Frames sent for the descriptor (segments, with TSO).
    pub frames: u16,
    /// [`tx_status`].
    pub status: u8,
    /// [`PHASE`] and reserved bits.
    pub flags: u8,
    pub reserved: u32,
}

/// Values of [`TxCompletion::status`].
pub mod tx_status {
    pub const OK: u8 = 0;
    /// A DMA read returned an error; nothing was sent.
    pub const DMA_ERROR: u8 = 1;
    /// The descriptor was malformed (length, header length or MSS); nothing was sent.
    pub const BAD_DESCRIPTOR: u8 = 2;
}

/// An RX descriptor: a buffer posted by the host.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RxDesc {
    pub addr: u64,
    /// Capacity of the buffer; a longer frame is truncated and flagged.
    pub len: u32,
    pub reserved: u32,
}

/// An RX completion: the buffer at the same ring index holds a frame.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RxCompletion {
    /// Frame length without FCS.
    pub len: u16,
    /// [`rx_csum`]: what the fabric found (SPEC F3).
    pub csum: u8,
    /// [`PHASE`], [`rx_flags`].
    pub flags: u8,
    pub reserved: u32,
}

/// Bits of [`RxCompletion::csum`].
pub mod rx_csum {
    /// The frame is IPv4 with a well-formed header.
    pub const IPV4: u8 = 1 << 0;
    /// The IPv4 header checksum is right.
    pub const IP_OK: u8 = 1 << 1;
    /// The payload is TCP.
    pub const TCP: u8 = 1 << 2;
    /// The payload is UDP.
    pub const UDP: u8 = 1 << 3;
    /// The TCP/UDP checksum (with pseudo-header) is right (or UDP sent none).
    pub const L4_OK: u8 = 1 << 4;
}

/// Bits of [`RxCompletion::flags`] besides [`PHASE`].
pub mod rx_flags {
    /// The frame was longer than the buffer and is cut short.
    pub const TRUNCATED: u8 = 1 << 0;
}

/// The phase bit, in the `flags` byte of both completion kinds.
pub const PHASE: u8 = 1 << 7;

const _: () = assert!(size_of::<TxDesc>() == 16);
const _: () = assert!(size_of::<RxDesc>() == 16);
const _: () = assert!(size_of::<TxCompletion>() == 8);
const _: () = assert!(size_of::<RxCompletion>() == 8);

/// Where a field lies in a record read as one little-endian integer (byte 0
/// in bits 0..8): `offset` and `width` in bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// The field's lowest bit: 8 × its byte offset.
    pub offset: usize,
    /// 8 × its size in bytes.
    pub width: usize,
}

impl Field {
    const fn bytes(byte_offset: usize, size: usize) -> Self {
        Self {
            offset: 8 * byte_offset,
            width: 8 * size,
        }
    }

    /// True if the field starts at bit `offset` and is `width` bits wide: for
    /// `const` checks beside positions written as literals.
    pub const fn is(self, offset: usize, width: usize) -> bool {
        self.offset == offset && self.width == width
    }

    /// The field's byte range in the record.
    pub const fn byte_range(self) -> core::ops::Range<usize> {
        self.offset / 8..(self.offset + self.width) / 8
    }

    /// Writes the low `width` bits of `value` into `record`, little-endian.
    pub fn put(self, record: &mut [u8], value: u64) {
        let bytes = value.to_le_bytes();
        record[self.byte_range()].copy_from_slice(&bytes[..self.width / 8]);
    }

    /// Reads the field from `record`, little-endian.
    pub fn get(self, record: &[u8]) -> u64 {
        let mut bytes = [0u8; 8];
        bytes[..self.width / 8].copy_from_slice(&record[self.byte_range()]);
        u64::from_le_bytes(bytes)
    }
}

/// `Field` of `$record.$field`, whose type is `$ty`.
macro_rules! field {
    ($record:ty, $field:ident: $ty:ty) => {
        Field::bytes(core::mem::offset_of!($record, $field), size_of::<$ty>())
    };
}

/// True if `fields` are in order, each starting where the one before ends,
/// and together fill `bytes`: the positions describe the whole struct.
const fn tiles(fields: &[Field], bytes: usize) -> bool {
    let mut end = 0;
    let mut i = 0;
    while i < fields.len() {
        if fields[i].offset != end || fields[i].width == 0 || fields[i].width > 64 {
            return false;
        }
        end += fields[i].width;
        i += 1;
    }
    end == 8 * bytes
}

/// Bit positions of [`TxDesc`]'s fields (a 128-bit record).
pub mod tx_desc {
    use super::{Field, TxDesc};

    pub const ADDR: Field = field!(TxDesc, addr: u64);
    pub const LEN: Field = field!(TxDesc, len: u32);
    pub const MSS: Field = field!(TxDesc, mss: u16);
    pub const HDR_LEN: Field = field!(TxDesc, hdr_len: u8);
    pub const FLAGS: Field = field!(TxDesc, flags: u8);
    /// The record's size in bytes.
    pub const BYTES: usize = size_of::<TxDesc>();
    const _: () = assert!(super::tiles(&[ADDR, LEN, MSS, HDR_LEN, FLAGS], BYTES));
}

/// Bit positions of [`RxDesc`]'s fields (a 128-bit record).
pub mod rx_desc {
    use super::{Field, RxDesc};

    pub const ADDR: Field = field!(RxDesc, addr: u64);
    pub const LEN: Field = field!(RxDesc, len: u32);
    pub const RESERVED: Field = field!(RxDesc, reserved: u32);
    /// The record's size in bytes.
    pub const BYTES: usize = size_of::<RxDesc>();
    const _: () = assert!(super::tiles(&[ADDR, LEN, RESERVED], BYTES));
}

/// Bit positions of [`TxCompletion`]'s fields (a 64-bit record).
pub mod tx_cpl {
    use super::{Field, TxCompletion};

    pub const FRAMES: Field = field!(TxCompletion, frames: u16);
    pub const STATUS: Field = field!(TxCompletion, status: u8);
    pub const FLAGS: Field = field!(TxCompletion, flags: u8);
    pub const RESERVED: Field = field!(TxCompletion, reserved: u32);
    /// The record's size in bytes.
    pub const BYTES: usize = size_of::<TxCompletion>();
    const _: () = assert!(super::tiles(&[FRAMES, STATUS, FLAGS, RESERVED], BYTES));
}

/// Bit positions of [`RxCompletion`]'s fields (a 64-bit record).
pub mod rx_cpl {
    use super::{Field, RxCompletion};

    pub const LEN: Field = field!(RxCompletion, len: u16);
    pub const CSUM: Field = field!(RxCompletion, csum: u8);
    pub const FLAGS: Field = field!(RxCompletion, flags: u8);
    pub const RESERVED: Field = field!(RxCompletion, reserved: u32);
    /// The record's size in bytes.
    pub const BYTES: usize = size_of::<RxCompletion>();
    const _: () = assert!(super::tiles(&[LEN, CSUM, FLAGS, RESERVED], BYTES));
}

impl TxDesc {
    /// The 16 bytes the fabric reads.
    pub fn to_bytes(&self) -> [u8; 16] {
        let mut b = [0u8; 16];
        tx_desc::ADDR.put(&mut b, self.addr);
        tx_desc::LEN.put(&mut b, self.len.into());
        tx_desc::MSS.put(&mut b, self.mss.into());
        tx_desc::HDR_LEN.put(&mut b, self.hdr_len.into());
        tx_desc::FLAGS.put(&mut b, self.flags.into());
        b
    }
}

impl RxDesc {
    /// The 16 bytes the fabric reads.
    pub fn to_bytes(&self) -> [u8; 16] {
        let mut b = [0u8; 16];
        rx_desc::ADDR.put(&mut b, self.addr);
        rx_desc::LEN.put(&mut b, self.len.into());
        rx_desc::RESERVED.put(&mut b, self.reserved.into());
        b
    }
}

// The fields' widths are their types' (`tiles` checked), so `as` only drops zeros.
impl TxCompletion {
    pub fn from_bytes(b: [u8; 8]) -> Self {
        Self {
            frames: tx_cpl::FRAMES.get(&b) as u16,
            status: tx_cpl::STATUS.get(&b) as u8,
            flags: tx_cpl::FLAGS.get(&b) as u8,
            reserved: tx_cpl::RESERVED.get(&b) as u32,
        }
    }
}

impl RxCompletion {
    pub fn from_bytes(b: [u8; 8]) -> Self {
        Self {
            len: rx_cpl::LEN.get(&b) as u16,
            csum: rx_cpl::CSUM.get(&b) as u8,
            flags: rx_cpl::FLAGS.get(&b) as u8,
            reserved: rx_cpl::RESERVED.get(&b) as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_through_the_field_positions() {
        let d = TxDesc {
            addr: 0x1122_3344_5566_7788,
            len: 0x99AA_BBCC,
            mss: 0xDDEE,
            hdr_len: 0x36,
            flags: tx_flags::TSO,
        };
        let b = d.to_bytes();
        assert_eq!(&b[..8], &0x1122_3344_5566_7788u64.to_le_bytes());
        assert_eq!(&b[8..12], &0x99AA_BBCCu32.to_le_bytes());
        assert_eq!(
            (b[12], b[13], b[14], b[15]),
            (0xEE, 0xDD, 0x36, tx_flags::TSO)
        );
        let r = RxDesc {
            addr: 7,
            len: 2048,
            reserved: 0,
        };
        assert_eq!(
            u128::from_le_bytes(r.to_bytes()),
            7 | (2048 << rx_desc::LEN.offset)
        );
        let c = TxCompletion::from_bytes([3, 0, tx_status::BAD_DESCRIPTOR, PHASE, 0, 0, 0, 0]);
        assert_eq!(
            (c.frames, c.status, c.flags),
            (3, tx_status::BAD_DESCRIPTOR, PHASE)
        );
        let c = RxCompletion::from_bytes([0xEA, 0x05, rx_csum::IPV4, PHASE | 1, 0, 0, 0, 0]);
        assert_eq!(
            (c.len, c.csum, c.flags),
            (1514, rx_csum::IPV4, PHASE | rx_flags::TRUNCATED)
        );
    }
}
