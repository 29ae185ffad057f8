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
    /// The whole design, every submodule included. Vendor primitives (a
    /// board top's) are instantiated, not defined: Vivado brings its own.
    pub verilog: String,
    /// Behavioural stand-ins of those primitives, with the same ports, for
    /// Verilator and the open ECP5 flow (empty when none are used).
    pub standins: &'static str,
    /// Every clock input (or clock made inside, as `instance.net`) and its
    /// frequency in MHz, for timing constraints.
    pub clocks: &'static [(&'static str, f64)],
}

/// The core clock alone.
const CORE_CLOCK: &[(&str, f64)] = &[("clock", 100.0)];
/// The core clock and the two MII clocks (25 MHz at 100 Mb/s).
const CORE_AND_MII: &[(&str, f64)] =
    &[("clock", 100.0), ("mii_tx_clk", 25.0), ("mii_rx_clk", 25.0)];

impl VerilogTop {
    fn new(name: &'static str, verilog: String) -> Self {
        Self {
            name,
            module: "top",
            verilog,
            standins: "",
            clocks: CORE_CLOCK,
        }
    }

    fn with_clocks(self, clocks: &'static [(&'static str, f64)]) -> Self {
        Self { clocks, ..self }
    }

    /// The design with its stand-ins: what Verilator and Yosys for ECP5 read.
    pub fn simulation_verilog(&self) -> String {
        format!(
            "{}
{}",
            self.verilog, self.standins
        )
    }
}

/// Every design the co-simulation builds.
pub fn verilog_tops() -> Vec<VerilogTop> {
    vec![
        VerilogTop::new("probe", testing::probe::verilog()),
        VerilogTop::new("eth_mac_mii", mac::eth_mac_mii::verilog()).with_clocks(CORE_AND_MII),
        VerilogTop::new("dma_read_stream", dma::dma_read_stream::verilog()),
        VerilogTop::new("dma_write_stream", dma::dma_write_stream::verilog()),
        VerilogTop::new("axil_csr", csr::axil_csr::verilog()),
        VerilogTop::new("stat_bank", csr::stat_bank::verilog()),
        VerilogTop::new("nic_core", nic_core::verilog()).with_clocks(CORE_AND_MII),
        VerilogTop::new("ip_csum_insert", csum::ip_csum_insert::verilog()),
        VerilogTop::new("ip_csum_verify", csum::ip_csum_verify::verilog()),
        VerilogTop::new("tso_segmenter", tso::tso_segmenter::verilog()),
    ]
}
