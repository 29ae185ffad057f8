//! Verilator models of every design in `synack_hdl::verilog_tops()`.
//!
//! `build.rs` generates, for each design `foo_bar`, a type `FooBar` with `new`, `eval`,
//! `set_<port>(u64)` for inputs, `<port>() -> u64` for every port (`&[u32]` words for ports
//! wider than 64 bits), `time`/`set_time`, `PORTS`, and with the `trace` feature
//! `trace_open`/`trace_dump`/`trace_close`. Drop runs `final` blocks and frees the model.
//!
//! Invariants: each instance owns its own `VerilatedContext`, so instances share no state
//! and are `Send` (not `Sync`); inputs take effect only on `eval`; ports are read and written
//! as their Verilated storage, masked to the port width.

/// Direction of a top-level port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Driven by the harness (`set_<port>`).
    Input,
    /// Driven by the design.
    Output,
    /// Bidirectional; the harness can drive and read it.
    Inout,
}

/// A top-level port of a model, as Verilator declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Port {
    /// Verilog name, also the getter's name.
    pub name: &'static str,
    /// Width in bits.
    pub width: u32,
    /// Who drives it.
    pub direction: Direction,
}

#[allow(unsafe_code)]
#[warn(clippy::undocumented_unsafe_blocks, missing_docs)]
mod generated {
    use super::{Direction, Port};

    include!(concat!(env!("OUT_DIR"), "/models.rs"));
}

pub use generated::*;
