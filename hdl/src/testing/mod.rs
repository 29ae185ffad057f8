//! Designs that exist to test the tooling, not the NIC: hidden from the
//! documented fabric, listed in [`crate::verilog_tops`] only because the
//! Verilator harness builds every top there.
pub mod probe;
