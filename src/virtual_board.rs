//! `synack virtual-board`: a co-simulated Arty board to try `synack board`
//! on without one (SPEC A1, S4). ArtyTop runs in Verilator; its USB-UART is
//! a pseudo-terminal (linked from `--link`, `/tmp/synack-arty` unless
//! changed) and its Ethernet a TAP device in a network namespace of its
//! own (created, or borrowed with `--netns`) holding the Linux side's
//! address:
//!
//! ```text
//! synack virtual-board                       # prints the namespace, then: ready
//! synack board --serial /tmp/synack-arty --addr 192.0.2.2/24 --patience 5000 --serve http
//! ip netns exec NS curl http://192.0.2.2/
//! ```
//!
//! Prints the terminal and the namespace at start, a line when a PC comes
//! and goes, and every ten seconds what crossed the UART and the wire.
//! Ends on Ctrl-C (or SIGTERM) or after `--seconds`; the link, the TAP and
//! a namespace it created go away on every exit.
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant as WallClock};

use anyhow::{Context, Result};
use clap::Args;
use synack_sim::cosim::virtual_board::VirtualBoard;
use synack_sim::tap::{TapConfig, TapLink};

use crate::app_run::stop_flag;
use crate::demo_board::baud_text;

#[derive(Args)]
pub struct VirtualBoardArgs {
    /// A symbolic link to the board's UART terminal, for `synack board --serial`.
    #[arg(long, default_value = "/tmp/synack-arty")]
    link: PathBuf,
    /// Use this existing network namespace instead of creating one.
    #[arg(long)]
    netns: Option<String>,
    /// The Linux side's address (in the namespace, on the TAP).
    #[arg(long, default_value_t = synack_sim::tap::DEFAULT_LINUX_ADDR)]
    linux_addr: Ipv4Addr,
    /// The address `synack board` will give the board (checked to be on the Linux side's network).
    #[arg(long, default_value_t = synack_sim::tap::DEFAULT_SYNACK_ADDR)]
    board_addr: Ipv4Addr,
    /// Prefix length of the link's network.
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u8).range(1..=30))]
    prefix: u8,
    /// Stop after this many seconds of wall time (default: run until Ctrl-C).
    #[arg(long)]
    seconds: Option<u64>,
}

pub fn run(a: &VirtualBoardArgs) -> Result<()> {
    let stop = stop_flag()?;
    let cfg = TapConfig::with_addresses(a.netns.as_deref(), a.linux_addr, a.board_addr, a.prefix);
    let tap = TapLink::open(cfg.clone()).context("setting up the TAP link")?;
    let mut board = VirtualBoard::new(tap, Some(&a.link))?;
    println!(
        "synack virtual-board: ArtyTop in Verilator, out of reset at {:.3} ms of simulated time; \
         its USB-UART is {} (linked from {}); its Ethernet is {} in namespace {}, Linux side {}/{}",
        board.now_ns() as f64 / 1e6,
        board.pty_path().display(),
        a.link.display(),
        cfg.device,
        cfg.netns,
        a.linux_addr,
        a.prefix
    );
    println!(
        "  try: synack board --serial {} --addr {}/{} --patience 5000 --serve http; then: ip netns exec {} curl http://{}/",
        a.link.display(),
        a.board_addr,
        a.prefix,
        cfg.netns,
        a.board_addr
    );
    println!("ready");
    let wall = WallClock::now();
    let limit = a.seconds.map(Duration::from_secs);
    let mut attached = false;
    let mut last = (WallClock::now(), board.stats, board.now_ns());
    loop {
        board.run_for(Duration::from_millis(50))?;
        if board.pc_attached() != attached {
            attached = board.pc_attached();
            println!(
                "  [{:>8.3} s sim] {}",
                board.now_ns() as f64 / 1e9,
                if attached {
                    format!("a PC writes to the UART ({})", baud_text(board.baud()))
                } else {
                    "the PC closed the UART".to_string()
                }
            );
        }
        if last.0.elapsed() >= Duration::from_secs(10) {
            let (s, before) = (board.stats, last.1);
            println!(
                "  [{:>8.3} s sim] UART at {}: {} B in, {} B out; wire: {} frames in, {} out; {:.4} simulated s per wall s",
                board.now_ns() as f64 / 1e9,
                baud_text(board.baud()),
                s.bytes_in - before.bytes_in,
                s.bytes_out - before.bytes_out,
                s.frames_in - before.frames_in,
                s.frames_out - before.frames_out,
                (board.now_ns() - last.2) as f64 / 1e9 / last.0.elapsed().as_secs_f64()
            );
            last = (WallClock::now(), s, board.now_ns());
        }
        if stop.load(Ordering::SeqCst) {
            println!("stopping (signal)");
            break;
        }
        if limit.is_some_and(|l| wall.elapsed() >= l) {
            println!("stopping (--seconds)");
            break;
        }
    }
    let s = board.stats;
    let (oversize, queue_full) = board.tap_drops();
    println!(
        "virtual board: {:.3} s simulated, {} cycles clocked; UART {} B in, {} B out ({} B dropped with no PC); \
         wire {} frames in, {} out ({} oversize, {} to a full kernel queue dropped)",
        board.now_ns() as f64 / 1e9,
        s.cycles,
        s.bytes_in,
        s.bytes_out,
        s.bytes_dropped,
        s.frames_in,
        s.frames_out,
        oversize,
        queue_full
    );
    drop(board);
    println!("link, namespace and TAP removed");
    Ok(())
}
