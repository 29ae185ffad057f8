//! The synack fabric, written in rust-hdl and emitted as Verilog.
//!
//! Every top-level design that the co-simulation builds with Verilator is listed
//! by [`verilog_tops`]; `sim/build.rs` turns each into a Verilator model.
//! Blocks are connected through the bundles of [`bus`]; [`emit`] gives each
//! top flat, standard port names.
#![deny(unsafe_code)]

pub mod bus;
pub mod csr;
pub mod csum;
pub mod dma;
pub mod emit;
pub mod mac;
pub mod nic_core;
pub mod nic_datapath;
pub mod prim;
pub mod stream;
#[doc(hidden)]
pub mod testing;
pub mod tso;

/// A design emitted as Verilog, ready for Verilator or Yosys.
pub struct VerilogTop {
    /// Snake-case name; also the Verilator prefix (`V{name}`) and the Rust model name.
    pub name: &'static str,
    /// The module name of the top inside `verilog` (rust-hdl always emits `top`).
    pub module: &'static str,
    /// The whole design, every submodule included.
    pub verilog: String,
}

impl VerilogTop {
    fn new(name: &'static str, verilog: String) -> Self {
        Self {
            name,
            module: "top",
            verilog,
        }
    }
}

/// Every design the co-simulation builds.
pub fn verilog_tops() -> Vec<VerilogTop> {
    vec![
        VerilogTop::new("probe", testing::probe::verilog()),
        VerilogTop::new("eth_mac_mii", mac::eth_mac_mii::verilog()),
        VerilogTop::new("dma_read_stream", dma::dma_read_stream::verilog()),
        VerilogTop::new("dma_write_stream", dma::dma_write_stream::verilog()),
        VerilogTop::new("axil_csr", csr::axil_csr::verilog()),
        VerilogTop::new("stat_bank", csr::stat_bank::verilog()),
        VerilogTop::new("nic_core", nic_core::verilog()),
        VerilogTop::new("nic_datapath", nic_datapath::verilog()),
        VerilogTop::new("ip_csum_insert", csum::ip_csum_insert::verilog()),
        VerilogTop::new("ip_csum_verify", csum::ip_csum_verify::verilog()),
        VerilogTop::new("tso_segmenter", tso::tso_segmenter::verilog()),
    ]
}
