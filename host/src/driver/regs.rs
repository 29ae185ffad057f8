//! The register window (SPEC D1, F7) as a `#[repr(C)]` block of
//! `volatile-register` cells over a memory mapping.
//!
//! Soundness: `volatile-register` hands out references to device memory, which
//! the compiler may read spuriously. That is harmless here because no
//! register of this fabric has a read side effect and every write is
//! idempotent (DESIGN "The boundary"). The same property lets the
//! co-simulation mirror the page instead of trapping accesses.
//!
//! Invariant: the block's field offsets equal `synack_abi::regs` offsets
//! (checked at compile time below).
use core::mem::offset_of;

use memmap2::MmapMut;
use synack_abi::regs;
use volatile_register::{RO, RW};

/// The registers at their ABI offsets.
#[repr(C)]
pub struct RegisterBlock {
    pub id: RO<u32>,
    pub version: RO<u32>,
    pub control: RW<u32>,
    pub status: RO<u32>,
    pub tx_ring_base_lo: RW<u32>,
    pub tx_ring_base_hi: RO<u32>,
    pub tx_ring_log2: RW<u32>,
    pub tx_producer: RW<u32>,
    pub tx_consumer: RO<u32>,
    pub tx_cpl_base_lo: RW<u32>,
    pub tx_cpl_base_hi: RO<u32>,
    pub tx_cpl_head: RW<u32>,
    pub rx_ring_base_lo: RW<u32>,
    pub rx_ring_base_hi: RO<u32>,
    pub rx_ring_log2: RW<u32>,
    pub rx_producer: RW<u32>,
    pub rx_consumer: RO<u32>,
    pub rx_cpl_base_lo: RW<u32>,
    pub rx_cpl_base_hi: RO<u32>,
    pub rx_cpl_head: RW<u32>,
    pub irq_coalesce_count: RW<u32>,
    pub irq_coalesce_usecs: RW<u32>,
    pub irq_status: RO<u32>,
    _reserved: [u32; ((regs::STATS_BASE - regs::IRQ_STATUS) / 4 - 1) as usize],
    pub stats: [RO<u32>; regs::stat::COUNT as usize],
}

macro_rules! at {
    ($field:ident, $offset:expr) => {
        const _: () = assert!(offset_of!(RegisterBlock, $field) == $offset as usize);
    };
}
at!(id, regs::ID);
at!(version, regs::VERSION);
at!(control, regs::CONTROL);
at!(status, regs::STATUS);
at!(tx_ring_base_lo, regs::TX_RING_BASE_LO);
at!(tx_ring_base_hi, regs::TX_RING_BASE_HI);
at!(tx_ring_log2, regs::TX_RING_LOG2);
at!(tx_producer, regs::TX_PRODUCER);
at!(tx_consumer, regs::TX_CONSUMER);
at!(tx_cpl_base_lo, regs::TX_CPL_BASE_LO);
at!(tx_cpl_base_hi, regs::TX_CPL_BASE_HI);
at!(tx_cpl_head, regs::TX_CPL_HEAD);
at!(rx_ring_base_lo, regs::RX_RING_BASE_LO);
at!(rx_ring_base_hi, regs::RX_RING_BASE_HI);
at!(rx_ring_log2, regs::RX_RING_LOG2);
at!(rx_producer, regs::RX_PRODUCER);
at!(rx_consumer, regs::RX_CONSUMER);
at!(rx_cpl_base_lo, regs::RX_CPL_BASE_LO);
at!(rx_cpl_base_hi, regs::RX_CPL_BASE_HI);
at!(rx_cpl_head, regs::RX_CPL_HEAD);
at!(irq_coalesce_count, regs::IRQ_COALESCE_COUNT);
at!(irq_coalesce_usecs, regs::IRQ_COALESCE_USECS);
at!(irq_status, regs::IRQ_STATUS);
at!(stats, regs::STATS_BASE);
const _: () = assert!(size_of::<RegisterBlock>() <= regs::WINDOW_SIZE as usize);

/// A mapping of the register window: on hardware the device's register BAR
/// (or UIO region), in the co-simulation a page the simulator mirrors.
pub struct RegisterWindow {
    map: MmapMut,
}

/// Why a mapping cannot serve as the register window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    #[error("register window is {len} bytes, {need} needed")]
    TooSmall { len: usize, need: usize },
    #[error("register window is not 4-byte aligned")]
    Misaligned,
}

impl RegisterWindow {
    /// Takes a mapping of at least [`regs::WINDOW_SIZE`] bytes.
    pub fn new(map: MmapMut) -> Result<Self, WindowError> {
        let need = regs::WINDOW_SIZE as usize;
        if map.len() < need {
            return Err(WindowError::TooSmall {
                len: map.len(),
                need,
            });
        }
        if map.as_ptr() as usize % align_of::<RegisterBlock>() != 0 {
            return Err(WindowError::Misaligned);
        }
        Ok(Self { map })
    }

    /// The registers.
    pub fn block(&self) -> &RegisterBlock {
        // SAFETY: the mapping is at least WINDOW_SIZE bytes (checked in `new`),
        // aligned for u32, lives as long as `self`, and every field of
        // RegisterBlock is a volatile cell, valid for any bit pattern.
        unsafe { &*(self.map.as_ptr() as *const RegisterBlock) }
    }

    /// Writes a RW register.
    pub fn write(&self, reg: impl FnOnce(&RegisterBlock) -> &RW<u32>, value: u32) {
        // SAFETY: writes to this device's registers are idempotent and have no
        // effect beyond the register's documented meaning (synack_abi::regs).
        unsafe { reg(self.block()).write(value) }
    }

    /// Statistics counter `index` (`synack_abi::regs::stat`).
    pub fn stat(&self, index: u32) -> u32 {
        self.block().stats[index as usize].read()
    }
}
