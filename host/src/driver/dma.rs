//! Host memory the fabric reaches by DMA (SPEC D1): a mapping plus the bus
//! address at which the fabric sees its first byte, and the driver's layout
//! of rings and buffers in it.
//!
//! The fabric writes completions and RX buffers behind the compiler's back,
//! so every read of a completion is volatile and followed by an acquire fence
//! before the buffer it describes is read; descriptors are written before a
//! release fence that precedes the doorbell.
use core::sync::atomic::{Ordering, fence};

use memmap2::MmapMut;

/// A DMA-visible memory region.
pub struct DmaRegion {
    map: MmapMut,
    bus_base: u32,
}

/// Why a region cannot hold the driver's layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DmaError {
    #[error("DMA region is {len} bytes, the ring layout needs {need}")]
    TooSmall { len: usize, need: usize },
    #[error("DMA region at bus address {base:#x} of {len} bytes does not fit the 32-bit DMA bus")]
    BeyondBus { base: u32, len: usize },
    #[error("DMA region bus address {0:#x} is not 64-byte aligned")]
    Misaligned(u32),
}

impl DmaRegion {
    /// `map` is seen by the fabric at bus address `bus_base`.
    pub fn new(map: MmapMut, bus_base: u32) -> Result<Self, DmaError> {
        if bus_base % 64 != 0 {
            return Err(DmaError::Misaligned(bus_base));
        }
        if u64::from(bus_base) + map.len() as u64 > 1 << 32 {
            return Err(DmaError::BeyondBus {
                base: bus_base,
                len: map.len(),
            });
        }
        Ok(Self { map, bus_base })
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The bus address of byte `offset` (the caller keeps offsets in range).
    pub fn bus_addr(&self, offset: usize) -> u32 {
        self.bus_base + offset as u32
    }

    /// Copies `bytes` in at `offset`.
    pub fn write(&mut self, offset: usize, bytes: &[u8]) {
        self.map[offset..offset + bytes.len()].copy_from_slice(bytes);
    }

    /// Zeroes `len` bytes at `offset`.
    pub fn zero(&mut self, offset: usize, len: usize) {
        self.map[offset..offset + len].fill(0);
    }

    /// Bytes at `offset`, after a completion for them was seen.
    pub fn bytes(&self, offset: usize, len: usize) -> &[u8] {
        &self.map[offset..offset + len]
    }

    /// The 8 bytes of a completion at `offset` (8-byte aligned), read
    /// volatile, then an acquire fence: what it describes is visible after.
    pub fn read_completion(&self, offset: usize) -> [u8; 8] {
        assert!(offset % 8 == 0 && offset + 8 <= self.map.len());
        // SAFETY: in bounds and aligned (asserted); any bit pattern is a valid u64.
        let word = unsafe { core::ptr::read_volatile(self.map.as_ptr().add(offset) as *const u64) };
        fence(Ordering::Acquire);
        word.to_le_bytes()
    }

    /// Orders every write so far before the next register write (a doorbell).
    pub fn publish(&self) {
        fence(Ordering::Release);
    }
}

/// Where the rings and buffers sit in the region (byte offsets), all 64-byte
/// aligned: TX descriptors, TX completions, RX descriptors, RX completions,
/// then one buffer per ring slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DmaLayout {
    pub tx_ring: usize,
    pub tx_cpl: usize,
    pub rx_ring: usize,
    pub rx_cpl: usize,
    pub rx_buffers: usize,
    pub tx_buffers: usize,
    pub rx_buffer_size: usize,
    pub tx_buffer_size: usize,
    /// Bytes the layout needs.
    pub size: usize,
}

const fn align64(x: usize) -> usize {
    (x + 63) & !63
}

impl DmaLayout {
    /// The layout for rings of `1 << tx_log2` and `1 << rx_log2` slots.
    pub fn new(tx_log2: u32, rx_log2: u32, tx_buffer_size: usize, rx_buffer_size: usize) -> Self {
        let (tx, rx) = (1usize << tx_log2, 1usize << rx_log2);
        let tx_buffer_size = align64(tx_buffer_size);
        let rx_buffer_size = align64(rx_buffer_size);
        let tx_ring = 0;
        let tx_cpl = align64(tx_ring + 16 * tx);
        let rx_ring = align64(tx_cpl + 8 * tx);
        let rx_cpl = align64(rx_ring + 16 * rx);
        let rx_buffers = align64(rx_cpl + 8 * rx);
        let tx_buffers = rx_buffers + rx * rx_buffer_size;
        let size = tx_buffers + tx * tx_buffer_size;
        Self {
            tx_ring,
            tx_cpl,
            rx_ring,
            rx_cpl,
            rx_buffers,
            tx_buffers,
            rx_buffer_size,
            tx_buffer_size,
            size,
        }
    }
}
