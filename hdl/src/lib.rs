//! The synack fabric, written in rust-hdl and emitted as Verilog.
//!
//! Every top-level design that the co-simulation builds with Verilator is listed
//! by [`verilog_tops`]; `sim/build.rs` turns each into a Verilator model.
//! Blocks are connected through the bundles of [`bus`]; [`emit`] gives each
//! top flat, standard port names.
#![deny(unsafe_code)]

pub mod board;
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
    /// The whole design, every submodule included. Vendor primitives (a
    /// board top's) are instantiated, not defined: Vivado brings its own.
    pub verilog: String,
    /// Behavioural stand-ins of those primitives, with the same ports, for
    /// Verilator and the open ECP5 flow (empty when none are used).
    pub standins: &'static str,
    /// Every clock input (or clock made inside, as `instance.net`) and its
    /// frequency in MHz, for timing constraints.
    pub clocks: &'static [(&'static str, f64)],
    /// Verilator builds a model of it (the board's pad-level top is for
    /// Vivado and the checks only; see `board::arty`).
    pub simulate: bool,
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
            simulate: true,
        }
    }

    /// A board top: vendor primitives with their stand-ins, its clocks.
    fn board(self, clocks: &'static [(&'static str, f64)], simulate: bool) -> Self {
        Self {
            standins: board::xilinx::STANDINS,
            clocks,
            simulate,
            ..self
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

/// The Arty's clocks: the oscillator, and the PHY's MII clocks. The core
/// clock is made inside (the MMCM stand-in's output, named by its net).
const ARTY_CLOCKS: &[(&str, f64)] = &[
    ("clk100", 100.0),
    ("eth_tx_clk", 25.0),
    ("eth_rx_clk", 25.0),
];

/// Every design: the co-simulation builds those marked `simulate`.
pub fn verilog_tops() -> Vec<VerilogTop> {
    vec![
        VerilogTop::new("probe", testing::probe::verilog()),
        VerilogTop::new("eth_mac_mii", mac::eth_mac_mii::verilog()).with_clocks(CORE_AND_MII),
        VerilogTop::new("dma_read_stream", dma::dma_read_stream::verilog()),
        VerilogTop::new("dma_write_stream", dma::dma_write_stream::verilog()),
        VerilogTop::new("axil_csr", csr::axil_csr::verilog()),
        VerilogTop::new("stat_bank", csr::stat_bank::verilog()),
        VerilogTop::new("nic_core", nic_core::verilog()).with_clocks(CORE_AND_MII),
        VerilogTop::new("nic_datapath", nic_datapath::verilog()),
        VerilogTop::new("ip_csum_insert", csum::ip_csum_insert::verilog()),
        VerilogTop::new("ip_csum_verify", csum::ip_csum_verify::verilog()),
        VerilogTop::new("tso_segmenter", tso::tso_segmenter::verilog()),
        VerilogTop::new("arty_board", board::arty::board_verilog()).board(ARTY_CLOCKS, true),
        VerilogTop::new("arty_top", board::arty::verilog()).board(ARTY_CLOCKS, false),
    ]
}
