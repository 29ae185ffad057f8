//! `synack demo`: the product's main job, co-simulated. A client and a
//! server, each the real host stack and driver over a Verilator model of the
//! fabric, joined by a wire with seeded faults: handshake, a transfer with
//! TSO and checksum offload, the four-way close, TIME-WAIT to CLOSED.
//!
//! Prints every state change, a progress bar and the goodput in simulated
//! time against the wire's limit; writes `demo.pcap` (every frame either MAC
//! sent), `handshake.svg` and `close.svg` (sequence diagrams with both
//! sides' states, like the article's figures).
//!
//! Every flag is checked when parsed ([`crate::args`]) and every output file
//! is created before the simulation starts, so a bad value or path fails at
//! once, with a message naming it.
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant as WallClock;

use anyhow::{Context, Result, ensure};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use synack_sim::cosim::transfer::{StateChange, Transfer, TransferConfig};
use synack_sim::cosim::{
    Fidelity, NodeConfig, Testbed, TraceRecord, connection_exchanges, initial_sequence_numbers,
};
use synack_sim::sequence_diagram::{Ending, render_with_ending};
use synack_sim::wire::WireConfig;

use crate::args::{
    DEMO_LIMIT_S, baud_rate, demo_micros, mebibytes, nanos, poll_micros, probability_below_one,
};
use crate::demo_board::{self, BoardDemo};

/// Payload bytes per full frame over wire byte times per frame at MSS 1460:
/// 1460 / (8 preamble + 14 + 20 + 20 + 1460 + 4 FCS + 12 gap) × 100 Mb/s.
pub const WIRE_LIMIT_MBPS: f64 = 1460.0 / 1538.0 * 100.0;
/// The same with the 12-byte timestamp option Linux sends on every segment.
pub const WIRE_LIMIT_TS_MBPS: f64 = 1448.0 / 1538.0 * 100.0;

#[derive(Args)]
pub struct DemoArgs {
    /// MiB to transfer from client to server (above 0, at most 4096);
    /// 1 MiB unless given, 8 KiB with --board.
    #[arg(long, value_parser = mebibytes)]
    size: Option<f64>,
    /// The client is the Arty board: its host reaches ArtyTop in Verilator
    /// only through the USB-UART bridge (as a PC reaches a real board); the
    /// server is a co-simulated NicCore. Prints the PHY's ID read over MDIO,
    /// the driver configuration chosen for the board and the bridge's
    /// goodput. Writes no files.
    #[arg(long, conflicts_with_all = ["out", "poll_us", "vcd"])]
    board: bool,
    /// With --board: the bridge's UART rate, baud (400000 to 12000000;
    /// 1, 3 and 12 Mbaud are the documented ones).
    #[arg(long, default_value_t = synack_abi::board::DEFAULT_BAUD, value_parser = baud_rate, requires = "board")]
    baud: u32,
    /// Probability that the wire loses a frame (each direction), in [0, 1).
    #[arg(long, default_value_t = 0.0, value_parser = probability_below_one)]
    loss: f64,
    /// Probability that the wire holds a frame back so later ones overtake it, in [0, 1).
    #[arg(long, default_value_t = 0.0, value_parser = probability_below_one)]
    reorder: f64,
    /// Probability that the wire delivers a frame twice, in [0, 1).
    #[arg(long, default_value_t = 0.0, value_parser = probability_below_one)]
    duplicate: f64,
    /// Probability that the wire flips a bit (the receiving MAC's FCS check drops it), in [0, 1).
    #[arg(long, default_value_t = 0.0, value_parser = probability_below_one)]
    corrupt: f64,
    /// One-way propagation delay of the wire, µs (at most 600 s).
    #[arg(long, default_value_t = 5, value_parser = demo_micros)]
    delay_us: u64,
    /// Seed for the wire's faults, the data and the hosts' ISN secrets.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Folder for demo.pcap, handshake.svg and close.svg.
    #[arg(long, default_value = "demo-out")]
    out: PathBuf,
    /// Hosts poll their completion rings every this many µs instead of
    /// waiting for the (coalesced) interrupt: they run only then (and when
    /// their own timers are due). 1 µs to 600 s.
    #[arg(long, value_parser = poll_micros)]
    poll_us: Option<u64>,
    /// Also write a VCD waveform of the client's NIC (every signal) to this
    /// file, for the first --vcd-us of the run. Needs `--features trace`.
    #[arg(long)]
    vcd: Option<PathBuf>,
    /// Microseconds of simulated time the waveform covers.
    #[arg(long, default_value_t = 400, value_parser = demo_micros)]
    vcd_us: u64,
    /// Run each NIC's whole NicCore in Verilator, MAC and MII included
    /// (nibble-exact, several times slower), instead of its datapath with a
    /// frame-level model of the MAC. --vcd implies it.
    #[arg(long)]
    full_rtl: bool,
}

