//! SPEC F5 from the engine's side: transmit work handed out as runs
//! (`Engine::poll_transmit_run`) is exactly the segments the engine sends
//! one at a time — same bytes, numbers, flags, options and timing — under
//! loss, reordering, recovery and close.

use super::harness::*;
use crate::tcp::segment::Segment;
use crate::tcp::{Flags, RunLimit};
use crate::time::Instant;

/// A bidirectional transfer and close over a lossy, reordering wire; the
/// wire's log.
fn lossy_exchange(runs: RunLimit, seed: u64) -> Vec<(Instant, Dir, Segment)> {
    let mut p = Pair::new();
    p.runs = runs;
    let (c, s, _) = p.connect();
    p.seed(seed);
    p.loss = 0.05;
    p.reorder = 0.1;
    let up: Vec<u8> = (0..200_000u32).map(|i| (i * 7) as u8).collect();
    let down: Vec<u8> = (0..30_000u32).map(|i| (i * 13 + 1) as u8).collect();
    let (gu, gd) = p.exchange((c, s), &up, &down, secs(3000));
    assert!(gu == up && gd == down, "seed {seed}: transfer incomplete");
    p.a.close(p.now, c).unwrap();
    p.b.close(p.now, s).unwrap();
    p.run_for(secs(400));
    assert_eq!(p.a.connection_count() + p.b.connection_count(), 0);
    p.log
}

#[test]
fn runs_put_on_the_wire_exactly_the_segments_sent_one_at_a_time() {
    let big = RunLimit {
        bytes: 64 * 1024,
        segments: usize::MAX,
    };
    for seed in 1..=8 {
        let one = lossy_exchange(RunLimit::ONE, seed);
        let runs = lossy_exchange(big, seed);
        assert_eq!(one.len(), runs.len(), "seed {seed}: segment count");
        for (i, (a, b)) in one.iter().zip(&runs).enumerate() {
            assert_eq!(a, b, "seed {seed}: segment {i} differs");
        }
    }
}

#[test]
fn new_data_leaves_as_one_run_of_full_segments_with_psh_on_the_last() {
    let t = Instant::ZERO;
    let (mut e, h, _) = establish_client(plain_config(), t, 5000);
    let mss = e.connection(h).unwrap().mss;
    // Ten and a half segments: the initial window (10) limits the run.
    let data: Vec<u8> = (0..mss * 21 / 2).map(|i| i as u8).collect();
    e.write(t, h, &data).unwrap();
    let big = RunLimit {
        bytes: 64 * 1024,
        segments: usize::MAX,
    };
    let (count, segs) = e
        .poll_transmit_run(t, big, |r| (r.segments(), r.to_segments()))
        .expect("a run");
    assert_eq!(count, 10, "cwnd allows ten segments");
    for (k, s) in segs.iter().enumerate() {
        assert_eq!(s.payload.len(), mss);
        assert_eq!(&s.payload[..], &data[k * mss..(k + 1) * mss]);
        assert!(!s.flags.contains(Flags::PSH), "PSH only ends a write");
    }
    let rtx = &e.connection(h).unwrap().send.rtx;
    assert_eq!(rtx.len(), 10, "one retransmission entry per segment");
    // A run limited to three segments stops there.
    let (mut e, h, _) = establish_client(plain_config(), t, 5000);
    e.write(t, h, &data).unwrap();
    let three = RunLimit {
        bytes: 64 * 1024,
        segments: 3,
    };
    let n = e.poll_transmit_run(t, three, |r| r.segments()).unwrap();
    assert_eq!(n, 3);
}

#[test]
fn a_run_ends_at_the_segment_carrying_psh() {
    let t = Instant::ZERO;
    let (mut e, h, _) = establish_client(plain_config(), t, 5000);
    let mss = e.connection(h).unwrap().mss;
    // Two writes: the first, two full segments, ends with PSH.
    e.write(t, h, &vec![1u8; mss * 2]).unwrap();
    e.write(t, h, &vec![2u8; mss * 3]).unwrap();
    let big = RunLimit {
        bytes: 64 * 1024,
        segments: usize::MAX,
    };
    let first = e.poll_transmit_run(t, big, |r| r.to_segments()).unwrap();
    let lens: Vec<usize> = first.iter().map(|s| s.payload.len()).collect();
    assert_eq!(lens, [mss, mss], "the run stops after the write's PSH");
    assert!(first.last().unwrap().flags.contains(Flags::PSH));
    assert!(!first[0].flags.contains(Flags::PSH));
    let second = e.poll_transmit_run(t, big, |r| r.segments()).unwrap();
    assert_eq!(second, 3);
}
