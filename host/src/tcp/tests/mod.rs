//! Engine tests: one named test per SPEC item, grouped by SPEC section.

mod close;
mod flow;
mod handshake;
mod hardening;
mod harness;
mod icmp;
mod listen;
mod options;
mod path_mtu;
mod retransmit;
mod robustness;
mod runs;
mod time_wait;
