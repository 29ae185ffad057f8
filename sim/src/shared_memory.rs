//! Memory that two parties map at once: see [`synack_bridge::shared_memory`],
//! which the board's mirror uses too.
pub use synack_bridge::shared_memory::SharedMemory;
