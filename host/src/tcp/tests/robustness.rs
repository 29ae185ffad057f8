//! SPEC preamble ("bad input, everywhere"), C1: hostile segments never panic,
//! never disturb another connection, never lose accepted data. Also SACK
//! reporting and a bidirectional lossy transfer.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::harness::*;
use crate::tcp::segment::{Flags, SackBlock, Segment, SeqNumber, TcpOptions, Timestamps, addr};
use crate::tcp::{Config, State, WriteError};
use crate::time::Instant;

fn random_segment(rng: &mut ChaCha8Rng, near: &Segment) -> Segment {
    let mut s = near.clone();
    s.flags = Flags(rng.random());
    s.seq = if rng.random_bool(0.5) {
        near.seq + rng.random_range(0..100_000usize)
    } else {
        SeqNumber(rng.random())
    };
    s.ack = if rng.random_bool(0.5) {
        near.ack - rng.random_range(0..100_000usize)
    } else {
        SeqNumber(rng.random())
    };
    s.window = rng.random();
    s.options = TcpOptions {
        mss: rng.random_bool(0.3).then(|| rng.random()),
        window_scale: rng.random_bool(0.3).then(|| rng.random()),
        sack_permitted: rng.random(),
        sack_blocks: (0..rng.random_range(0..5))
            .map(|_| SackBlock {
                left: SeqNumber(rng.random()),
                right: SeqNumber(rng.random()),
            })
            .collect(),
        timestamps: rng.random_bool(0.5).then(|| Timestamps {
            tsval: rng.random(),
            tsecr: rng.random(),
        }),
    };
    let len = rng.random_range(0..3000);
    s.payload = (0..len).map(|_| rng.random()).collect();
    s
}

#[test]
fn random_hostile_segments_never_panic_nor_disturb_other_connections() {
    let mut p = Pair::new();
    let (c1, s1, l) = p.connect();
    let c2 = p.a.connect(p.now, A_IP, server_addr()).unwrap();
    p.run_for(ms(50));
    let (s2, _) = p.b.accept(l).unwrap();
    assert_eq!(p.a.state(c2), State::Established);
    let victim_ab = p.sent(Dir::AtoB).last().unwrap().clone();
    let t1 = p.a.connection(c1).unwrap().tuple();
    let mut near_b = victim_ab.clone();
    near_b.src = t1.local;
    near_b.dst = t1.remote;
    let mut near_a = Segment::new(t1.remote, t1.local, near_b.ack, near_b.seq, Flags::ACK);
    near_a.window = 500;
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    let data: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
    let mut written = 0;
    let mut got = Vec::new();
    for round in 0..400 {
        for _ in 0..25 {
            let to_b = random_segment(&mut rng, &near_b);
            p.b.handle_segment(p.now, to_b);
            let to_a = random_segment(&mut rng, &near_a);
            p.a.handle_segment(p.now, to_a);
            // Junk for listeners and unknown tuples too.
            let mut stray = random_segment(&mut rng, &near_b);
            stray.src = addr(192, 168, 1, rng.random(), rng.random());
            p.b.handle_segment(p.now, stray);
        }
        if written < data.len() {
            if let Ok(n) = p.a.write(p.now, c2, &data[written..]) {
                written += n;
            }
        }
        p.run_for(ms(20));
        got.extend(p.read_all(false, s2));
        let _ = round;
    }
    p.run_for(secs(5));
    got.extend(p.read_all(false, s2));
    assert_eq!(got, data, "the bystander connection's stream is intact");
    let _ = (c1, s1);
}

