//! The driver for the synack fabric (SPEC D1, D2): registers through
//! `volatile-register` over a mapping ([`RegisterWindow`]), rings and buffers
//! in DMA memory ([`DmaRegion`]), poll and interrupt modes.
//!
//! The same code runs against hardware and the co-simulation: the caller
//! provides the two mappings (a device BAR or UIO region on hardware; on the
//! co-simulation a register page it mirrors and a file it also serves DMA
//! from).
//!
//! Rings (DESIGN "The boundary"): the host fills TX descriptors and writes
//! the TX producer index; the fabric sends, then writes a completion with
//! the phase bit at the same index. The host posts RX buffers by writing
//! descriptors and the RX producer index; the fabric fills them in order
//! and writes completions. The driver never reads a register to make
//! progress: completions carry the phase bit, so a completion is new when
//! its phase is that of the pass the driver is on.
//!
//! Invariants:
//! - TX slot `i % size` is reused only after completion `i` was reaped, so no
//!   buffer the fabric may still read is ever written.
//! - Every RX buffer is reposted exactly once after its completion is read,
//!   at the index one ring further on, so the fabric always owns `size`
//!   buffers but those being handed to the stack.
//! - A completion head register is written after every reap, so the
//!   interrupt (level-triggered, SPEC F6) falls once the host has caught up.
#[allow(unsafe_code)]
mod dma;
#[allow(unsafe_code)]
mod regs;
mod rx;
mod tx;

pub use dma::{DmaError, DmaLayout, DmaRegion};
pub use regs::{RegisterBlock, RegisterWindow, WindowError};
pub use rx::{RxChecksum, RxFrame};
pub use tx::{TxError, TxOffload};

use synack_abi::regs::control;
use synack_abi::{DEVICE_ID, VERSION};

/// How the host learns of completions (SPEC D2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IrqMode {
    /// The interrupt line stays low; the host polls the completion rings.
    Poll,
    /// The fabric raises its line once `count` completions are pending or the
    /// oldest has waited `usecs` µs (SPEC F6 coalescing).
    Interrupt { count: u16, usecs: u16 },
}

/// Ring sizes and modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DriverConfig {
    /// log2 of the TX ring's slots (each holds one frame or one TSO send).
    pub tx_ring_log2: u32,
    /// log2 of the RX ring's slots (one posted buffer each).
    pub rx_ring_log2: u32,
    /// Bytes per TX buffer: a TSO send's headers plus up to 64 KiB of payload.
    pub tx_buffer_size: usize,
    /// Bytes per RX buffer: a whole frame without FCS.
    pub rx_buffer_size: usize,
    pub irq: IrqMode,
}

impl Default for DriverConfig {
    fn default() -> Self {
        Self {
            tx_ring_log2: 6,
            rx_ring_log2: 8,
            tx_buffer_size: 65_536 + 256,
            rx_buffer_size: 2048,
            irq: IrqMode::Interrupt {
                count: 16,
                usecs: 20,
            },
        }
    }
}

impl DriverConfig {
    /// Small rings and buffers for DMA memory on the board itself (the
    /// Arty's 64 KiB of block RAM, reached over the USB-UART bridge): 8 TX
    /// slots of 4 KiB + headers (so TSO sends are at most 4 KiB), 16 RX
    /// buffers of 1536 bytes (a 1514-byte frame, rounded to 64), polled (the
    /// bridge carries no interrupt line). RX gets the slots: the wire fills
    /// them at 100 Mb/s and only a bridge sync empties them, so a burst of
    /// ACKs must fit between two syncs.
    pub fn board() -> Self {
        Self {
            tx_ring_log2: 3,
            rx_ring_log2: 4,
            tx_buffer_size: 4096 + 256,
            rx_buffer_size: 1536,
            irq: IrqMode::Poll,
        }
    }

    /// The configuration for a device with `dma_bytes` of DMA memory: the
    /// default when it fits, else the board's; `None` if neither fits.
    pub fn fitting(dma_bytes: usize) -> Option<Self> {
        [Self::default(), Self::board()]
            .into_iter()
            .find(|c| c.layout().size <= dma_bytes)
    }

    /// The DMA layout this configuration needs.
    pub fn layout(&self) -> DmaLayout {
        DmaLayout::new(
            self.tx_ring_log2,
            self.rx_ring_log2,
            self.tx_buffer_size,
            self.rx_buffer_size,
        )
    }
}

/// Why [`Driver::new`] failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DriverError {
    #[error("not a synack fabric: ID register reads {0:#010x}")]
    WrongDevice(u32),
    #[error("fabric version {found}, driver speaks {expected}")]
    WrongVersion { found: u32, expected: u32 },
    #[error("ring of 2^{0} slots is outside 2^1..=2^15")]
    BadRingSize(u32),
    #[error("RX buffers of {0} bytes cannot hold a 1514-byte frame")]
    RxBufferTooSmall(usize),
    #[error(transparent)]
    Dma(#[from] DmaError),
}

/// What the driver counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DriverStats {
    pub tx_descriptors: u64,
    /// Frames the fabric reported sent (TSO segments counted one by one).
    pub tx_frames: u64,
    pub tx_dma_errors: u64,
    pub tx_bad_descriptors: u64,
    pub tx_ring_full: u64,
    pub rx_frames: u64,
    pub rx_bytes: u64,
    /// Frames longer than their buffer: dropped, never handed on cut short.
    pub rx_truncated: u64,
}

