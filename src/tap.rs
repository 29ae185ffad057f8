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

use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant as WallClock};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use synack_apps::discard::DiscardServer;
use synack_apps::echo::EchoServer;
use synack_apps::http::HttpServer;
use synack_apps::iperf3::Iperf3Server;
use synack_apps::sender::Sender;
use synack_apps::{App, Progress};
use synack_host::socket::Net;
use synack_host::tcp::{State, SynCookies};
use synack_host::wire::Ipv4Address;
use synack_sim::cosim::{NodeConfig, Testbed};
use synack_sim::tap::{TapConfig, TapLink};
use synack_sim::wire::WireConfig;

use crate::args;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Service {
    /// RFC 862 echo (port 7).
    Echo,
    /// RFC 863 discard (port 9).
    Discard,
    /// HTTP: `/` a status page, `/bytes/N` N bytes (port 80).
    Http,
    /// iperf3 server for TCP tests, `-R` included (port 5201).
    Iperf3,
}

impl Service {
    fn default_port(self) -> u16 {
        match self {
            Service::Echo => 7,
            Service::Discard => 9,
            Service::Http => 80,
            Service::Iperf3 => 5201,
        }
    }
}

#[derive(Args)]
pub struct TapArgs {
    /// Run this server on synack.
    #[arg(long, value_enum, conflicts_with = "connect")]
    serve: Option<Service>,
    /// The server's port (default: the service's usual port).
    #[arg(long, requires = "serve")]
    port: Option<u16>,
    /// Client mode: connect to ADDR:PORT on the Linux side and send --send MiB.
    #[arg(long, requires = "send")]
    connect: Option<SocketAddrV4>,
    /// MiB to send in client mode.
    #[arg(long, value_parser = args::mebibytes, requires = "connect")]
    send: Option<f64>,
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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Cookies {
    Off,
    WhenFull,
    Always,
}

/// Ctrl-C and SIGTERM set this; the run loop checks it.
fn stop_flag() -> Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    ctrlc::set_handler(move || s.store(true, Ordering::SeqCst))
        .context("installing the Ctrl-C handler")?;
    Ok(stop)
}

pub fn run(a: &TapArgs) -> Result<()> {
    if a.serve.is_none() && a.connect.is_none() {
        bail!(
            "say what synack should run: --serve echo|discard|http|iperf3, or --connect ADDR:PORT --send MiB"
        );
    }
    if let Some(path) = &a.pcap {
        std::fs::File::create(path).with_context(|| {
            format!(
                "cannot write the pcap file {}; choose a path in a folder you can write",
                path.display()
            )
        })?;
    }
    let stop = stop_flag()?;
    let mut cfg = TapConfig::for_process();
    if let Some(ns) = &a.netns {
        cfg.netns = ns.clone();
        cfg.borrow_netns = true;
    }
    cfg.linux_addr = a.linux_addr;
    cfg.synack_addr = a.addr;
    cfg.prefix = a.prefix;
    let netmask = cfg.netmask();
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
    node.seed = a.seed;
    node.tcp.syncookies = match a.syncookies {
        Cookies::Off => SynCookies::Off,
        Cookies::WhenFull => SynCookies::WhenFull,
        Cookies::Always => SynCookies::Always,
    };
    node.tcp.max_syn_backlog = a.syn_backlog as usize;
    let mac = node.mac;
    let mut tb = Testbed::with_tap(node, link, [wire(a.seed), wire(a.seed ^ 0x5A5A)])?;
    if let Some(path) = &a.pcap {
        tb.record_pcap(path)?;
    }
    let mut app: Box<dyn App> = match (a.serve, a.connect) {
        (Some(s), _) => {
            let port = a.port.unwrap_or(s.default_port());
            match s {
                Service::Echo => Box::new(EchoServer::new(port)),
                Service::Discard => Box::new(DiscardServer::new(port)),
                Service::Http => Box::new(HttpServer::new(port)),
                Service::Iperf3 => Box::new(Iperf3Server::new(port)),
            }
        }
        (None, Some(peer)) => {
            let bytes = (a.send.unwrap_or(1.0) * 1024.0 * 1024.0).round() as u64;
            Box::new(Sender::new(peer, bytes, a.seed))
        }
        (None, None) => unreachable!("checked above"),
    };
    println!(
        "synack tap: namespace {ns}, Linux side {linux}/{prefix} on {dev}; synack {addr} ({mac}), one NicCore in Verilator",
        ns = cfg.netns,
        linux = a.linux_addr,
        prefix = a.prefix,
        dev = cfg.device,
        addr = a.addr,
    );
    match (a.serve, a.connect) {
        (Some(s), _) => println!(
            "  serving {:?} on {}:{}; try: ip netns exec {} {}",
            s,
            a.addr,
            a.port.unwrap_or(s.default_port()),
            cfg.netns,
            hint(s, a.addr)
        ),
        (None, Some(peer)) => println!("  sending to {peer}"),
        (None, None) => {}
    }
    println!("ready");
    let result = serve(&mut tb, app.as_mut(), &stop, a.seconds);
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
        st.cycles,
        st.skips,
        st.skipped_ns as f64 / 1e9,
        st.services,
        st.probes
    );
    drop(tb);
    println!("namespace and TAP removed");
    result
}

