//! `synack tap`: the co-simulated NIC, with the real driver and stack,
//! on the same link as the Linux kernel (SPEC S4). The kernel's side is a
//! TAP device inside a network namespace of its own (created, or borrowed
//! with `--netns`), holding the Linux side's address; synack runs an
//! application on its socket API on the other side:
//!
//! ```text
//! synack tap --serve http        # then: ip netns exec NS curl http://192.0.2.2/
//! synack tap --connect 192.0.2.1:5000 --send 1
//! ```
//!
//! Prints the addresses at start, every TCP state change, and a line per
//! second (throughput, retransmissions, co-simulation speed). Ends on
//! Ctrl-C (or SIGTERM), after `--seconds`, or when a client app is done;
//! the namespace it created and the TAP go away on every exit.

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::time::{Duration, Instant as WallClock};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use synack_apps::Progress;
use synack_host::tcp::SynCookies;
use synack_host::wire::{Ipv4Address, Ipv4Cidr};
use synack_sim::cosim::{Fidelity, NodeConfig, Testbed};
use synack_sim::tap::{TapConfig, TapLink};
use synack_sim::wire::WireConfig;

use crate::app_run::{AppArgs, AppRun, rate_mbps, stop_flag};
use crate::args;

#[derive(Args)]
pub struct TapArgs {
    #[command(flatten)]
    app: AppArgs,
    /// Use this existing network namespace instead of creating one.
    #[arg(long)]
    netns: Option<String>,
    /// The Linux side's address (in the namespace, on the TAP).
    #[arg(long, default_value_t = synack_sim::tap::DEFAULT_LINUX_ADDR)]
    linux_addr: Ipv4Addr,
    /// synack's address.
    #[arg(long, default_value_t = synack_sim::tap::DEFAULT_SYNACK_ADDR)]
    addr: Ipv4Addr,
    /// Prefix length of the link's network.
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u8).range(1..=30))]
    prefix: u8,
    /// synack's router for addresses off the link's network (e.g. the Linux
    /// side's address); without one, off-link addresses have no route.
    #[arg(long)]
    gateway: Option<Ipv4Addr>,
    /// Stop after this many seconds of wall time (default: run until Ctrl-C).
    #[arg(long)]
    seconds: Option<u64>,
    /// Probability that the wire loses a frame (each direction).
    #[arg(long, default_value_t = 0.0, value_parser = args::probability_below_one)]
    loss: f64,
    /// Probability that the wire holds a frame back so later ones overtake it.
    #[arg(long, default_value_t = 0.0, value_parser = args::probability_below_one)]
    reorder: f64,
    /// Probability that the wire delivers a frame twice.
    #[arg(long, default_value_t = 0.0, value_parser = args::probability_below_one)]
    duplicate: f64,
    /// Probability that the wire flips a bit (the receiving side's FCS check drops it).
    #[arg(long, default_value_t = 0.0, value_parser = args::probability_below_one)]
    corrupt: f64,
    /// One-way delay of the wire, µs of simulated time.
    #[arg(long, default_value_t = 5, value_parser = args::demo_micros)]
    delay_us: u64,
    /// Seed for the wire's faults, the data and the stack's ISN secret.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Record every frame on the link into this pcap file.
    #[arg(long)]
    pcap: Option<PathBuf>,
    /// SYN cookies (`net.ipv4.tcp_syncookies`): off, when the SYN queue is full, or always.
    #[arg(long, value_enum, default_value_t = Cookies::WhenFull)]
    syncookies: Cookies,
    /// SYN-queue length per listener (`net.ipv4.tcp_max_syn_backlog`).
    #[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    syn_backlog: u32,
    /// Run the whole NicCore in Verilator, MAC and MII included (slower:
    /// Linux sees a slower link), instead of its datapath with a
    /// frame-level model of the MAC.
    #[arg(long)]
    full_rtl: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Cookies {
    Off,
    WhenFull,
    Always,
}

