//! The frame-level MAC (`FrameMac`, the co-simulation's fast fidelity)
//! against the RTL MAC in Verilator, fed the same frames: the same bytes
//! on the wire, each frame starting within 1 µs of the RTL's, the same
//! frames delivered and the same counters, drop causes and overflow
//! included (SPEC F1, F8).
use std::collections::VecDeque;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use synack_abi::regs::stat;
use synack_sim::frame_mac::{FrameMac, MacInputs, NIBBLE_CYCLES};
use synack_sim::mii::{Nibble, WireFrame, encode_frame};
use synack_sim::testbench::mac::{MacBench, MacBenchConfig, MacStats};

/// 1 µs in MII nibble times (40 ns each).
const TOLERANCE_NIBBLES: u64 = 25;

/// `FrameMac` with the same source and sink as `MacBench`: a source that
/// presents the next byte whenever it has one, a sink ready or not.
struct FrameBench {
    mac: FrameMac,
    tx: VecDeque<Vec<u8>>,
    tx_index: usize,
    rx_ready: bool,
    rx_current: Vec<u8>,
    received: Vec<Vec<u8>>,
    received_at: Vec<u64>,
    stats: [u32; 10],
}

impl FrameBench {
    fn new(rx_ready: bool) -> Self {
        Self {
            mac: FrameMac::new(),
            tx: VecDeque::new(),
            tx_index: 0,
            rx_ready,
            rx_current: Vec::new(),
            received: Vec::new(),
            received_at: Vec::new(),
            stats: [0; 10],
        }
    }

    fn run(&mut self, cycles: u64) {
        for _ in 0..cycles {
            let o = self.mac.outputs();
            for (i, count) in self.stats.iter_mut().enumerate() {
                if o.stat_events & (1 << i) != 0 {
                    *count += match i as u32 {
                        stat::TX_BYTES => u32::from(o.stat_tx_bytes),
                        stat::RX_BYTES => u32::from(o.stat_rx_bytes),
                        _ => 1,
                    };
                }
            }
            let mut i = MacInputs {
                rx_tready: self.rx_ready,
                ..MacInputs::default()
            };
            if let Some(f) = self.tx.front() {
                i.tx_tvalid = true;
                i.tx_tdata = f[self.tx_index];
                i.tx_tlast = self.tx_index + 1 == f.len();
                if o.tx_tready {
                    self.tx_index += 1;
                    if i.tx_tlast {
                        self.tx.pop_front();
                        self.tx_index = 0;
                    }
                }
            }
            if o.rx_tvalid && self.rx_ready {
                self.rx_current.push(o.rx_tdata);
                if o.rx_tlast {
                    self.received.push(std::mem::take(&mut self.rx_current));
                    self.received_at.push(self.mac.now());
                }
            }
            self.mac.clock(i);
        }
    }

    fn stats(&self) -> MacStats {
        let s = |i: u32| self.stats[i as usize];
        MacStats {
            tx_frames: s(stat::TX_FRAMES),
            tx_bytes: s(stat::TX_BYTES),
            tx_drop_oversize: s(stat::TX_DROP_OVERSIZE),
            rx_frames: s(stat::RX_FRAMES),
            rx_bytes: s(stat::RX_BYTES),
            rx_drop_fcs: s(stat::RX_DROP_FCS),
            rx_drop_runt: s(stat::RX_DROP_RUNT),
            rx_drop_oversize: s(stat::RX_DROP_OVERSIZE),
            rx_drop_rx_er: s(stat::RX_DROP_RX_ER),
            rx_drop_overflow: s(stat::RX_DROP_OVERFLOW),
        }
    }
}

fn rtl(rx_ready: bool) -> MacBench {
    MacBench::new(MacBenchConfig {
        loopback: false,
        rx_backpressure: if rx_ready { 0.0 } else { 1.0 },
        ..MacBenchConfig::default()
    })
}

fn random_frame(rng: &mut ChaCha8Rng, len: usize) -> Vec<u8> {
    (0..len).map(|_| rng.random()).collect()
}

/// Same frames on the wire, each within 1 µs of the RTL's start.
fn assert_same_wire(rtl: &[WireFrame], model: &[WireFrame]) {
    assert_eq!(rtl.len(), model.len(), "frames on the wire");
    for (i, (r, m)) in rtl.iter().zip(model).enumerate() {
        assert_eq!(r.nibbles, m.nibbles, "frame {i}'s nibbles");
        let (a, b) = (r.start, m.start);
        assert!(
            a.abs_diff(b) <= TOLERANCE_NIBBLES,
            "frame {i} starts at nibble {b}, the RTL's at {a}"
        );
    }
}

