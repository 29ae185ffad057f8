//! The PC side of the Arty board's USB-UART host bridge (SPEC A1, D1).
//!
//! The host driver (`synack_host::driver`) works on two memory mappings, a
//! register window and DMA memory. Against the board neither is reachable
//! by the CPU, so [`mirror::Mirror`] keeps a copy of each that the driver
//! maps, and between the driver's runs carries what changed to the board
//! and what the board changed back, in bridge requests ([`frame`]). The
//! requests travel over a [`link::Transport`]: the board's serial port
//! ([`serial::SerialTransport`]), or the co-simulated board's UART
//! (`synack-sim`). Neither the driver nor the stack above it can tell.
//! [`board`] brings the board up (its PHY over MDIO, its memory, the
//! driver's configuration) over either transport.
#![deny(unsafe_code)]

pub mod board;
pub mod frame;
pub mod link;
pub mod mirror;
pub mod serial;
pub mod session;
pub mod shared_memory;
