//! Co-simulation of the synack fabric.
//!
//! [`model`] holds one Verilator model per design in `synack_hdl::verilog_tops()`, built by
//! `build.rs`. All `unsafe` code is generated into that module; the rest of the crate is safe.
#![deny(unsafe_code)]

pub mod axi_memory;
pub mod axil_master;
pub mod cosim;
pub mod csum_insert_bench;
pub mod csum_verify_bench;
pub mod mac_bench;
pub mod mii;
pub mod model;
pub mod nic_bench;
pub mod pcap;
pub mod sequence_diagram;
pub mod shared_memory;
pub mod sim_nic;
pub mod tap;
pub mod tso_bench;
pub mod wire;