#[test]
fn frames_sent_back_to_back_leave_as_the_rtl_sends_them_within_a_microsecond() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut lens = vec![1, 59, 60, 61, 1514, 1514, 1514, 64, 1000, 1514];
    lens.extend((0..10).map(|_| rng.random_range(1..=1514)));
    let frames: Vec<Vec<u8>> = lens.iter().map(|&l| random_frame(&mut rng, l)).collect();
    let cycles: u64 = frames
        .iter()
        .map(|f| (f.len().max(60) as u64 + 40) * 8)
        .sum::<u64>()
        + 2000;
    let mut a = rtl(true);
    let mut b = FrameBench::new(true);
    for f in &frames {
        a.send(f.clone());
        b.tx.push_back(f.clone());
    }
    a.run(cycles);
    b.run(cycles);
    let (wa, wb) = (a.take_wire_frames(), b.mac.take_wire_frames());
    assert_same_wire(&wa, &wb);
    assert_eq!(a.stats(), b.stats());
}

#[test]
fn a_frame_sent_alone_starts_within_a_microsecond_of_the_rtl() {
    for delay in [0, 1, 2, 3, 500] {
        let mut a = rtl(true);
        let mut b = FrameBench::new(true);
        a.run(delay);
        b.run(delay);
        a.send(vec![0x42; 100]);
        b.tx.push_back(vec![0x42; 100]);
        a.run(3000);
        b.run(3000);
        let (wa, wb) = (a.take_wire_frames(), b.mac.take_wire_frames());
        eprintln!("delay {delay}: rtl {} model {}", wa[0].start, wb[0].start);
        assert_same_wire(&wa, &wb);
    }
}

#[test]
fn an_oversize_frame_to_send_is_dropped_and_counted_as_the_rtl_does() {
    let frames = [
        vec![1u8; 1515],
        vec![2u8; 1514],
        vec![3u8; 3000],
        vec![4u8; 70],
    ];
    let mut a = rtl(true);
    let mut b = FrameBench::new(true);
    for f in &frames {
        a.send(f.clone());
        b.tx.push_back(f.clone());
    }
    a.run(40_000);
    b.run(40_000);
    assert_same_wire(&a.take_wire_frames(), &b.mac.take_wire_frames());
    assert_eq!(a.stats(), b.stats());
    assert_eq!(b.stats().tx_drop_oversize, 2);
}

/// Good and broken frames driven in back to back, each with its gap.
fn received_frames() -> Vec<Vec<Nibble>> {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let good = |rng: &mut ChaCha8Rng, len| encode_frame(&random_frame(rng, len), true);
    let mut frames = vec![
        good(&mut rng, 60),
        good(&mut rng, 1514),
        good(&mut rng, 500),
    ];
    let mut bad_fcs = good(&mut rng, 200);
    bad_fcs[100].data ^= 1;
    frames.push(bad_fcs);
    frames.push(good(&mut rng, 59)); // runt
    frames.push(good(&mut rng, 1515)); // oversize
    frames.push(good(&mut rng, 2000)); // oversize, long
    let mut rx_er = good(&mut rng, 300);
    rx_er[200].error = true;
    frames.push(rx_er);
    let mut half = good(&mut rng, 100);
    half.pop();
    frames.push(half);
    let mut no_preamble = good(&mut rng, 100);
    no_preamble.drain(..15);
    frames.push(no_preamble);
    let mut bad_preamble = good(&mut rng, 100);
    bad_preamble[3].data = 0x7;
    frames.push(bad_preamble);
    frames.push(good(&mut rng, 64));
    frames
}

#[test]
fn received_frames_get_the_rtls_verdicts_and_reach_the_datapath_whole() {
    let mut a = rtl(true);
    let mut b = FrameBench::new(true);
    for f in received_frames() {
        a.inject_rx(&f);
        b.mac.inject_rx(&f);
    }
    a.run(80_000);
    b.run(80_000);
    let got = a.take_received();
    assert_eq!(got, b.received);
    for (i, (x, y)) in a.received_at().iter().zip(&b.received_at).enumerate() {
        eprintln!("received {i}: rtl {x} model {y}");
        assert!(
            x.abs_diff(*y) <= TOLERANCE_NIBBLES * NIBBLE_CYCLES,
            "frame {i} delivered at cycle {y}, by the RTL at {x}"
        );
    }
    assert_eq!(a.stats(), b.stats());
    assert!(got.len() >= 4, "{} frames received", got.len());
}

#[test]
fn a_receive_fifo_nobody_reads_overflows_on_the_same_frames_as_the_rtl() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut a = rtl(false);
    let mut b = FrameBench::new(false);
    for len in [700, 700, 700, 60, 100, 1514] {
        let f = encode_frame(&random_frame(&mut rng, len), true);
        a.inject_rx(&f);
        b.mac.inject_rx(&f);
    }
    a.run(60_000);
    b.run(60_000);
    assert_eq!(a.stats(), b.stats());
    assert!(b.stats().rx_drop_overflow >= 2, "{:?}", b.stats());
    assert_eq!(b.mac.now() % NIBBLE_CYCLES, 0);
}
