//! Co-simulation of the synack fabric.
//!
//! [`model`] holds one Verilator model per design in `synack_hdl::verilog_tops()`, built by
//! `build.rs`; [`testbench`] wraps each in the drivers and monitors its tests use.
//!
//! `unsafe` code is denied but in two places that allow it, each block with a `// SAFETY:`
//! comment: the generated model bindings (checked by `tests/build_script.rs`) and
//! [`shared_memory`]'s one mapping call.
#![deny(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]

pub mod axi_memory;
pub mod axil_master;
pub mod cosim;
pub mod frame_mac;
pub mod mdio;
pub mod mii;
pub mod model;
pub mod pcap;
pub mod sequence_diagram;
pub mod shared_memory;
pub mod sim_nic;
pub mod tap;
pub mod testbench;
pub mod uart;
pub mod wire;
