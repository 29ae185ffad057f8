//! Board-specific tops around the board-independent `NicCore` (SPEC A1):
//! the Arty A7 ([`arty`]) and the blocks only a board needs: vendor
//! primitives ([`xilinx`]), the reset sequence, the USB-UART host bridge,
//! the DMA memory in block RAM, the MDIO master and the board registers.
pub mod arty;
pub mod board_regs;
pub mod dma_bram;
pub mod host_bridge;
pub mod mdio_master;
pub mod reset_seq;
pub mod uart_rx;
pub mod uart_tx;
pub mod xilinx;
