//! The hardware/software contract of synack (SPEC F6, F7): register offsets,
//! descriptor and completion layouts, shared by `synack-hdl` (which
//! implements them) and `synack-host` (which drives them).
//!
//! Invariants: every layout is little-endian, `#[repr(C)]` and pinned by a
//! compile-time size assert; rings are powers of two, indexed by free-running
//! 32-bit counters masked with `size - 1`; no register has a read side effect
//! and every write is idempotent (doorbells write an index).
#![no_std]
#![deny(unsafe_code)]

pub mod board;
pub mod record;
pub mod regs;
pub mod ring;

/// Value of [`regs::ID`]: "SACK".
pub const DEVICE_ID: u32 = 0x5341_434B;
/// Value of [`regs::VERSION`]: major << 16 | minor.
pub const VERSION: u32 = 0x0001_0000;
