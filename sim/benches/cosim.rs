//! The co-simulation benchmark (issue 5): a 10 MiB transfer between two
//! co-simulated NICs, no faults, TSO and checksum offload on.
//!
//! Prints (a) goodput in simulated time, from the client's ESTABLISHED to
//! the server's read of the last byte, against the 94.93 Mb/s wire limit
//! (MSS 1460; 94.15 Mb/s with the timestamp option Linux sends), and (b) the
//! co-simulation's speed: simulated seconds per wall-clock second while the
//! fabric is busy, and over the whole run including the 60 s TIME-WAIT that
//! time skipping jumps over.
//!
//! `COSIM_MIB` sets the size (default 10); `COSIM_THREADS` fixes one (1) or
//! two (2) threads for the two models, instead of the adaptive default (0),
//! so that runs can be compared side by side (`farm-bench ... --vs ...`);
//! `COSIM_FIDELITY` picks `full` (the whole NIC in RTL, the default) or
//! `frames` (the datapath's RTL with the frame-level MAC).
use std::net::SocketAddrV4;
use std::time::Instant;

use synack_sim::cosim::transfer::{Transfer, TransferConfig};
use synack_sim::cosim::{Fidelity, NodeConfig, Testbed, Threads};
use synack_sim::wire::WireConfig;

const LIMIT: f64 = 1460.0 / 1538.0 * 100.0;
const LIMIT_TS: f64 = 1448.0 / 1538.0 * 100.0;

fn main() {
    // Knobs for side-by-side runs: `COSIM_MIB` (default 10), `COSIM_THREADS`
    // (1, 2, or 0 for the adaptive default).
    let mib: u64 = env_or("COSIM_MIB", 10);
    let threads = match env_or("COSIM_THREADS", 0u8) {
        1 => Threads::One,
        2 => Threads::Two,
        _ => Threads::Adaptive,
    };
    let fidelity = match std::env::var("COSIM_FIDELITY").as_deref() {
        Ok("frames") => Fidelity::Frames,
        Ok("full") | Err(_) => Fidelity::FullRtl,
        Ok(other) => panic!("COSIM_FIDELITY={other:?}: give `full` or `frames`"),
    };
    let bytes = mib * 1024 * 1024;
    let node = |name, i| NodeConfig {
        fidelity,
        ..NodeConfig::numbered(name, i)
    };
    let mut tb = Testbed::new(
        [node("client", 1), node("server", 2)],
        [
            WireConfig::default(),
            WireConfig {
                seed: 2,
                ..WireConfig::default()
            },
        ],
    )
    .expect("testbed");
    tb.set_threads(threads).expect("threads");
    let mut t = Transfer::new(TransferConfig {
        bytes,
        data_seed: 1,
        server: SocketAddrV4::new([10, 0, 0, 2].into(), 5001),
        server_close_delay: core::time::Duration::from_millis(1),
    });
    let wall = Instant::now();
    let mut busy_wall = None;
    let mut busy_sim_ns = 0;
    let mut busy_cycles = 0;
    let done = t.run(&mut tb, 300_000_000_000, 10_000_000, |t, tb| {
        if busy_wall.is_none() && t.all_received_at.is_some() {
            busy_wall = Some(wall.elapsed().as_secs_f64());
            busy_sim_ns = tb.now_ns();
            busy_cycles = tb.stats().cycles.into_iter().max().unwrap_or(0);
        }
    });
    assert!(
        done && t.errors.is_empty(),
        "transfer failed: {:?}",
        t.errors
    );
    let (sent, received) = t.digests();
    assert_eq!(sent, received);
    let total_wall = wall.elapsed().as_secs_f64();
    let busy_wall = busy_wall.expect("all received");
    let goodput = t.goodput_mbps().expect("goodput");
    let stats = tb.stats();
    let client = tb.node(0).stack().stats();
    println!(
        "co-simulation: {mib} MiB client → server, no faults, interrupt mode, TSO + checksum offload, {fidelity:?}"
    );
    let (allowed, share) = tb.threads();
    println!(
        "  threads: {allowed} allowed; two chosen in {} of the rounds",
        share.map_or("none".into(), |s| format!("{:.0}%", s * 100.0))
    );
    println!(
        "  (a) goodput {goodput:.3} Mb/s simulated = {:.3}% of {LIMIT:.2} Mb/s ({:.3}% of {LIMIT_TS:.2} Mb/s with timestamps)",
        goodput / LIMIT * 100.0,
        goodput / LIMIT_TS * 100.0
    );
    println!(
        "      {} TSO sends carried {} segments; {} services",
        client.tso_sends, client.tso_segments, stats.services
    );
    println!(
        "  (b) transfer: {:.4} s simulated in {busy_wall:.1} s wall = {:.5} simulated s per wall s ({:.2} M core cycles/s per NIC)",
        busy_sim_ns as f64 / 1e9,
        busy_sim_ns as f64 / 1e9 / busy_wall,
        busy_cycles as f64 / busy_wall / 1e6
    );
    println!(
        "      {} scheduling steps: {:.0} / {:.0} core cycles per step ({} / {})",
        stats.steps,
        stats.cycles[0] as f64 / stats.steps.max(1) as f64,
        stats.cycles[1] as f64 / stats.steps.max(1) as f64,
        tb.node(0).name,
        tb.node(1).name,
    );
    if fidelity == Fidelity::Frames {
        for i in 0..2 {
            let q = tb.node(i).nic().bench().quiescence_stats();
            let share = |n: u64| n as f64 / stats.cycles[i].max(1) as f64 * 100.0;
            println!(
                "      {}: of {} datapath cycles, {:.1}% skipped as quiescent, {:.1}% in {} checks, {:.1}% clocked with its ports busy, {:.1}% with them quiet",
                tb.node(i).name,
                stats.cycles[i],
                share(q.skipped),
                share(q.checks),
                q.checks,
                share(q.busy),
                share(q.unproved),
            );
        }
    }
    println!(
        "      whole run with TIME-WAIT: {:.3} s simulated in {total_wall:.1} s wall = {:.2} simulated s per wall s ({:.3} s skipped)",
        tb.now_ns() as f64 / 1e9,
        tb.now_ns() as f64 / 1e9 / total_wall,
        stats.skipped_ns.into_iter().max().unwrap_or(0) as f64 / 1e9
    );
}

/// The environment variable `name` parsed, or `default` when unset.
fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number; unset it or give one")),
        Err(_) => default,
    }
}
