//! The MII MAC in Verilator (SPEC F1, F2, F8): frames looped back through
//! TX → MII → RX under random idle and backpressure, the wire checked by an
//! independent CRC (`crc32fast`), and each drop cause provoked on purpose.
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use synack_sim::mii::{Nibble, encode_frame, fcs, nibbles_of};
use synack_sim::testbench::mac::{LineSpeed, MacBench, MacBenchConfig};

fn random_frame(rng: &mut ChaCha8Rng, len: usize) -> Vec<u8> {
    (0..len).map(|_| rng.random()).collect()
}

fn bench(seed: u64, tx_idle: f64, rx_backpressure: f64) -> MacBench {
    MacBench::new(MacBenchConfig {
        seed,
        tx_idle,
        rx_backpressure,
        ..Default::default()
    })
}

/// Wire time of `frames` at 100 Mb/s, in core cycles, with generous slack.
fn budget(frames: &[Vec<u8>]) -> u64 {
    frames
        .iter()
        .map(|f| (f.len().max(60) as u64 + 24) * 8 + 2000)
        .sum::<u64>()
        * 2
}

fn check_loopback(seed: u64, tx_idle: f64, rx_backpressure: f64, count: usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let frames: Vec<Vec<u8>> = (0..count)
        .map(|_| {
            let len = rng.random_range(60..=1514);
            random_frame(&mut rng, len)
        })
        .collect();
    let mut bench = bench(seed, tx_idle, rx_backpressure);
    for f in &frames {
        bench.send(f.clone());
    }
    assert!(
        bench.run_until_quiet(budget(&frames)),
        "the MAC did not finish"
    );
    let wire = bench.take_wire_frames();
    assert_eq!(wire.len(), frames.len());
    for (i, (w, f)) in wire.iter().zip(&frames).enumerate() {
        assert_eq!(
            &w.payload().unwrap_or_else(|e| panic!("frame {i}: {e:?}")),
            f,
            "wire frame {i}"
        );
    }
    let received = bench.take_received();
    assert_eq!(received.len(), frames.len(), "frames received");
    for (i, (r, f)) in received.iter().zip(&frames).enumerate() {
        assert_eq!(r, f, "received frame {i} differs");
    }
    let stats = bench.stats();
    let bytes: u32 = frames.iter().map(|f| f.len() as u32).sum();
    assert_eq!((stats.tx_frames, stats.tx_bytes), (count as u32, bytes));
    assert_eq!((stats.rx_frames, stats.rx_bytes), (count as u32, bytes));
    assert_eq!(
        stats.rx_drop_fcs + stats.rx_drop_runt + stats.rx_drop_oversize,
        0
    );
}

#[test]
fn random_frames_loop_back_identical_and_in_order() {
    check_loopback(1, 0.0, 0.0, 24);
}

#[test]
fn random_frames_loop_back_under_random_idle_and_backpressure() {
    check_loopback(2, 0.3, 0.5, 24);
    check_loopback(3, 0.7, 0.2, 12);
}

#[test]
fn short_frames_are_padded_to_60_bytes_with_a_valid_fcs() {
    let mut bench = bench(4, 0.2, 0.2);
    let frames: Vec<Vec<u8>> = [1usize, 2, 14, 42, 59, 60]
        .iter()
        .map(|&n| vec![0xA5; n])
        .collect();
    for f in &frames {
        bench.send(f.clone());
    }
    assert!(bench.run_until_quiet(budget(&frames)));
    let received = bench.take_received();
    for (i, (w, f)) in bench.take_wire_frames().iter().zip(&frames).enumerate() {
        let mut padded = f.clone();
        padded.resize(60, 0);
        assert_eq!(w.payload().unwrap(), padded, "wire frame {i}");
        assert_eq!(received[i], padded, "received frame {i}");
    }
}

#[test]
fn back_to_back_frames_keep_a_gap_of_at_least_12_bytes() {
    let mut bench = bench(5, 0.0, 0.0);
    let frames = vec![
        vec![0x11; 1514],
        vec![0x22; 60],
        vec![0x33; 700],
        vec![0x44; 61],
    ];
    for f in &frames {
        bench.send(f.clone());
    }
    assert!(bench.run_until_quiet(budget(&frames)));
    let wire = bench.take_wire_frames();
    assert_eq!(wire.len(), 4);
    for w in &wire[1..] {
        assert!(w.gap_before >= 24, "gap of {} nibbles", w.gap_before);
        // Back to back: the MAC had the next frame ready, so no extra idle.
        assert!(w.gap_before <= 26, "gap of {} nibbles", w.gap_before);
    }
    for w in &wire {
        assert_eq!(w.nibbles.len() % 2, 0);
        assert!(w.nibbles[..15].iter().all(|n| n.data == 5), "preamble");
        assert_eq!(w.nibbles[15].data, 0xD, "SFD");
    }
}

#[test]
fn a_corrupted_nibble_drops_the_frame_and_counts_a_bad_fcs() {
    let mut bench = bench(6, 0.1, 0.1);
    bench.set_loopback_hook(Box::new(|index, nibbles| {
        if index == 1 {
            nibbles[100].data ^= 0x2;
        }
    }));
    let frames = vec![vec![1u8; 100], vec![2u8; 100], vec![3u8; 100]];
    for f in &frames {
        bench.send(f.clone());
    }
    assert!(bench.run_until_quiet(budget(&frames)));
    assert_eq!(
        bench.take_received(),
        vec![frames[0].clone(), frames[2].clone()]
    );
    let stats = bench.stats();
    assert_eq!(stats.rx_drop_fcs, 1);
    assert_eq!(stats.rx_frames, 2);
}