fn hint(s: Service, addr: Ipv4Addr) -> String {
    match s {
        Service::Echo => format!("nc {addr} 7"),
        Service::Discard => format!("nc {addr} 9 < /dev/zero"),
        Service::Http => format!("curl http://{addr}/"),
        Service::Iperf3 => format!("iperf3 -c {addr} -t 3"),
    }
}

/// Connection states by 4-tuple, to print changes.
#[derive(Default)]
struct States {
    known: Vec<(SocketAddrV4, SocketAddrV4, State)>,
}

impl States {
    fn update(&mut self, net: &Net<'_>) {
        let rows = net.engine().sockets(net.now());
        let now_s = net.now().total_micros() as f64 / 1e6;
        let mut next = Vec::new();
        for r in rows.iter() {
            let Some(peer) = r.peer else { continue };
            let before = self
                .known
                .iter()
                .find(|(l, p, _)| *l == r.local && *p == peer)
                .map(|k| k.2);
            if before != Some(r.state) {
                println!(
                    "  {now_s:>10.6} s  {} ⇄ {}  {}",
                    r.local,
                    peer,
                    r.state.rfc_name()
                );
            }
            next.push((r.local, peer, r.state));
        }
        for (l, p, _) in &self.known {
            if !next.iter().any(|(l2, p2, _)| l2 == l && p2 == p) {
                println!("  {now_s:>10.6} s  {l} ⇄ {p}  CLOSED");
            }
        }
        self.known = next;
    }
}

fn serve(
    tb: &mut Testbed,
    app: &mut dyn App,
    stop: &AtomicBool,
    seconds: Option<u64>,
) -> Result<()> {
    let wall = WallClock::now();
    let limit = seconds.map(Duration::from_secs);
    let mut started = false;
    let mut start_error = None;
    let mut states = States::default();
    let mut last = (WallClock::now(), tb.now_ns(), Progress::default(), 0u64);
    loop {
        let mut apps = |_: usize, net: &mut Net<'_>| {
            if !started {
                started = true;
                if let Err(e) = app.start(net) {
                    start_error = Some(e);
                }
            }
            app.poll(net);
            states.update(net);
            None
        };
        tb.run_until(2_000_000, &mut apps, |_| false);
        if let Some(e) = start_error.take() {
            bail!("the application could not start: {e}");
        }
        for line in app.take_log() {
            println!("  {line}");
        }
        if last.0.elapsed() >= Duration::from_secs(1) {
            last = report(tb, app.progress(), last);
        }
        if stop.load(Ordering::SeqCst) {
            println!("stopping (signal)");
            return Ok(());
        }
        if limit.is_some_and(|l| wall.elapsed() >= l) {
            println!("stopping (--seconds)");
            return Ok(());
        }
        if app.finished() {
            return match app.outcome() {
                Some(Err(e)) => bail!("{e}"),
                Some(Ok(summary)) => {
                    println!("{summary}");
                    Ok(())
                }
                None => Ok(()),
            };
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
    let rate = |a: u64, b: u64, secs: f64| {
        if secs > 0.0 {
            (a - b) as f64 * 8.0 / secs / 1e6
        } else {
            0.0
        }
    };
    println!(
        "  [{:>8.3} s sim] in {:.3} / out {:.3} Mb/s of wall time, in {:.2} / out {:.2} Mb/s of simulated time; \
         {} open / {} connections; {} retransmitted; co-sim {:.4} simulated s per wall s",
        tb.now_ns() as f64 / 1e9,
        rate(p.bytes_in, before.bytes_in, dt),
        rate(p.bytes_out, before.bytes_out, dt),
        rate(p.bytes_in, before.bytes_in, sim),
        rate(p.bytes_out, before.bytes_out, sim),
        p.open,
        p.total,
        stats.retransmits - retrans,
        sim / dt
    );
    (WallClock::now(), tb.now_ns(), p, stats.retransmits)
}