/// How the demos name a fidelity.
pub fn fidelity_name(f: Fidelity) -> &'static str {
    match f {
        Fidelity::FullRtl => "full RTL: NicCore, MAC and MII included",
        Fidelity::Frames => "NicDatapath RTL with a frame-level MAC; --full-rtl for all of it",
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// A state change as the demos print it: time, side, state.
pub fn state_line(c: &StateChange, names: [&str; 2]) -> String {
    format!(
        "  {:>12.6} s  {:<6}  {}",
        c.at.total_micros() as f64 / 1e6,
        names[c.node],
        c.state
    )
}

/// Bytes as KiB ("16 KiB", "8.5 KiB").
pub fn kib(bytes: u64) -> String {
    let k = bytes as f64 / 1024.0;
    if k.fract() == 0.0 {
        format!("{k} KiB")
    } else {
        format!("{k:.1} KiB")
    }
}

/// The demo's output files, created before anything is simulated.
struct Outputs {
    pcap: PathBuf,
    handshake: (PathBuf, File),
    close: (PathBuf, File),
}

impl Outputs {
    /// Creates `out` and the files in it (the testbed opens the pcap again
    /// to record into it), so a folder that cannot be written fails now,
    /// not after the whole simulation.
    fn create(out: &Path) -> Result<Self> {
        std::fs::create_dir_all(out).with_context(|| {
            format!(
                "cannot create the output folder {} (--out); give a folder you can write with --out DIR",
                out.display()
            )
        })?;
        let file = |name: &str| -> Result<(PathBuf, File)> {
            let path = out.join(name);
            let file = File::create(&path).with_context(|| {
                format!(
                    "cannot write {}; remove what is there or choose another folder with --out DIR",
                    path.display()
                )
            })?;
            Ok((path, file))
        };
        Ok(Self {
            pcap: file("demo.pcap")?.0,
            handshake: file("handshake.svg")?,
            close: file("close.svg")?,
        })
    }
}

pub fn run(args: &DemoArgs) -> Result<()> {
    let default_mib = if args.board { 1.0 / 128.0 } else { 1.0 };
    let bytes = (args.size.unwrap_or(default_mib) * 1024.0 * 1024.0).round() as u64;
    let wire = |seed| -> Result<WireConfig> {
        Ok(WireConfig {
            seed,
            loss: args.loss,
            duplicate: args.duplicate,
            reorder: args.reorder,
            corrupt: args.corrupt,
            delay_ns: nanos(args.delay_us)?,
            reorder_delay_ns: 300_000,
        })
    };
    if args.board {
        return demo_board::run(&BoardDemo {
            bytes,
            baud: args.baud,
            seed: args.seed,
            wires: [wire(args.seed)?, wire(args.seed ^ 0x5A5A)?],
        });
    }
    let outputs = Outputs::create(&args.out)?;
    let mut client = NodeConfig::numbered("client", 1);
    let mut server = NodeConfig::numbered("server", 2);
    client.seed = args.seed;
    server.seed = args.seed.wrapping_add(1);
    let fidelity = if args.full_rtl || args.vcd.is_some() {
        Fidelity::FullRtl
    } else {
        Fidelity::Frames
    };
    client.fidelity = fidelity;
    server.fidelity = fidelity;
    if let Some(us) = args.poll_us {
        for node in [&mut client, &mut server] {
            node.driver.irq = synack_host::driver::IrqMode::Poll;
            node.poll_interval_ns = nanos(us)?;
        }
    }
    let server_addr = std::net::SocketAddrV4::new(server.addr.into(), 5001);
    println!(
        "synack demo: client {} ⇄ server {}, {:.2} MiB, two NICs in Verilator ({})",
        client.addr,
        server_addr,
        mib(bytes),
        fidelity_name(fidelity)
    );
    println!(
        "  wire: loss {:.1}%, reorder {:.1}%, duplicate {:.1}%, corrupt {:.1}%, delay {} µs, seed {}; {}",
        args.loss * 100.0,
        args.reorder * 100.0,
        args.duplicate * 100.0,
        args.corrupt * 100.0,
        args.delay_us,
        args.seed,
        match args.poll_us {
            Some(us) => format!("hosts poll every {us} µs"),
            None => "hosts take coalesced interrupts".to_string(),
        }
    );
    let mut tb = Testbed::new(
        [client, server],
        [wire(args.seed)?, wire(args.seed ^ 0x5A5A)?],
    )?;
    tb.record_pcap(&outputs.pcap)?;
    if let Some(path) = &args.vcd {
        start_waveform(&mut tb, path, nanos(args.vcd_us)?)?;
    }
    tb.set_tracing(true);
    let mut t = Transfer::new(TransferConfig {
        bytes,
        data_seed: args.seed,
        server: server_addr,
        server_close_delay: core::time::Duration::from_millis(1),
    });

    let bar = ProgressBar::new(bytes);
    bar.set_style(
        ProgressStyle::with_template("  {bar:40} {bytes}/{total_bytes} received, {msg}")
            .expect("template"),
    );
    let wall = WallClock::now();
    let mut printed = 0;
    let mut handshake: Vec<TraceRecord> = Vec::new();
    let mut phase = Phase::Handshake;
    // Progress every 200 µs of busy simulated time; Transfer::run crosses
    // idle stretches (TIME-WAIT) in one slice.
    let slice_ns = 200_000;
    let limit_ns = DEMO_LIMIT_S * 1_000_000_000;
    t.run(&mut tb, limit_ns, slice_ns, |t, tb| {
        for c in &t.changes[printed..] {
            bar.suspend(|| println!("{}", state_line(c, ["client", "server"])));
        }
        printed = t.changes.len();
        bar.set_position(t.received);
        let secs = tb.now_ns() as f64 / 1e9;
        bar.set_message(format!("{secs:.3} s simulated"));
        match phase {
            Phase::Handshake if t.established() => {
                handshake = tb.take_trace();
                tb.set_tracing(false);
                phase = Phase::Transfer;
            }
            Phase::Transfer if t.sent == bytes => {
                tb.set_tracing(true);
                phase = Phase::Close;
            }
            _ => {}
        }
    });
    bar.finish_and_clear();
    let close = tb.take_trace();
    let frames = tb.finish_pcap()?;
    ensure!(t.errors.is_empty(), "socket errors: {:?}", t.errors);
    ensure!(
        t.finished(),
        "the transfer did not finish in {DEMO_LIMIT_S} s of simulated time"
    );

    let (sent, received) = t.digests();
    ensure!(sent == received, "received data differs from sent data");
    let goodput = t.goodput_mbps().unwrap_or(0.0);
    println!(
        "transfer: {:.2} MiB, SHA-256 {} on both sides",
        mib(t.received),
        hex::encode(&received[..8])
    );
    println!(
        "goodput: {goodput:.2} Mb/s in simulated time = {:.2}% of the {WIRE_LIMIT_MBPS:.2} Mb/s wire limit \
         ({:.2}% of {WIRE_LIMIT_TS_MBPS:.2} Mb/s, the limit with TCP timestamps)",
        goodput / WIRE_LIMIT_MBPS * 100.0,
        goodput / WIRE_LIMIT_TS_MBPS * 100.0
    );
    let stack = tb.node(0).stack().stats();
    println!(
        "offload: client sent {} TSO sends = {} segments, {} other frames; checksums inserted and verified by the fabric",
        stack.tso_sends, stack.tso_segments, stack.plain_sends
    );
    for i in 0..2 {
        let w = tb.wire_stats(i);
        println!(
            "wire {}: {} frames, lost {}, duplicated {}, reordered {}, corrupted {}",
            ["client → server", "server → client"][i],
            w.sent,
            w.lost,
            w.duplicated,
            w.reordered,
            w.corrupted
        );
    }
    let stats = tb.stats();
    let sim_s = tb.now_ns() as f64 / 1e9;
    let wall_s = wall.elapsed().as_secs_f64();
    let cycles = stats.cycles.into_iter().max().unwrap_or(0);
    let clocked_s = cycles as f64 * 10e-9;
    let (allowed, two_share) = tb.threads();
    println!(
        "co-simulation ({}): {sim_s:.3} s simulated in {wall_s:.1} s wall ({clocked_s:.3} s clocked at {:.2} M cycles/s per NIC = {:.4} clocked simulated s per wall s, {:.3} s idle skipped; {})",
        fidelity_name(fidelity),
        cycles as f64 / wall_s / 1e6,
        clocked_s / wall_s,
        stats.skipped_ns.into_iter().max().unwrap_or(0) as f64 / 1e9,
        match (allowed, two_share) {
            (2, Some(share)) => format!(
                "the NICs on two threads in {:.0}% of the time",
                share * 100.0
            ),
            (2, None) => "too short to try two threads".to_string(),
            _ => "one thread".to_string(),
        }
    );

    let keep_handshake = {
        let mut client_acked = false;
        move |r: &TraceRecord| {
            let take = !client_acked;
            client_acked |= r.node == 0 && r.tcp.flags & 0x02 == 0;
            take
        }
    };
    // The close: every FIN, and every ACK of a FIN (by its number).
    let keep_close = {
        let mut fin_end: [Option<u32>; 2] = [None, None];
        move |r: &TraceRecord| {
            let fin = r.tcp.flags & 0x01 != 0;
            if fin {
                let end = r.tcp.seq.wrapping_add(r.tcp.payload_len as u32 + 1);
                fin_end[r.node] = Some(end);
            }
            let acks_fin = r.tcp.flags & 0x10 != 0 && fin_end[1 - r.node] == Some(r.tcp.ack);
            fin || acks_fin
        }
    };
    let end = Ending {
        at_ns: tb.now_ns(),
        left_state: t.state(0).to_string(),
        right_state: t.state(1).to_string(),
    };
    let isns = initial_sequence_numbers(&handshake);
    let Outputs {
        pcap,
        handshake: (handshake_path, handshake_file),
        close: (close_path, close_file),
    } = outputs;
    let diagrams = [
        (
            handshake_path,
            handshake_file,
            connection_exchanges(&handshake, isns, keep_handshake),
            None,
        ),
        (
            close_path,
            close_file,
            connection_exchanges(&close, isns, keep_close),
            Some(&end),
        ),
    ];
    for (path, mut file, rows, ending) in diagrams {
        ensure!(
            !rows.is_empty(),
            "no segments recorded for {}",
            path.display()
        );
        file.write_all(render_with_ending("client", "server", &rows, ending).as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {} ({} segments)", path.display(), rows.len());
    }
    println!("wrote {} ({frames} frames)", pcap.display());
    Ok(())
}

#[cfg(feature = "trace")]
fn start_waveform(tb: &mut Testbed, path: &std::path::Path, ns: u64) -> Result<()> {
    tb.node_mut(0)
        .nic_mut()
        .bench_mut()
        .dump_vcd(path, ns)
        .with_context(|| {
            format!(
                "cannot write the waveform to {} (--vcd); give a file path in a folder you can write",
                path.display()
            )
        })?;
    println!(
        "  waveform: client NIC, first {} µs, to {}",
        ns / 1000,
        path.display()
    );
    Ok(())
}

#[cfg(not(feature = "trace"))]
fn start_waveform(_: &mut Testbed, _: &std::path::Path, _: u64) -> Result<()> {
    anyhow::bail!(
        "--vcd needs the Verilator models built with tracing: cargo run --features trace -- demo --vcd FILE"
    )
}

enum Phase {
    Handshake,
    Transfer,
    Close,
}
