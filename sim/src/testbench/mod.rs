//! Testbenches: each wraps the Verilator model of one design (`crate::model`)
//! with the drivers, monitors and clocks its tests need, so tests, the
//! criterion benchmarks in `sim/benches/` and the CLI share one harness per
//! design. (Benchmarks are `sim/benches/`; these are not benchmarks.)
pub mod board;
pub mod csum_insert;
pub mod csum_verify;
pub mod mac;
pub mod nic;
mod quiescence;
pub mod tso;