#[test]
fn sack_blocks_report_out_of_order_data_most_recent_first() {
    // SPEC R3 with SACK (RFC 2018 §4).
    let now = Instant::from_secs(10);
    let cfg = Config {
        timestamps: false,
        ..Config::default()
    };
    let (mut e, _h, syn) = client(cfg, now);
    let cisn = syn.seq.0;
    let mut sa = seg(
        server_addr(),
        client_addr(),
        5000,
        cisn.wrapping_add(1),
        Flags::SYN | Flags::ACK,
    );
    sa.options.mss = Some(1460);
    sa.options.sack_permitted = true;
    e.handle_segment(now, sa);
    let _ = drain(&mut e, now);
    for start in [5101u32, 5301] {
        let mut d = seg(
            server_addr(),
            client_addr(),
            start,
            cisn.wrapping_add(1),
            Flags::ACK,
        );
        d.payload = vec![0; 100].into();
        e.handle_segment(now, d);
    }
    let out = drain(&mut e, now);
    let last = out.last().unwrap();
    assert_eq!(last.ack, SeqNumber(5001));
    assert_eq!(
        last.options.sack_blocks.to_vec(),
        vec![
            SackBlock {
                left: SeqNumber(5301),
                right: SeqNumber(5401)
            },
            SackBlock {
                left: SeqNumber(5101),
                right: SeqNumber(5201)
            },
        ]
    );
}

#[test]
fn bidirectional_transfer_over_a_lossy_wire_is_exact() {
    // SPEC R1–R3 both ways at once.
    let mut p = Pair::new();
    let (c, s, _) = p.connect();
    p.seed(42);
    p.loss = 0.02;
    p.reorder = 0.05;
    let up: Vec<u8> = (0..100_000u32).map(|i| (i * 7) as u8).collect();
    let down: Vec<u8> = (0..100_000u32).map(|i| (i * 13 + 1) as u8).collect();
    let (gu, gd) = p.exchange((c, s), &up, &down, secs(600));
    assert!(
        gu.len() == up.len() && gd.len() == down.len(),
        "up {} down {}",
        gu.len(),
        gd.len()
    );
    assert!(gu == up && gd == down);
}

#[test]
fn duplicate_segment_is_reported_with_a_dsack_block() {
    // SPEC R3 (RFC 2883, Linux tcp_dsack_set).
    let now = Instant::from_secs(10);
    let cfg = Config {
        timestamps: false,
        ..Config::default()
    };
    let (mut e, _h, syn) = client(cfg, now);
    let cisn = syn.seq.0;
    let mut sa = seg(
        server_addr(),
        client_addr(),
        5000,
        cisn.wrapping_add(1),
        Flags::SYN | Flags::ACK,
    );
    sa.options.mss = Some(1460);
    sa.options.sack_permitted = true;
    e.handle_segment(now, sa);
    let _ = drain(&mut e, now);
    let mut d = seg(
        server_addr(),
        client_addr(),
        5001,
        cisn.wrapping_add(1),
        Flags::ACK,
    );
    d.payload = vec![1; 100].into();
    e.handle_segment(now, d.clone());
    let _ = drain(&mut e, now);
    e.handle_segment(now + ms(300), d);
    let out = drain(&mut e, now + ms(300));
    assert_eq!(out.len(), 1);
    assert_eq!(
        out[0].options.sack_blocks.to_vec(),
        vec![SackBlock {
            left: SeqNumber(5001),
            right: SeqNumber(5101)
        }]
    );
}

#[test]
fn fin_beyond_a_hole_is_held_until_the_hole_fills() {
    // SPEC R3, T2.
    let now = Instant::from_secs(10);
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    let mut tail = seg(
        server_addr(),
        client_addr(),
        5004,
        cisn.wrapping_add(1),
        Flags::ACK | Flags::FIN,
    );
    tail.payload = b"def".to_vec().into();
    e.handle_segment(now, tail);
    assert_eq!(e.state(h), State::Established);
    let mut head = seg(
        server_addr(),
        client_addr(),
        5001,
        cisn.wrapping_add(1),
        Flags::ACK,
    );
    head.payload = b"abc".to_vec().into();
    e.handle_segment(now, head);
    assert_eq!(e.state(h), State::CloseWait);
    let mut buf = [0u8; 16];
    assert_eq!(e.read(now, h, &mut buf), Ok(6));
    assert_eq!(e.read(now, h, &mut buf), Ok(0));
}

