//! DMA: AXI4 master engines that move bytes between host memory and the
//! fabric's byte streams, and the ring engines built on them (SPEC F6, F7).
/// Longest AXI4 burst the DMA engines issue, in beats (INCR bursts of 32-bit
/// words; a burst never crosses a 4 KiB boundary either).
pub const MAX_BURST: u64 = 16;

pub mod axi_read_mux;
pub mod cpl_writer;
pub mod dma_read_stream;
pub mod dma_write_arbiter;
pub mod dma_write_stream;
pub mod irq_coalesce;
pub mod ring_cursor;
pub mod ring_position;
pub mod rx_ring_engine;
pub mod tx_ring_engine;
