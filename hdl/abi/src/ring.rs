//! Descriptor and completion layouts in host memory (SPEC F6), little-endian.
//!
//! Each record is declared once, with [`crate::record!`]: the `#[repr(C)]`
//! struct the host uses, and [`tx_desc`], [`rx_desc`], [`tx_cpl`] and
//! [`rx_cpl`], the bit position of each field in the record read as one
//! little-endian integer, which is how the fabric holds it. The fabric checks
//! every position it writes as a literal against these at compile time, so a
//! change here fails to compile there.
//!
//! Phase bit: completion rings start zeroed. On the first pass over a ring the
//! fabric writes completions with `PHASE` set, on the second pass clear, and
//! so on; the host knows an entry is new when its phase matches the pass it
//! expects, so it never reads a stale entry and needs no read of a register.

use crate::record;

record! {
    /// A TX descriptor: one frame, or with [`tx_flags::TSO`] one TCP send of up to
    /// 64 KiB payload that the fabric cuts into `mss`-byte segments (SPEC F5).
    pub struct TxDesc in tx_desc {
        /// Address of the frame: Ethernet, IPv4 and TCP/UDP headers, then payload.
        pub addr: u64 => ADDR,
        /// Bytes at `addr`, headers included.
        pub len: u32 => LEN,
        /// With TSO: payload bytes per segment.
        pub mss: u16 => MSS,
        /// With TSO: bytes of headers (Ethernet + IPv4 + TCP with options).
        pub hdr_len: u8 => HDR_LEN,
        /// [`tx_flags`].
        pub flags: u8 => FLAGS,
    }
}

/// Bits of [`TxDesc::flags`].
pub mod tx_flags {
    /// Insert the IPv4 header checksum and the TCP/UDP checksum (SPEC F4).
    pub const CSUM: u8 = 1 << 0;
    /// Segment to `mss` (SPEC F5); implies [`CSUM`].
    pub const TSO: u8 = 1 << 1;
}

record! {
    /// A TX completion: the descriptor at the same ring index is done.
    pub struct TxCompletion in tx_cpl {
        /// Frames sent for the descriptor (segments, with TSO).
        pub frames: u16 => FRAMES,
        /// [`tx_status`].
        pub status: u8 => STATUS,
        /// [`PHASE`] and reserved bits.
        pub flags: u8 => FLAGS,
        pub reserved: u32 => RESERVED,
    }
}

/// Values of [`TxCompletion::status`].
pub mod tx_status {
    pub const OK: u8 = 0;
    /// A DMA read returned an error; nothing was sent.
    pub const DMA_ERROR: u8 = 1;
    /// The descriptor was malformed (length, header length or MSS); nothing was sent.
    pub const BAD_DESCRIPTOR: u8 = 2;
}

record! {
    /// An RX descriptor: a buffer posted by the host.
    pub struct RxDesc in rx_desc {
        pub addr: u64 => ADDR,
        /// Capacity of the buffer; a longer frame is truncated and flagged.
        pub len: u32 => LEN,
        pub reserved: u32 => RESERVED,
    }
}

record! {
    /// An RX completion: the buffer at the same ring index holds a frame.
    pub struct RxCompletion in rx_cpl {
        /// Frame length without FCS.
        pub len: u16 => LEN,
        /// [`rx_csum`]: what the fabric found (SPEC F3).
        pub csum: u8 => CSUM,
        /// [`PHASE`], [`rx_flags`].
        pub flags: u8 => FLAGS,
        pub reserved: u32 => RESERVED,
    }
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

const _: () = assert!(tx_desc::BYTES == 16 && rx_desc::BYTES == 16);
const _: () = assert!(tx_cpl::BYTES == 8 && rx_cpl::BYTES == 8);

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