#[test]
fn a_frame_ending_on_half_a_byte_counts_as_a_bad_fcs() {
    let mut bench = bench(7, 0.0, 0.0);
    let mut nibbles = encode_frame(&[7u8; 80], true);
    nibbles.push(Nibble::data(0x3));
    bench.inject_rx(&nibbles);
    bench.run(4000);
    assert!(bench.take_received().is_empty());
    assert_eq!(bench.stats().rx_drop_fcs, 1);
}

#[test]
fn a_runt_frame_is_dropped_and_counted_and_64_bytes_pass() {
    let mut bench = bench(8, 0.0, 0.0);
    bench.inject_rx(&encode_frame(&[9u8; 59], true)); // 63 bytes with FCS
    bench.inject_rx(&encode_frame(&[10u8; 60], true)); // 64 bytes with FCS
    bench.inject_rx(&encode_frame(&[11u8; 3], true));
    bench.run(8000);
    assert_eq!(bench.take_received(), vec![vec![10u8; 60]]);
    let stats = bench.stats();
    assert_eq!(stats.rx_drop_runt, 2);
    assert_eq!(stats.rx_frames, 1);
}

#[test]
fn an_oversize_frame_is_dropped_and_counted_and_1518_bytes_pass() {
    let mut bench = bench(9, 0.0, 0.0);
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let too_long = random_frame(&mut rng, 1515); // 1519 with FCS
    let longest = random_frame(&mut rng, 1514); // 1518 with FCS
    let jabber = random_frame(&mut rng, 5000);
    bench.inject_rx(&encode_frame(&too_long, true));
    bench.inject_rx(&encode_frame(&longest, true));
    bench.inject_rx(&encode_frame(&jabber, true));
    bench.run(80_000);
    assert_eq!(bench.take_received(), vec![longest]);
    let stats = bench.stats();
    assert_eq!(stats.rx_drop_oversize, 2);
    assert_eq!(stats.rx_frames, 1);
}

#[test]
fn rx_er_during_a_frame_drops_it_and_counts() {
    let mut bench = bench(10, 0.0, 0.0);
    let mut bad = encode_frame(&[12u8; 100], true);
    bad[60].error = true;
    bench.inject_rx(&bad);
    bench.inject_rx(&encode_frame(&[13u8; 100], true));
    bench.run(8000);
    assert_eq!(bench.take_received(), vec![vec![13u8; 100]]);
    let stats = bench.stats();
    assert_eq!(stats.rx_drop_rx_er, 1);
    assert_eq!(
        stats.rx_drop_fcs, 0,
        "rx_er takes precedence: one cause per frame"
    );
}

#[test]
fn a_frame_without_preamble_starts_at_the_sfd() {
    let mut bench = bench(11, 0.0, 0.0);
    let bytes = vec![14u8; 64];
    let mut nibbles = vec![Nibble::data(0xD)];
    nibbles.extend(nibbles_of(&bytes));
    nibbles.extend(nibbles_of(&fcs(&bytes)));
    bench.inject_rx(&nibbles);
    bench.run(4000);
    assert_eq!(bench.take_received(), vec![bytes]);
}

#[test]
fn an_oversize_transmit_frame_is_dropped_whole_and_counted() {
    let mut bench = bench(12, 0.0, 0.0);
    let frames = vec![
        vec![1u8; 1515],
        vec![2u8; 1514],
        vec![3u8; 3000],
        vec![4u8; 64],
    ];
    for f in &frames {
        bench.send(f.clone());
    }
    assert!(bench.run_until_quiet(budget(&frames)));
    let wire: Vec<Vec<u8>> = bench
        .take_wire_frames()
        .iter()
        .map(|w| w.payload().unwrap())
        .collect();
    assert_eq!(wire, vec![frames[1].clone(), frames[3].clone()]);
    assert_eq!(bench.stats().tx_drop_oversize, 2);
}

#[test]
fn a_full_receive_fifo_drops_whole_frames_and_counts_overflow() {
    // The sink stalls completely: the 2 KiB receive FIFO holds one long frame.
    let mut bench = bench(13, 0.0, 1.0);
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    let frames: Vec<Vec<u8>> = (0..3).map(|_| random_frame(&mut rng, 1400)).collect();
    for f in &frames {
        bench.inject_rx(&encode_frame(f, true));
    }
    bench.run(60_000);
    let stats = bench.stats();
    assert_eq!(stats.rx_frames, 1);
    assert_eq!(stats.rx_drop_overflow, 2);
    // Now drain: the one frame kept arrives whole.
    bench.set_rx_backpressure(0.0);
    bench.run(4000);
    assert_eq!(bench.take_received(), vec![frames[0].clone()]);
}

#[test]
fn ten_megabit_mii_loops_back() {
    let mut bench = MacBench::new(MacBenchConfig {
        seed: 14,
        tx_idle: 0.2,
        rx_backpressure: 0.2,
        speed: LineSpeed::Mbps10,
        loopback: true,
    });
    let frames = vec![vec![0x5A; 60], vec![0xC3; 300]];
    for f in &frames {
        bench.send(f.clone());
    }
    assert!(bench.run_until_quiet(budget(&frames) * 10));
    assert_eq!(bench.take_received(), frames);
}