/// The driver: owns both mappings and the ring indices.
pub struct Driver {
    regs: RegisterWindow,
    dma: DmaRegion,
    layout: DmaLayout,
    cfg: DriverConfig,
    /// Next TX descriptor index to fill (what the doorbell publishes).
    tx_next: u32,
    /// TX producer index last written to the fabric.
    tx_published: u32,
    /// Next TX completion to reap.
    tx_clean: u32,
    /// Next RX completion to read.
    rx_clean: u32,
    /// RX descriptors posted so far (the RX producer index).
    rx_posted: u32,
    stats: DriverStats,
}

impl Driver {
    /// Checks the device, lays out rings in `dma`, programs the fabric,
    /// posts every RX buffer and enables both directions.
    pub fn new(
        regs: RegisterWindow,
        mut dma: DmaRegion,
        cfg: DriverConfig,
    ) -> Result<Self, DriverError> {
        let id = regs.block().id.read();
        if id != DEVICE_ID {
            return Err(DriverError::WrongDevice(id));
        }
        let version = regs.block().version.read();
        if version != VERSION {
            return Err(DriverError::WrongVersion {
                found: version,
                expected: VERSION,
            });
        }
        for log2 in [cfg.tx_ring_log2, cfg.rx_ring_log2] {
            if !(1..=15).contains(&log2) {
                return Err(DriverError::BadRingSize(log2));
            }
        }
        if cfg.rx_buffer_size < 1514 {
            return Err(DriverError::RxBufferTooSmall(cfg.rx_buffer_size));
        }
        let layout = cfg.layout();
        if dma.len() < layout.size {
            return Err(DmaError::TooSmall {
                len: dma.len(),
                need: layout.size,
            }
            .into());
        }
        // Completion rings start zeroed: the first pass expects PHASE set.
        dma.zero(layout.tx_cpl, 8 << cfg.tx_ring_log2);
        dma.zero(layout.rx_cpl, 8 << cfg.rx_ring_log2);
        // Disabled and idle, the engines reset their consumer indices to 0.
        regs.write(|r| &r.control, 0);
        regs.write(|r| &r.tx_ring_base_lo, dma.bus_addr(layout.tx_ring));
        regs.write(|r| &r.tx_ring_log2, cfg.tx_ring_log2);
        regs.write(|r| &r.tx_cpl_base_lo, dma.bus_addr(layout.tx_cpl));
        regs.write(|r| &r.tx_producer, 0);
        regs.write(|r| &r.tx_cpl_head, 0);
        regs.write(|r| &r.rx_ring_base_lo, dma.bus_addr(layout.rx_ring));
        regs.write(|r| &r.rx_ring_log2, cfg.rx_ring_log2);
        regs.write(|r| &r.rx_cpl_base_lo, dma.bus_addr(layout.rx_cpl));
        regs.write(|r| &r.rx_cpl_head, 0);
        let (count, usecs, irq) = match cfg.irq {
            IrqMode::Poll => (0, 0, 0),
            IrqMode::Interrupt { count, usecs } => (count, usecs, control::IRQ_ENABLE),
        };
        regs.write(|r| &r.irq_coalesce_count, count.into());
        regs.write(|r| &r.irq_coalesce_usecs, usecs.into());
        let mut driver = Self {
            regs,
            dma,
            layout,
            cfg,
            tx_next: 0,
            tx_published: 0,
            tx_clean: 0,
            rx_clean: 0,
            rx_posted: 0,
            stats: DriverStats::default(),
        };
        for _ in 0..driver.rx_size() {
            driver.post_rx_buffer();
        }
        driver.dma.publish();
        driver.regs.write(|r| &r.rx_producer, driver.rx_posted);
        driver.regs.write(
            |r| &r.control,
            control::TX_ENABLE | control::RX_ENABLE | irq,
        );
        Ok(driver)
    }

    pub fn config(&self) -> &DriverConfig {
        &self.cfg
    }

    pub fn stats(&self) -> &DriverStats {
        &self.stats
    }

    /// The register window (for status and statistics).
    pub fn registers(&self) -> &RegisterWindow {
        &self.regs
    }

    /// The fabric's statistics counters (SPEC F8), in `synack_abi::regs::stat` order.
    pub fn fabric_stats(&self) -> [u32; synack_abi::regs::stat::COUNT as usize] {
        core::array::from_fn(|i| self.regs.stat(i as u32))
    }

    /// The interrupt line as the IRQ_STATUS register shows it.
    pub fn irq_asserted(&self) -> bool {
        self.regs.block().irq_status.read() != 0
    }

    /// Nothing of ours is in the fabric's hands: every TX descriptor reaped.
    pub fn tx_idle(&self) -> bool {
        self.tx_clean == self.tx_next
    }

    fn tx_size(&self) -> u32 {
        1 << self.cfg.tx_ring_log2
    }

    fn rx_size(&self) -> u32 {
        1 << self.cfg.rx_ring_log2
    }
}

/// The phase bit a completion at ring index `index` carries when it is new:
/// set on even passes over a ring of `1 << log2` slots, clear on odd ones.
fn expected_phase(index: u32, log2: u32) -> bool {
    (index >> log2) & 1 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_board_gets_a_configuration_that_fits_its_block_ram() {
        let board = synack_abi::board::DMA_BYTES;
        let cfg = DriverConfig::fitting(board).expect("a configuration fits the board");
        assert_eq!(cfg, DriverConfig::board());
        assert!(cfg.layout().size <= board);
        assert_eq!(cfg.irq, IrqMode::Poll);
        // Host memory (the co-simulation's) gets the default.
        let host = DriverConfig::default().layout().size;
        assert_eq!(DriverConfig::fitting(host), Some(DriverConfig::default()));
        assert_eq!(DriverConfig::fitting(4096), None);
    }
}
