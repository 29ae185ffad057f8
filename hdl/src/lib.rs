//! The synack fabric, written in rust-hdl and emitted as Verilog.
//!
//! Every top-level design that the co-simulation builds with Verilator is listed
//! by [`verilog_tops`]; `sim/build.rs` turns each into a Verilator model.

pub mod csr;
pub mod csum;
pub mod dma;
pub mod mac;
pub mod nic_core;
pub mod prim;
pub mod probe;
pub mod stream;
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

/// Every design the co-simulation builds.
pub fn verilog_tops() -> Vec<VerilogTop> {
    vec![
        VerilogTop {
            name: "probe",
            module: "top",
            verilog: probe::verilog(),
        },
        VerilogTop {
            name: "eth_mac_mii",
            module: "top",
            verilog: mac::eth_mac_mii::verilog(),
        },
        VerilogTop {
            name: "dma_read_stream",
            module: "top",
            verilog: dma::dma_read_stream::verilog(),
        },
        VerilogTop {
            name: "dma_write_stream",
            module: "top",
            verilog: dma::dma_write_stream::verilog(),
        },
        VerilogTop {
            name: "axil_csr",
            module: "top",
            verilog: csr::axil_csr::verilog(),
        },
        VerilogTop {
            name: "stat_bank",
            module: "top",
            verilog: csr::stat_bank::verilog(),
        },
        VerilogTop {
            name: "nic_core",
            module: "top",
            verilog: nic_core::verilog(),
        },
        VerilogTop {
            name: "ip_csum_insert",
            module: "top",
            verilog: csum::ip_csum_insert::verilog(),
        },
        VerilogTop {
            name: "ip_csum_verify",
            module: "top",
            verilog: csum::ip_csum_verify::verilog(),
        },
        VerilogTop {
            name: "tso_segmenter",
            module: "top",
            verilog: tso::tso_segmenter::verilog(),
        },
    ]
}