#[test]
fn heavy_loss_and_reordering_never_stall_or_corrupt_either_direction() {
    // SPEC R1–R3, T1–T8 under 10 % loss and 20 % reordering, 30 seeds:
    // both streams arrive intact and both ends finish closing.
    for seed in 1..=30u64 {
        let mut p = Pair::new();
        let (c, s, _) = p.connect();
        p.seed(seed);
        p.loss = 0.1;
        p.reorder = 0.2;
        let up: Vec<u8> = (0..150_000u32)
            .map(|i| (i * 7 + seed as u32) as u8)
            .collect();
        let down: Vec<u8> = (0..50_000u32).map(|i| (i * 13 + 1) as u8).collect();
        let (gu, gd) = p.exchange((c, s), &up, &down, secs(3000));
        let ok = gu.len() == up.len() && gd.len() == down.len();
        assert!(
            ok,
            "seed {seed}: up {} down {} t={:?} a={:?} b={:?}",
            gu.len(),
            gd.len(),
            p.now,
            p.a.state(c),
            p.b.state(s)
        );
        assert!(gu == up && gd == down, "seed {seed}");
        // Close both ways over the lossy wire.
        p.a.close(p.now, c).unwrap();
        p.b.close(p.now, s).unwrap();
        p.run_for(secs(400));
        assert_eq!(
            p.a.connection_count() + p.b.connection_count(),
            0,
            "seed {seed}"
        );
    }
}

#[test]
fn a_released_handle_stays_invalid_when_its_slot_is_reused() {
    let now = Instant::ZERO;
    let (mut e, first, _syn) = client(plain_config(), now);
    // close() in SYN-SENT releases the connection at once (RFC 9293 §3.10.4).
    e.close(now, first).expect("close");
    let _ = drain(&mut e, now);
    assert_eq!(e.connection_count(), 0);
    let second = e
        .connect_from(now, client_addr(), server_addr())
        .expect("reconnect");
    assert_ne!(first, second, "a handle is never issued twice");
    assert_eq!(
        e.write(now, first, b"x"),
        Err(WriteError::InvalidHandle),
        "the stale handle must not reach the connection now in its slot"
    );
    assert_eq!(e.state(first), State::Closed);
    assert_eq!(e.state(second), State::SynSent);
    e.check_invariants();
}

#[test]
fn poll_timeout_stays_exact_when_the_retransmission_timer_moves_later() {
    let t0 = Instant::ZERO;
    let (mut e, h, _cisn) = establish_client(plain_config(), t0, 5000);
    e.write(t0, h, &[7u8; 3000]).expect("write");
    let sent = drain(&mut e, t0);
    assert!(sent.len() >= 2, "{sent:?}");
    let first_deadline = e.poll_timeout().expect("retransmission timer armed");
    // An ACK for the first segment, later, re-arms the timer later (RFC 6298 5.3).
    let t1 = t0 + ms(50);
    let ack = seg(
        server_addr(),
        client_addr(),
        5001,
        sent[0].seq.0.wrapping_add(sent[0].payload.len() as u32),
        Flags::ACK,
    );
    e.handle_segment(t1, ack);
    let _ = drain(&mut e, t1);
    let due = e.poll_timeout().expect("still armed: data outstanding");
    assert_eq!(Some(due), e.connection(h).and_then(|c| c.next_timeout()));
    assert!(
        due > first_deadline,
        "{due:?} should be after {first_deadline:?}"
    );
    // Waking at the old deadline runs nothing and keeps the exact answer.
    e.handle_timeout(first_deadline);
    assert!(
        drain(&mut e, first_deadline).is_empty(),
        "nothing is due yet"
    );
    assert_eq!(e.poll_timeout(), Some(due));
    e.check_invariants();
    // At the true deadline the retransmission goes out.
    e.handle_timeout(due);
    let rtx = drain(&mut e, due);
    assert_eq!(
        rtx.first().map(|s| s.seq),
        sent.get(1).map(|s| s.seq),
        "{rtx:?}"
    );
    e.check_invariants();
}
