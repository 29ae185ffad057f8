//! Host side of synack: wire formats (`wire`), the sans-IO TCP engine (`tcp`),
//! the socket API, and (later) the driver for the fabric.

pub mod arp_cache;
pub mod driver;
pub mod iface;
pub mod stack;
pub mod tcp;
pub mod time;
pub mod wire;