pub fn run(a: &TapArgs) -> Result<()> {
    let app = a.app.app(a.seed)?;
    if let Some(path) = &a.pcap {
        std::fs::File::create(path).with_context(|| {
            format!(
                "cannot write the pcap file {}; choose a path in a folder you can write",
                path.display()
            )
        })?;
    }
    let stop = stop_flag()?;
    let cfg = TapConfig::with_addresses(a.netns.as_deref(), a.linux_addr, a.addr, a.prefix);
    let netmask = cfg.netmask();
    if let Some(gw) = a.gateway {
        let on_link = Ipv4Cidr::from_netmask(a.addr.into(), netmask.into())
            .is_some_and(|net| net.is_on_link(&gw.into()));
        if !on_link || gw == a.addr {
            bail!(
                "--gateway {gw} is not another address on synack's /{} network ({}); \
                 give an address on it, e.g. the Linux side's {}",
                a.prefix,
                a.addr,
                a.linux_addr
            );
        }
    }
    let link = TapLink::open(cfg.clone()).context("setting up the TAP link")?;
    let wire = |seed| WireConfig {
        seed,
        loss: a.loss,
        duplicate: a.duplicate,
        reorder: a.reorder,
        corrupt: a.corrupt,
        delay_ns: a.delay_us * 1000,
        reorder_delay_ns: 300_000,
    };
    let mut node = NodeConfig::numbered("synack", 2);
    node.addr = Ipv4Address::from(a.addr);
    node.netmask = Ipv4Address::from(netmask);
    node.gateway = a.gateway.map(Ipv4Address::from);
    node.seed = a.seed;
    node.tcp.syncookies = match a.syncookies {
        Cookies::Off => SynCookies::Off,
        Cookies::WhenFull => SynCookies::WhenFull,
        Cookies::Always => SynCookies::Always,
    };
    node.tcp.max_syn_backlog = a.syn_backlog as usize;
    node.fidelity = if a.full_rtl {
        Fidelity::FullRtl
    } else {
        Fidelity::Frames
    };
    let fidelity = node.fidelity;
    let mac = node.mac;
    let mut tb = Testbed::with_tap(node, link, [wire(a.seed), wire(a.seed ^ 0x5A5A)])?;
    if let Some(path) = &a.pcap {
        tb.record_pcap(path)?;
    }
    println!(
        "synack tap: namespace {ns}, Linux side {linux}/{prefix} on {dev}; synack {addr} ({mac}), one NIC in Verilator ({fidelity})",
        ns = cfg.netns,
        linux = a.linux_addr,
        prefix = a.prefix,
        dev = cfg.device,
        addr = a.addr,
        fidelity = crate::demo::fidelity_name(fidelity),
    );
    println!(
        "{}",
        a.app
            .describe(a.addr, &format!("ip netns exec {} ", cfg.netns))
    );
    println!("ready");
    let result = serve(&mut tb, AppRun::new(app, stop, a.seconds));
    if let Some(path) = &a.pcap {
        let frames = tb.finish_pcap()?;
        println!("wrote {} ({frames} frames)", path.display());
    }
    let (oversize, queue_full) = tb.tap_drops();
    if oversize + queue_full > 0 {
        println!(
            "tap: {oversize} oversize frames from the kernel dropped, {queue_full} frames to a full kernel queue dropped"
        );
    }
    let st = tb.stats();
    println!(
        "co-simulation: {:.3} s simulated, {} cycles clocked, {} skips over {:.3} s, {} services, {} idle probes",
        tb.now_ns() as f64 / 1e9,
        st.cycles[0],
        st.skips,
        st.skipped_ns[0] as f64 / 1e9,
        st.services,
        st.probes
    );
    drop(tb);
    println!("namespace and TAP removed");
    result
}

fn serve(tb: &mut Testbed, mut run: AppRun) -> Result<()> {
    let mut last = (WallClock::now(), tb.now_ns(), Progress::default(), 0u64);
    loop {
        tb.run_until(
            2_000_000,
            &mut |_, net| {
                run.poll(net);
                None
            },
            |_| false,
        );
        if let Some(end) = run.check() {
            return end;
        }
        if last.0.elapsed() >= Duration::from_secs(1) {
            last = report(tb, run.progress(), last);
        }
    }
}

/// One status line; returns the new reference point.
fn report(
    tb: &Testbed,
    p: Progress,
    (wall, sim_ns, before, retrans): (WallClock, u64, Progress, u64),
) -> (WallClock, u64, Progress, u64) {
    let dt = wall.elapsed().as_secs_f64();
    let sim = (tb.now_ns() - sim_ns) as f64 / 1e9;
    let stats = tb.node(0).stack().engine().stats();
    // Throughput per second of wall time, and per second of simulated time
    // (what the link carried as the fabric sees it).
    println!(
        "  [{:>8.3} s sim] in {:.3} / out {:.3} Mb/s of wall time, in {:.2} / out {:.2} Mb/s of simulated time; \
         {} open / {} connections; {} retransmitted; co-sim {:.4} simulated s per wall s",
        tb.now_ns() as f64 / 1e9,
        rate_mbps(p.bytes_in, before.bytes_in, dt),
        rate_mbps(p.bytes_out, before.bytes_out, dt),
        rate_mbps(p.bytes_in, before.bytes_in, sim),
        rate_mbps(p.bytes_out, before.bytes_out, sim),
        p.open,
        p.total,
        stats.retransmits - retrans,
        sim / dt
    );
    (WallClock::now(), tb.now_ns(), p, stats.retransmits)
}
