//! Host side of synack: wire formats (`wire`), the sans-IO TCP engine
//! (`tcp`), the interface (`iface`: ARP, routing, UDP), the socket API
//! applications use (`socket`), the driver for the fabric (`driver`), and
//! the stack that joins them over the driver (`stack`).

// `unsafe` lives only in the driver's register window and DMA region
// (`driver::regs`, `driver::dma`), each block with its SAFETY argument.
#![deny(unsafe_code)]

pub mod arp_cache;
pub mod buffer;
pub mod driver;
pub mod iface;
pub mod socket;
pub mod stack;
pub mod tcp;
pub mod time;
pub mod wire;
