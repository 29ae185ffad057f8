//! `synack board`: the host on an Arty board over its USB-UART (SPEC A1,
//! D1). The real driver and stack run on the PC; the board's registers and
//! DMA memory reach them through the bridge's mirror over the serial port,
//! and an application runs on the socket API as in `synack tap`:
//!
//! ```text
//! synack board --serial /dev/ttyUSB1 --addr 192.168.1.50/24 --serve http
//! ```
//!
//! Prints what bring-up found (the PHY over MDIO, the DMA memory, the
//! driver configuration chosen for it), every TCP state change, and a line
//! per second (throughput, retransmissions, what the bridge carried). Ends
//! on Ctrl-C (or SIGTERM), after `--seconds`, or when a client app is done,
//! and leaves the board's UART at its power-on rate.
//!
//! The board's clock and the PC's are the wall clock; a co-simulated board
//! on a pseudo-terminal (`synack virtual-board`) is a slow board to this
//! command, and needs a longer `--patience`.
use std::time::{Duration, Instant as WallClock};

use anyhow::{Context, Result};
use clap::Args;
use synack_bridge::serial::{LATENCY_TIMER_MS, LatencyTimer, SerialTransport, set_latency_timer};
use synack_bridge::session::Session;
use synack_host::iface::InterfaceConfig;
use synack_host::socket::Net;
use synack_host::tcp::Config as TcpConfig;
use synack_host::time::Instant;
use synack_host::wire::{EthernetAddress, Ipv4Address, Ipv4Cidr};

use crate::app_run::{AppArgs, AppRun, rate_mbps, stop_flag};
use crate::args;
use crate::demo_board::{baud_text, driver_text, fabric_line, phy_name};

