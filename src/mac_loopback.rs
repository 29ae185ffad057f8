//! `synack mac-loopback`: random frames through the MII MAC in Verilator, looped back
//! by a PHY model, and what happened on the way.
use anyhow::{Result, ensure};
use clap::Args;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;
use synack_sim::testbench::mac::{MacBench, MacBenchConfig};

use crate::args::{frame_count, probability_below_one};

#[derive(Args)]
pub struct MacLoopbackArgs {
    /// Frames to send (1 to 100000).
    #[arg(long, default_value_t = 20, value_parser = frame_count)]
    frames: usize,
    /// Seed for frame sizes, contents, idle and backpressure.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Probability that the frame source idles a cycle, in [0, 1) (at 1 it
    /// would never send).
    #[arg(long, default_value_t = 0.2, value_parser = probability_below_one)]
    idle: f64,
    /// Probability that the receiver is not ready in a cycle, in [0, 1) (at
    /// 1 it would never take a frame, so the run could never finish).
    #[arg(long, default_value_t = 0.2, value_parser = probability_below_one)]
    backpressure: f64,
}

pub fn run(args: &MacLoopbackArgs) -> Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let frames: Vec<Vec<u8>> = (0..args.frames)
        .map(|_| {
            let len = rng.random_range(1..=1514);
            (0..len).map(|_| rng.random()).collect()
        })
        .collect();
    println!(
        "synack mac-loopback: {} random frames through the MII MAC (Verilator), looped back by the PHY model",
        frames.len()
    );
    let mut bench = MacBench::new(MacBenchConfig {
        seed: args.seed,
        tx_idle: args.idle,
        rx_backpressure: args.backpressure,
        ..Default::default()
    });
    for f in &frames {
        bench.send(f.clone());
    }
    let wall = Instant::now();
    let budget = frames
        .iter()
        .map(|f| (f.len() as u64 + 100) * 40)
        .sum::<u64>()
        + 10_000;
    ensure!(
        bench.run_until_quiet(budget),
        "the MAC did not finish within {budget} cycles"
    );
    let elapsed = wall.elapsed();
    let wire = bench.take_wire_frames();
    let received = bench.take_received();
    for (i, w) in wire.iter().enumerate() {
        let sent = &frames[i];
        let on_wire = w.payload();
        let verdict = match (&on_wire, received.get(i)) {
            (Ok(p), Some(r)) if p.starts_with(sent) && r == p => "ok",
            (Err(_), _) => "BAD FCS ON WIRE",
            _ => "MISMATCH",
        };
        let gap = if w.gap_before == u64::MAX {
            "-".to_string()
        } else {
            w.gap_before.to_string()
        };
        println!(
            "  frame {i:>3}: {:>4} bytes sent, {:>4} on the wire + FCS, gap before {:>3} nibbles, \
             at {:>7} ns: {verdict}",
            sent.len(),
            on_wire.as_ref().map_or(0, Vec::len),
            gap,
            w.start * 40,
        );
    }
    let stats = bench.stats();
    println!("counters: {stats:?}");
    println!(
        "{} core cycles ({:.3} ms simulated) in {:.2} s wall: {:.0} core cycles/s",
        bench.core_cycles(),
        bench.sim_time_ns() as f64 / 1e6,
        elapsed.as_secs_f64(),
        bench.core_cycles() as f64 / elapsed.as_secs_f64()
    );
    ensure!(
        received.len() == frames.len(),
        "{} of {} frames came back",
        received.len(),
        frames.len()
    );
    for (i, (r, f)) in received.iter().zip(&frames).enumerate() {
        let mut padded = f.clone();
        padded.resize(f.len().max(60), 0);
        ensure!(*r == padded, "frame {i} came back different");
    }
    println!("all {} frames came back identical, in order", frames.len());
    Ok(())
}
