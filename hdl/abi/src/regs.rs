//! The register window (AXI4-Lite, 32-bit registers, byte offsets).
//!
//! RW registers read back what was written, in their stated width (bits above
//! it read 0). RO registers are status. No read
//! has a side effect; every write is idempotent: the host writes producer and
//! head *indices*, never "write 1 to do something".

/// 0x000 RO — [`crate::DEVICE_ID`].
pub const ID: u32 = 0x000;
/// 0x004 RO — [`crate::VERSION`].
pub const VERSION: u32 = 0x004;
/// 0x008 RW (3 bits) — [`control`] bits.
pub const CONTROL: u32 = 0x008;
/// 0x00C RO — [`status`] bits.
pub const STATUS: u32 = 0x00C;

/// 0x010 RW — TX descriptor ring base address, low 32 bits (16-byte aligned).
pub const TX_RING_BASE_LO: u32 = 0x010;
/// 0x014 RO 0 — TX descriptor ring base, high 32 bits: this fabric's DMA bus is 32-bit.
pub const TX_RING_BASE_HI: u32 = 0x014;
/// 0x018 RW (4 bits) — log2 of the TX ring size (1..=32768 entries); the TX completion ring has the same size.
pub const TX_RING_LOG2: u32 = 0x018;
/// 0x01C RW — TX producer index (doorbell): descriptors `consumer..producer` are the fabric's.
pub const TX_PRODUCER: u32 = 0x01C;
/// 0x020 RO — TX consumer index: descriptors completed (a completion written for each).
pub const TX_CONSUMER: u32 = 0x020;
/// 0x024 RW — TX completion ring base, low 32 bits (8-byte aligned).
pub const TX_CPL_BASE_LO: u32 = 0x024;
/// 0x028 RO 0 — TX completion ring base, high 32 bits (32-bit DMA bus).
pub const TX_CPL_BASE_HI: u32 = 0x028;
/// 0x02C RW — TX completion head: completions the host has processed (interrupt accounting).
pub const TX_CPL_HEAD: u32 = 0x02C;

/// 0x030 RW — RX descriptor ring base address, low 32 bits (16-byte aligned).
pub const RX_RING_BASE_LO: u32 = 0x030;
/// 0x034 RO 0 — RX descriptor ring base, high 32 bits (32-bit DMA bus).
pub const RX_RING_BASE_HI: u32 = 0x034;
/// 0x038 RW (4 bits) — log2 of the RX ring size; the RX completion ring has the same size.
pub const RX_RING_LOG2: u32 = 0x038;
/// 0x03C RW — RX producer index (doorbell): buffers posted by the host.
pub const RX_PRODUCER: u32 = 0x03C;
/// 0x040 RO — RX consumer index: buffers filled (a completion written for each).
pub const RX_CONSUMER: u32 = 0x040;
/// 0x044 RW — RX completion ring base, low 32 bits.
pub const RX_CPL_BASE_LO: u32 = 0x044;
/// 0x048 RO 0 — RX completion ring base, high 32 bits (32-bit DMA bus).
pub const RX_CPL_BASE_HI: u32 = 0x048;
/// 0x04C RW — RX completion head: completions the host has processed.
pub const RX_CPL_HEAD: u32 = 0x04C;

/// 0x050 RW (16 bits) — interrupt coalescing: raise the interrupt once this many
/// completions are pending (0 or 1: at once).
pub const IRQ_COALESCE_COUNT: u32 = 0x050;
/// 0x054 RW (16 bits) — interrupt coalescing: or once the oldest pending completion has
/// waited this many microseconds (0: no timer).
pub const IRQ_COALESCE_USECS: u32 = 0x054;
/// 0x058 RO — 1 while the interrupt line is asserted.
pub const IRQ_STATUS: u32 = 0x058;

/// 0x100.. RO — statistics counters (SPEC F8), 32-bit, wrapping; see [`stat`].
pub const STATS_BASE: u32 = 0x100;

/// Size of the register window in bytes (one 4 KiB page).
pub const WINDOW_SIZE: u32 = 0x1000;

