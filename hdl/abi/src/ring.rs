//! Descriptor and completion layouts in host memory (SPEC F6), little-endian.
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

impl TxDesc {
    /// The 16 bytes the fabric reads.
    pub fn to_bytes(&self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[0..8].copy_from_slice(&self.addr.to_le_bytes());
        b[8..12].copy_from_slice(&self.len.to_le_bytes());
        b[12..14].copy_from_slice(&self.mss.to_le_bytes());
        b[14] = self.hdr_len;
        b[15] = self.flags;
        b
    }
}

impl RxDesc {
    /// The 16 bytes the fabric reads.
    pub fn to_bytes(&self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[0..8].copy_from_slice(&self.addr.to_le_bytes());
        b[8..12].copy_from_slice(&self.len.to_le_bytes());
        b[12..16].copy_from_slice(&self.reserved.to_le_bytes());
        b
    }
}

impl TxCompletion {
    pub fn from_bytes(b: [u8; 8]) -> Self {
        Self {
            frames: u16::from_le_bytes([b[0], b[1]]),
            status: b[2],
            flags: b[3],
            reserved: u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
        }
    }
}

impl RxCompletion {
    pub fn from_bytes(b: [u8; 8]) -> Self {
        Self {
            len: u16::from_le_bytes([b[0], b[1]]),
            csum: b[2],
            flags: b[3],
            reserved: u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
        }
    }
}