#[derive(Args)]
pub struct BoardArgs {
    /// The board's USB-UART (the FT2232H's second port: often /dev/ttyUSB1).
    #[arg(long)]
    serial: String,
    /// The bridge's rate once the board is up (it powers up at 3 Mbaud).
    #[arg(long, default_value_t = synack_abi::board::DEFAULT_BAUD, value_parser = args::baud_rate)]
    baud: u32,
    /// How long an answer may take beyond its request's time on the line,
    /// ms (a co-simulated board needs seconds).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=600_000))]
    patience: u64,
    /// The board's address and network, e.g. 192.168.1.50/24.
    #[arg(long)]
    addr: Ipv4Cidr,
    /// The router for addresses off the network.
    #[arg(long)]
    gateway: Option<Ipv4Address>,
    /// The board's MAC address.
    #[arg(long, default_value = "02:53:41:43:4b:01", value_parser = args::mac_address)]
    mac: EthernetAddress,
    #[command(flatten)]
    app: AppArgs,
    /// Stop after this many seconds (default: run until Ctrl-C).
    #[arg(long)]
    seconds: Option<u64>,
    /// Seed for the stack's ISN secret and a client's data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

pub fn run(a: &BoardArgs) -> Result<()> {
    let app = a.app.app(a.seed)?;
    let stop = stop_flag()?;
    match set_latency_timer(&a.serial) {
        LatencyTimer::Lowered(was) => println!(
            "{}: FTDI latency timer lowered from {was} ms to {LATENCY_TIMER_MS} ms (short answers would wait for it)",
            a.serial
        ),
        LatencyTimer::CannotSet { was, advice } => println!(
            "{}: the FTDI latency timer is {was} ms and could not be lowered: every sync may wait that long; run `{advice}`",
            a.serial
        ),
        LatencyTimer::NotApplicable | LatencyTimer::AlreadyLow(_) => {}
    }
    let mut transport = SerialTransport::open(&a.serial, synack_abi::board::DEFAULT_BAUD)?;
    transport.set_patience(Duration::from_millis(a.patience));
    let mut iface = InterfaceConfig::ethernet(a.mac, a.addr.address(), a.addr.netmask());
    iface.gateway = a.gateway;
    println!(
        "synack board: {} at {}; synack {} ({})",
        a.serial,
        baud_text(a.baud),
        a.addr,
        a.mac
    );
    let mut session = Session::open(transport, a.baud, iface, TcpConfig::default(), a.seed)
        .with_context(|| format!("bringing up the board on {}", a.serial))?;
    let info = session.info;
    println!(
        "board up: PHY ID {:#06x}:{:#06x} over MDIO ({}), BMSR {:#06x} (link {}), {} KiB of DMA memory",
        info.phy_id1,
        info.phy_id2,
        phy_name(info.phy_id1, info.phy_id2),
        info.bmsr,
        if info.link_up() { "up" } else { "down" },
        info.dma_bytes / 1024
    );
    println!(
        "driver configuration: {}",
        driver_text(&info.driver, info.dma_bytes)
    );
    println!("{}", a.app.describe(a.addr.address().into(), ""));
    println!("ready");
    // The NIC's counters run from the board's configuration: this session's
    // share is the difference (frames dropped while no driver had the NIC
    // enabled are not this session's).
    let before = session.stack().driver().fabric_stats();
    let result = serve(&mut session, AppRun::new(app, stop, a.seconds));
    let after = session.stack().driver().fabric_stats();
    let this_session = core::array::from_fn(|i| after[i].wrapping_sub(before[i]));
    println!("{} (this session)", fabric_line(&this_session));
    let link = session.link();
    println!(
        "bridge: {} requests ({} resent, {} stale answers), {} syncs; {} KiB to the board, {} KiB back",
        link.requests,
        link.resends,
        link.stale,
        session.mirror().syncs,
        link.bytes_sent / 1024,
        link.bytes_received / 1024
    );
    match session.close() {
        Ok(()) => println!(
            "board left at {}",
            baud_text(synack_abi::board::DEFAULT_BAUD)
        ),
        Err(e) => println!("could not set the board back to its power-on rate: {e}"),
    }
    result
}

fn serve(session: &mut Session<SerialTransport>, mut run: AppRun) -> Result<()> {
    let start = WallClock::now();
    let now = || Instant::from_micros(start.elapsed().as_micros() as u64);
    let mut last = Report::at(session, &run);
    loop {
        session.service(now(), |now, iface| run.poll(&mut Net::new(iface, now)))?;
        if let Some(end) = run.check() {
            return end;
        }
        if last.wall.elapsed() >= Duration::from_secs(1) {
            last = last.print(session, &run);
        }
    }
}

/// The reference point of the per-second line.
struct Report {
    wall: WallClock,
    bytes_in: u64,
    bytes_out: u64,
    retransmits: u64,
    syncs: u64,
    line_bytes: u64,
}

impl Report {
    fn at(session: &Session<SerialTransport>, run: &AppRun) -> Self {
        let p = run.progress();
        Self {
            wall: WallClock::now(),
            bytes_in: p.bytes_in,
            bytes_out: p.bytes_out,
            retransmits: session.stack().engine().stats().retransmits,
            syncs: session.mirror().syncs,
            line_bytes: session.link().bytes_sent + session.link().bytes_received,
        }
    }

    /// Prints the line since `self`; returns the next reference point.
    fn print(self, session: &Session<SerialTransport>, run: &AppRun) -> Self {
        let now = Self::at(session, run);
        let secs = self.wall.elapsed().as_secs_f64();
        let p = run.progress();
        println!(
            "  in {:.3} / out {:.3} Mb/s; {} open / {} connections; {} retransmitted; {:.0} syncs/s, the bridge carrying {:.1} KiB/s",
            rate_mbps(now.bytes_in, self.bytes_in, secs),
            rate_mbps(now.bytes_out, self.bytes_out, secs),
            p.open,
            p.total,
            now.retransmits - self.retransmits,
            (now.syncs - self.syncs) as f64 / secs,
            (now.line_bytes - self.line_bytes) as f64 / 1024.0 / secs
        );
        now
    }
}
