//! MII MAC benchmark: (a) Verilator speed in core cycles per wall second under
//! full load (back-to-back frames both ways), (b) wire efficiency in simulated
//! time: back-to-back 1514-byte frames must leave at the 100 Mb/s line rate,
//! 1538 bytes each on the wire (preamble, SFD, FCS, gap): 8,127 frames/s.
//!
//! `cargo bench -p synack-sim --bench eth_mac_mii` prints both figures.
use std::time::Instant;
use synack_sim::testbench::mac::{MacBench, MacBenchConfig};

const FRAMES: usize = 400;
const WARMUP: usize = 5;

fn main() {
    let mut bench = MacBench::new(MacBenchConfig::default());
    for i in 0..FRAMES {
        bench.send(vec![i as u8; 1514]);
    }
    let wall = Instant::now();
    let finished = bench.run_until_quiet(FRAMES as u64 * 1538 * 8 * 2);
    let elapsed = wall.elapsed().as_secs_f64();
    assert!(finished, "the MAC did not finish");
    let cycles = bench.core_cycles();
    let wire = bench.take_wire_frames();
    assert_eq!(
        bench.take_received().len(),
        FRAMES,
        "every frame looped back"
    );
    assert_eq!(wire.len(), FRAMES);

    // Simulated time from the start of frame WARMUP to the start of the last.
    let tx_cycles = wire[FRAMES - 1].start - wire[WARMUP].start;
    let seconds = tx_cycles as f64 * 40e-9;
    let frames_per_s = (FRAMES - 1 - WARMUP) as f64 / seconds;
    let line_rate = 100e6 / (1538.0 * 8.0);
    let min_gap = wire[1..].iter().map(|w| w.gap_before).min().unwrap_or(0);
    println!("eth_mac_mii, {FRAMES} back-to-back 1514-byte frames, TX -> MII -> loopback -> RX");
    println!(
        "  (a) Verilator: {cycles} core cycles in {elapsed:.2} s wall = {:.2} M core cycles/s ({:.1}x slower than 100 MHz)",
        cycles as f64 / elapsed / 1e6,
        100e6 / (cycles as f64 / elapsed)
    );
    println!(
        "  (b) wire: {frames_per_s:.1} frames/s simulated; line rate {line_rate:.1}; ratio {:.5}; smallest gap {min_gap} nibbles",
        frames_per_s / line_rate
    );
    println!(
        "      goodput {:.3} Mb/s of frame data (1514 B each)",
        frames_per_s * 1514.0 * 8.0 / 1e6
    );
}
