//! Byte buffers the layers share: frame buffers, recycled ([`frame_pool`]),
//! and views of them that received payloads travel in ([`payload`]).
//! Below both the interface and the engine, so neither depends on the other
//! for them.
pub mod frame_pool;
pub mod payload;