/// Every register the host writes (RW), in the order a mirror of the page
/// must apply them: [`CONTROL`] last, so a ring is fully described before
/// its engine is enabled.
pub const WRITABLE: [u32; 13] = [
    TX_RING_BASE_LO,
    TX_RING_LOG2,
    TX_CPL_BASE_LO,
    RX_RING_BASE_LO,
    RX_RING_LOG2,
    RX_CPL_BASE_LO,
    IRQ_COALESCE_COUNT,
    IRQ_COALESCE_USECS,
    TX_PRODUCER,
    TX_CPL_HEAD,
    RX_PRODUCER,
    RX_CPL_HEAD,
    CONTROL,
];

/// Read-only registers below [`STATS_BASE`] (the statistics follow it).
pub const READ_ONLY: [u32; 10] = [
    ID,
    VERSION,
    STATUS,
    TX_RING_BASE_HI,
    TX_CONSUMER,
    TX_CPL_BASE_HI,
    RX_RING_BASE_HI,
    RX_CONSUMER,
    RX_CPL_BASE_HI,
    IRQ_STATUS,
];

/// Bits of [`CONTROL`].
pub mod control {
    /// Fetch and send TX descriptors.
    pub const TX_ENABLE: u32 = 1 << 0;
    /// Accept frames into posted RX buffers (frames with no buffer are dropped and counted).
    pub const RX_ENABLE: u32 = 1 << 1;
    /// Drive the interrupt line (otherwise the host polls).
    pub const IRQ_ENABLE: u32 = 1 << 2;
}

/// Bits of [`STATUS`].
pub mod status {
    /// The TX engine is working on a descriptor.
    pub const TX_BUSY: u32 = 1 << 0;
    /// The RX engine is writing a frame.
    pub const RX_BUSY: u32 = 1 << 1;
    /// A DMA access returned an error response (sticky until reset).
    pub const DMA_ERROR: u32 = 1 << 2;
}

/// Statistics counters: `STATS_BASE + 4 * index`.
pub mod stat {
    pub const TX_FRAMES: u32 = 0;
    pub const TX_BYTES: u32 = 1;
    pub const TX_DROP_OVERSIZE: u32 = 2;
    pub const RX_FRAMES: u32 = 3;
    pub const RX_BYTES: u32 = 4;
    pub const RX_DROP_FCS: u32 = 5;
    pub const RX_DROP_RUNT: u32 = 6;
    pub const RX_DROP_OVERSIZE: u32 = 7;
    pub const RX_DROP_RX_ER: u32 = 8;
    pub const RX_DROP_OVERFLOW: u32 = 9;
    pub const RX_DROP_NO_BUFFER: u32 = 10;
    pub const RX_IP_CSUM_BAD: u32 = 11;
    pub const RX_L4_CSUM_BAD: u32 = 12;
    pub const TX_TSO_SEGMENTS: u32 = 13;
    /// How many counters there are.
    pub const COUNT: u32 = 14;
    /// Names, in index order, as tools print them.
    pub const NAMES: [&str; COUNT as usize] = [
        "tx_frames",
        "tx_bytes",
        "tx_drop_oversize",
        "rx_frames",
        "rx_bytes",
        "rx_drop_fcs",
        "rx_drop_runt",
        "rx_drop_oversize",
        "rx_drop_rx_er",
        "rx_drop_overflow",
        "rx_drop_no_buffer",
        "rx_ip_csum_bad",
        "rx_l4_csum_bad",
        "tx_tso_segments",
    ];
}

/// True if `indices` are `first`, `first + 1`, …: for `const` checks where
/// the fabric packs statistics events into a word by literal bit positions.
pub const fn consecutive(indices: &[u32], first: u32) -> bool {
    let mut i = 0;
    while i < indices.len() {
        if indices[i] != first + i as u32 {
            return false;
        }
        i += 1;
    }
    true
}

/// Byte offset of statistics counter `index`.
pub const fn stat_offset(index: u32) -> u32 {
    STATS_BASE + 4 * index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writable_and_read_only_cover_every_register_once() {
        let mut all = [0u32; WRITABLE.len() + READ_ONLY.len()];
        for (slot, reg) in all.iter_mut().zip(WRITABLE.iter().chain(READ_ONLY.iter())) {
            *slot = *reg;
        }
        all.sort_unstable();
        for (i, reg) in all.iter().enumerate() {
            assert_eq!(*reg, 4 * i as u32);
        }
        assert_eq!(all.last(), Some(&IRQ_STATUS));
        assert_eq!(WRITABLE.last(), Some(&CONTROL), "CONTROL is applied last");
        assert!(stat_offset(stat::COUNT) <= WINDOW_SIZE);
    }
}
