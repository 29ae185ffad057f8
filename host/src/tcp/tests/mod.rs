//! Engine tests: one named test per SPEC item, grouped by SPEC section.

mod close;
mod flow;
mod handshake;
mod harness;
mod listen;
mod retransmit;
mod robustness;
mod time_wait;
