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

/// Every design's name and how to make it (given that name), in the order
/// [`verilog_tops`] lists them. Emitting a design takes rust-hdl a while
/// (ArtyTop most), so a tool that needs one asks [`verilog_top`] for it alone.
const DESIGNS: &[(&str, fn(&'static str) -> VerilogTop)] = &[
    ("probe", |n| VerilogTop::new(n, testing::probe::verilog())),
    ("eth_mac_mii", |n| {
        VerilogTop::new(n, mac::eth_mac_mii::verilog()).with_clocks(CORE_AND_MII)
    }),
    ("dma_read_stream", |n| {
        VerilogTop::new(n, dma::dma_read_stream::verilog())
    }),
    ("dma_write_stream", |n| {
        VerilogTop::new(n, dma::dma_write_stream::verilog())
    }),
    ("axil_csr", |n| VerilogTop::new(n, csr::axil_csr::verilog())),
    ("stat_bank", |n| {
        VerilogTop::new(n, csr::stat_bank::verilog())
    }),
    ("nic_core", |n| {
        VerilogTop::new(n, nic_core::verilog()).with_clocks(CORE_AND_MII)
    }),
    ("nic_datapath", |n| {
        VerilogTop::new(n, nic_datapath::verilog())
    }),
    ("ip_csum_insert", |n| {
        VerilogTop::new(n, csum::ip_csum_insert::verilog())
    }),
    ("ip_csum_verify", |n| {
        VerilogTop::new(n, csum::ip_csum_verify::verilog())
    }),
    ("tso_segmenter", |n| {
        VerilogTop::new(n, tso::tso_segmenter::verilog())
    }),
    ("arty_board", |n| {
        VerilogTop::new(n, board::arty::board_verilog()).board(ARTY_CLOCKS, true)
    }),
    ("arty_top", |n| {
        VerilogTop::new(n, board::arty::verilog()).board(ARTY_CLOCKS, false)
    }),
];

/// Every design: the co-simulation builds those marked `simulate`.
pub fn verilog_tops() -> Vec<VerilogTop> {
    DESIGNS.iter().map(|(name, make)| make(name)).collect()
}

/// The names of every design in [`verilog_tops`], in its order.
pub fn design_names() -> impl Iterator<Item = &'static str> {
    DESIGNS.iter().map(|(name, _)| *name)
}

/// The design called `name` alone (`None` if there is none by that name).
pub fn verilog_top(name: &str) -> Option<VerilogTop> {
    DESIGNS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, make)| make(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_design_is_found_by_its_name_alone() {
        assert_eq!(verilog_top("stat_bank").map(|t| t.name), Some("stat_bank"));
        assert!(verilog_top("no_such_design").is_none());
        let mut names: Vec<_> = design_names().collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), DESIGNS.len(), "every name once");
    }
}
