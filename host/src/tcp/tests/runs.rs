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
        defer: false,
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
        defer: false,
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
        defer: false,
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
        defer: false,
    };
    let first = e.poll_transmit_run(t, big, |r| r.to_segments()).unwrap();
    let lens: Vec<usize> = first.iter().map(|s| s.payload.len()).collect();
    assert_eq!(lens, [mss, mss], "the run stops after the write's PSH");
    assert!(first.last().unwrap().flags.contains(Flags::PSH));
    assert!(!first[0].flags.contains(Flags::PSH));
    let second = e.poll_transmit_run(t, big, |r| r.segments()).unwrap();
    assert_eq!(second, 3);
}

const TSO: RunLimit = RunLimit {
    bytes: 64 * 1024,
    segments: usize::MAX,
    defer: true,
};

/// A client that sent its first ten segments at `t` (the initial window).
fn client_with_a_full_window(t: Instant) -> (crate::tcp::Engine, crate::tcp::ConnectionHandle) {
    let (mut e, h, _) = establish_client(plain_config(), t, 5000);
    let mss = e.connection(h).unwrap().mss;
    e.write(t, h, &vec![3u8; mss * 40]).unwrap();
    let n = e.poll_transmit_run(t, TSO, |r| r.segments()).unwrap();
    assert_eq!(n, 10, "the initial window goes at once");
    (e, h)
}

fn ack_segments(e: &mut crate::tcp::Engine, h: crate::tcp::ConnectionHandle, t: Instant, n: usize) {
    let c = e.connection(h).unwrap();
    let ack = c.snd_una + n * c.mss;
    e.handle_segment(
        t,
        seg(server_addr(), client_addr(), 5001, ack.0, Flags::ACK),
    );
}

#[test]
fn with_tso_a_small_opening_of_the_window_waits_for_the_next_ack() {
    // Linux tcp_tso_should_defer. One segment ACKed in slow start: cwnd
    // 11, 9 in flight, room for 2 — less than a third of the window — and
    // the next ACK is due: hold back.
    let t0 = Instant::from_secs(1);
    let (mut e, h) = client_with_a_full_window(t0);
    let t1 = t0 + core::time::Duration::from_micros(300);
    ack_segments(&mut e, h, t1, 1);
    assert!(
        e.poll_transmit_run(t1, TSO, |r| r.segments()).is_none(),
        "deferred"
    );
    // Two more: cwnd 13, 7 in flight, room for 6 — over a third: one run.
    ack_segments(&mut e, h, t1, 2);
    let n = e
        .poll_transmit_run(t1, TSO, |r| r.segments())
        .expect("a third of the window");
    assert_eq!(n, 6, "one larger run");
}

#[test]
fn deferral_ends_after_a_millisecond_without_sending() {
    let t0 = Instant::from_secs(1);
    let (mut e, h) = client_with_a_full_window(t0);
    let t1 = t0 + core::time::Duration::from_micros(1_500);
    ack_segments(&mut e, h, t1, 1);
    let n = e
        .poll_transmit_run(t1, TSO, |r| r.segments())
        .expect("sent, not deferred");
    assert!(n >= 2);
}

#[test]
fn without_tso_nothing_is_deferred() {
    let t0 = Instant::from_secs(1);
    let (mut e, h) = client_with_a_full_window(t0);
    let t1 = t0 + core::time::Duration::from_micros(300);
    ack_segments(&mut e, h, t1, 1);
    let software = RunLimit {
        defer: false,
        ..TSO
    };
    assert!(
        e.poll_transmit_run(t1, software, |r| r.segments())
            .is_some()
    );
}
