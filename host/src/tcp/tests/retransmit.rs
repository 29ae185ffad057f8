//! SPEC R1, R2, R3 — retransmission, congestion control, reassembly.

use super::harness::*;
use crate::tcp::segment::{Flags, SackBlock, SeqNumber};
use crate::tcp::{Config, ConnError, Event, State};
use crate::time::Instant;

#[test]
fn rto_is_srtt_plus_max_4_rttvar_200ms_and_backs_off_exponentially() {
    // SPEC R1.
    let no_tlp = Config {
        tail_loss_probe: false,
        ..Config::default()
    };
    let mut p = Pair::with_configs(no_tlp, Config::default());
    let (c, _s, _) = p.connect();
    // RTT 10 ms: RTO = 10 + max(4·5, 200) = 210 ms.
    assert_eq!(p.a.connection(c).unwrap().rto(), ms(210));
    p.filter = Some(Box::new(|dir, s| dir == Dir::AtoB && !s.payload.is_empty()));
    let t0 = p.now;
    p.a.write(p.now, c, b"lost").unwrap();
    p.run_for(secs(30));
    let times: Vec<u128> = p
        .log
        .iter()
        .filter(|(_, d, s)| *d == Dir::AtoB && !s.payload.is_empty())
        .map(|(t, _, _)| (*t - t0).as_millis())
        .collect();
    assert_eq!(times, vec![0, 210, 630, 1470, 3150, 6510, 13230, 26670]);
}

#[test]
fn tail_loss_probe_precedes_the_first_rto_on_sack_connections() {
    // SPEC R1 as Linux does it (tcp_early_retrans = 3): with SACK, a lone lost
    // segment is probed at min(2·SRTT + 200 ms, RTO) = 210 ms, the RTO then
    // restarts un-backed-off (420 ms), and doubling follows.
    let mut p = Pair::new();
    let (c, _s, _) = p.connect();
    p.filter = Some(Box::new(|dir, s| dir == Dir::AtoB && !s.payload.is_empty()));
    let t0 = p.now;
    p.a.write(p.now, c, b"lost").unwrap();
    p.run_for(secs(5));
    let times: Vec<u128> = p
        .log
        .iter()
        .filter(|(_, d, s)| *d == Dir::AtoB && !s.payload.is_empty())
        .map(|(t, _, _)| (*t - t0).as_millis())
        .collect();
    assert_eq!(times, vec![0, 210, 420, 840, 1680, 3360]);
}

#[test]
fn tail_loss_probe_with_many_segments_out_fires_at_2_srtt() {
    // Linux tcp_schedule_loss_probe: 2·SRTT + 2 ms with more than one segment out;
    // the probe retransmits the last segment.
    let mut p = Pair::new();
    let (c, _s, _) = p.connect();
    p.filter = Some(Box::new(|dir, s| dir == Dir::BtoA && s.flags == Flags::ACK));
    let t0 = p.now;
    p.a.write(p.now, c, &vec![1u8; 1448 * 4]).unwrap();
    p.run_for(ms(100));
    let sent: Vec<(u128, SeqNumber)> = p
        .log
        .iter()
        .filter(|(t, d, s)| *d == Dir::AtoB && *t >= t0 && !s.payload.is_empty())
        .map(|(t, _, s)| ((*t - t0).as_millis(), s.seq))
        .collect();
    assert_eq!(sent.len(), 5);
    assert_eq!(sent[4].0, 22);
    assert_eq!(sent[4].1, sent[3].1);
}

#[test]
fn rto_is_capped_at_120s() {
    // SPEC R1 (max 120 s).
    let now = Instant::from_secs(10);
    let (mut e, h, _) = establish_client(plain_config(), now, 5000);
    e.write(now, h, b"x").unwrap();
    let _ = drain(&mut e, now);
    let mut last = now;
    let mut gaps = Vec::new();
    for _ in 0..12 {
        let t = e.poll_timeout().unwrap();
        e.handle_timeout(t);
        let _ = drain(&mut e, t);
        gaps.push((t - last).as_millis());
        last = t;
    }
    assert_eq!(gaps[9], 102_400);
    assert_eq!(gaps[10], 120_000);
    assert_eq!(gaps[11], 120_000);
}

#[test]
fn first_rto_after_retransmitted_syn_is_3s_without_timestamps() {
    // SPEC R1 (RFC 6298 §5.7).
    let t0 = Instant::from_secs(10);
    let (mut e, h, syn) = client(plain_config(), t0);
    let t1 = t0 + secs(1);
    e.handle_timeout(t1);
    assert_eq!(drain(&mut e, t1).len(), 1);
    let t2 = t1 + ms(10);
    e.handle_segment(
        t2,
        seg(
            server_addr(),
            client_addr(),
            5000,
            syn.seq.0.wrapping_add(1),
            Flags::SYN | Flags::ACK,
        ),
    );
    assert_eq!(e.state(h), State::Established);
    assert_eq!(e.connection(h).unwrap().rto(), secs(3));
}

#[test]
fn timestamps_give_an_rtt_sample_even_after_syn_retransmit() {
    // SPEC R1, T13: with timestamps Karn's ambiguity disappears (Linux tcp_ack_update_rtt).
    let t0 = Instant::from_secs(10);
    let (mut e, h, _syn) = client(Config::default(), t0);
    let t1 = t0 + secs(1);
    e.handle_timeout(t1);
    let syn2 = drain(&mut e, t1).remove(0);
    let t2 = t1 + ms(10);
    let mut sa = seg(
        server_addr(),
        client_addr(),
        5000,
        syn2.seq.0.wrapping_add(1),
        Flags::SYN | Flags::ACK,
    );
    sa.options.timestamps = ts(1, syn2.options.timestamps.unwrap().tsval);
    e.handle_segment(t2, sa);
    assert_eq!(e.connection(h).unwrap().srtt(), Some(ms(10)));
    assert_eq!(e.connection(h).unwrap().rto(), ms(210));
}

#[test]
fn karn_takes_no_rtt_sample_from_a_retransmitted_segment() {
    // SPEC R1 (Karn's rule): the backed-off RTO stays until a clean sample.
    let now = Instant::from_secs(10);
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    e.write(now, h, b"abc").unwrap();
    let _ = drain(&mut e, now);
    let t1 = e.poll_timeout().unwrap();
    e.handle_timeout(t1);
    let _ = drain(&mut e, t1);
    let rto_backed_off = e.connection(h).unwrap().rto();
    assert_eq!(rto_backed_off, ms(400));
    let srtt = e.connection(h).unwrap().srtt();
    let t2 = t1 + ms(150);
    e.handle_segment(
        t2,
        seg(
            server_addr(),
            client_addr(),
            5001,
            cisn.wrapping_add(4),
            Flags::ACK,
        ),
    );
    assert_eq!(e.connection(h).unwrap().srtt(), srtt);
    assert_eq!(e.connection(h).unwrap().rto(), ms(400));
    // A clean sample resets the backoff.
    e.write(t2, h, b"d").unwrap();
    let _ = drain(&mut e, t2);
    e.handle_segment(
        t2 + ms(20),
        seg(
            server_addr(),
            client_addr(),
            5001,
            cisn.wrapping_add(5),
            Flags::ACK,
        ),
    );
    assert!(e.connection(h).unwrap().rto() < ms(400));
}

#[test]
fn retries2_exhausted_fails_connection_with_timed_out() {
    // SPEC R1: tcp_retries2 = 15 → a hypothetical 924.6 s; the connection dies
    // at the first RTO expiry past it (Linux ip-sysctl.rst).
    let now = Instant::from_secs(10);
    let (mut e, h, _) = establish_client(plain_config(), now, 5000);
    e.write(now, h, b"x").unwrap();
    let _ = drain(&mut e, now);
    let mut rtx = 0;
    let mut t = now;
    while e.state(h) != State::Closed {
        t = e.poll_timeout().unwrap();
        e.handle_timeout(t);
        rtx += drain(&mut e, t).len();
    }
    assert!(rtx >= 15, "{rtx} retransmissions");
    assert!(t - now >= ms(924_600));
    assert!(t - now <= ms(924_600) + secs(120));
    assert!(events(&mut e).contains(&Event::Closed(h, Some(ConnError::TimedOut))));
    let mut buf = [0u8; 4];
    assert_eq!(
        e.read(t, h, &mut buf),
        Err(crate::tcp::ReadError::Connection(ConnError::TimedOut))
    );
}

#[test]
fn initial_window_is_10_segments() {
    // SPEC R2 (RFC 6928).
    let now = Instant::from_secs(10);
    let (mut e, h, _) = establish_client(plain_config(), now, 5000);
    e.write(now, h, &vec![0u8; 1460 * 20]).unwrap();
    let out = drain(&mut e, now);
    assert_eq!(out.len(), 10);
    assert!(out.iter().all(|s| s.payload.len() == 1460));
    assert_eq!(e.connection(h).unwrap().cwnd(), 10);
}

#[test]
fn cwnd_grows_in_slow_start_only_when_the_window_is_used() {
    // SPEC R2 (RFC 5681 §3.1 growth; Linux `tcp_is_cwnd_limited`).
    let now = Instant::from_secs(10);
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    let mut acked = cisn.wrapping_add(1);
    for i in 0..5u64 {
        let t = now + ms(10 * i);
        e.write(t, h, b"small").unwrap();
        assert_eq!(drain(&mut e, t).len(), 1);
        acked = acked.wrapping_add(5);
        e.handle_segment(
            t + ms(5),
            seg(server_addr(), client_addr(), 5001, acked, Flags::ACK),
        );
    }
    assert_eq!(e.connection(h).unwrap().cwnd(), 10);
    // A full window doubles per round trip in slow start.
    let t = now + secs(1);
    e.write(t, h, &vec![0u8; 1460 * 10]).unwrap();
    assert_eq!(drain(&mut e, t).len(), 10);
    e.handle_segment(
        t + ms(5),
        seg(
            server_addr(),
            client_addr(),
            5001,
            acked.wrapping_add(1460 * 10),
            Flags::ACK,
        ),
    );
    assert_eq!(e.connection(h).unwrap().cwnd(), 20);
}

#[test]
fn cwnd_restarts_after_an_idle_rto() {
    // SPEC R2 (RFC 5681 §4.1; Linux tcp_slow_start_after_idle = 1).
    let now = Instant::from_secs(10);
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    e.write(now, h, &vec![0u8; 1460 * 10]).unwrap();
    assert_eq!(drain(&mut e, now).len(), 10);
    let una = cisn.wrapping_add(1 + 1460 * 10);
    e.handle_segment(
        now + ms(5),
        seg(server_addr(), client_addr(), 5001, una, Flags::ACK),
    );
    assert_eq!(e.connection(h).unwrap().cwnd(), 20);
    // Idle for more than three RTOs (RTO = 205 ms here): 20 → 10, floored at IW.
    let later = now + secs(1);
    e.write(later, h, &vec![0u8; 1460 * 30]).unwrap();
    assert_eq!(e.connection(h).unwrap().cwnd(), 10);
    assert_eq!(drain(&mut e, later).len(), 10);
}

#[test]
fn fast_retransmit_on_third_duplicate_ack_enters_newreno_recovery() {
    // SPEC R2 (RFC 5681 §3.2, RFC 6582).
    let now = Instant::from_secs(10);
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    e.write(now, h, &vec![1u8; 1460 * 10]).unwrap();
    let sent = drain(&mut e, now);
    assert_eq!(sent.len(), 10);
    let una = cisn.wrapping_add(1);
    let dup = seg(server_addr(), client_addr(), 5001, una, Flags::ACK);
    let t = now + ms(5);
    e.handle_segment(t, dup.clone());
    e.handle_segment(t, dup.clone());
    assert!(
        drain(&mut e, t).is_empty(),
        "no retransmission before the third duplicate"
    );
    e.handle_segment(t, dup.clone());
    let out = drain(&mut e, t);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].seq, SeqNumber(una));
    assert_eq!(out[0].payload.len(), 1460);
    // ssthresh = cwnd/2 (Linux tcp_reno_ssthresh); PRR (RFC 6937) allows the
    // pipe (10 out − 3 dup-ACKed − 1 lost = 6) plus the retransmission.
    let c = e.connection(h).unwrap();
    assert_eq!((c.ssthresh(), c.cwnd()), (5, 7));
    // Partial ACK (RFC 6582 §3.2 step 5) marks the next hole lost; PRR sends
    // it once the pipe drops below ssthresh, here on the next duplicate ACK.
    let hole = una.wrapping_add(1460 * 3);
    let partial = seg(server_addr(), client_addr(), 5001, hole, Flags::ACK);
    e.handle_segment(t + ms(5), partial.clone());
    assert!(drain(&mut e, t + ms(5)).is_empty());
    e.handle_segment(t + ms(6), partial);
    let out = drain(&mut e, t + ms(6));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].seq, SeqNumber(hole));
    // Full ACK ends recovery with cwnd = ssthresh.
    let full = seg(
        server_addr(),
        client_addr(),
        5001,
        una.wrapping_add(1460 * 10),
        Flags::ACK,
    );
    e.handle_segment(t + ms(10), full);
    assert_eq!(e.connection(h).unwrap().cwnd(), 5);
}

#[test]
fn sack_recovery_retransmits_only_the_holes() {
    // SPEC R2 with SACK (RFC 2018, RFC 6675 IsLost): segments 2 and 5 of 10
    // are lost; SACKed segments are never resent.
    let now = Instant::from_secs(10);
    let cfg = Config {
        timestamps: false,
        tail_loss_probe: false,
        ..Config::default()
    };
    let (mut e, h, syn) = client(cfg, now);
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
    e.write(now, h, &vec![3u8; 1460 * 10]).unwrap();
    assert_eq!(drain(&mut e, now).len(), 10);
    let base = cisn.wrapping_add(1);
    let at = |i: u32| SeqNumber(base.wrapping_add(1460 * i));
    let t = now + ms(5);
    // Segment 1 arrives; 2 is lost; then 3, 4, 6, 7, 8 arrive (5 lost).
    let una = at(1);
    let dup = |blocks: Vec<(u32, u32)>| {
        let mut d = seg(server_addr(), client_addr(), 5001, una.0, Flags::ACK);
        d.options.sack_blocks = blocks
            .into_iter()
            .map(|(l, r)| SackBlock {
                left: at(l),
                right: at(r),
            })
            .collect();
        d
    };
    e.handle_segment(
        t,
        seg(server_addr(), client_addr(), 5001, una.0, Flags::ACK),
    );
    let mut resent = Vec::new();
    for blocks in [
        vec![(2, 3)],
        vec![(2, 4)],
        vec![(5, 6), (2, 4)],
        vec![(5, 7), (2, 4)],
        vec![(5, 8), (2, 4)],
    ] {
        e.handle_segment(t, dup(blocks));
        for s in drain(&mut e, t) {
            if !s.payload.is_empty() {
                resent.push(s.seq);
            }
        }
    }
    assert_eq!(resent, vec![at(1), at(4)]);
    // The cumulative ACK after both repairs ends recovery with cwnd = ssthresh.
    e.handle_segment(
        t + ms(10),
        seg(server_addr(), client_addr(), 5001, at(10).0, Flags::ACK),
    );
    let c = e.connection(h).unwrap();
    assert_eq!((c.ssthresh(), c.cwnd()), (5, 5));
}

#[test]
fn out_of_order_segments_are_held_and_delivered_in_order() {
    // SPEC R3.
    let now = Instant::from_secs(10);
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    let ack = cisn.wrapping_add(1);
    let mut s2 = seg(server_addr(), client_addr(), 5004, ack, Flags::ACK);
    s2.payload = b"def".to_vec().into();
    e.handle_segment(now, s2);
    let out = drain(&mut e, now);
    assert_eq!(out.len(), 1, "out-of-order data is acknowledged at once");
    assert_eq!(out[0].ack, SeqNumber(5001));
    let mut buf = [0u8; 16];
    assert_eq!(
        e.read(now, h, &mut buf),
        Err(crate::tcp::ReadError::WouldBlock)
    );
    let mut s1 = seg(server_addr(), client_addr(), 5001, ack, Flags::ACK);
    s1.payload = b"abc".to_vec().into();
    e.handle_segment(now, s1);
    let out = drain(&mut e, now);
    assert_eq!(
        out[0].ack,
        SeqNumber(5007),
        "a filled gap is acknowledged at once"
    );
    assert_eq!(e.read(now, h, &mut buf), Ok(6));
    assert_eq!(&buf[..6], b"abcdef");
}

#[test]
fn duplicate_segment_is_discarded_and_acknowledged_at_once() {
    // SPEC R3.
    let now = Instant::from_secs(10);
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    let mut s1 = seg(
        server_addr(),
        client_addr(),
        5001,
        cisn.wrapping_add(1),
        Flags::ACK,
    );
    s1.payload = b"abc".to_vec().into();
    e.handle_segment(now, s1.clone());
    let _ = drain(&mut e, now);
    let t = now + secs(1);
    e.handle_segment(t, s1);
    let out = drain(&mut e, t);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].ack, SeqNumber(5004));
    let mut buf = [0u8; 16];
    assert_eq!(e.read(t, h, &mut buf), Ok(3));
    assert_eq!(
        e.read(t, h, &mut buf),
        Err(crate::tcp::ReadError::WouldBlock)
    );
}

#[test]
fn lossy_reordering_wire_delivers_every_byte_once_and_in_order() {
    // SPEC R3 end to end, seeded loss 3 % and reordering 10 %.
    for seed in [1u64, 2, 3] {
        let mut p = Pair::new();
        let (c, s, _) = p.connect();
        p.seed(seed);
        p.loss = 0.03;
        p.reorder = 0.1;
        let data: Vec<u8> = (0..200_000u32).map(|i| (i * 31 + i / 7) as u8).collect();
        let mut written = 0;
        let mut got = Vec::new();
        let ok = p.run_until(secs(600), |p| {
            if written < data.len() {
                if let Ok(n) = p.a.write(p.now, c, &data[written..]) {
                    written += n;
                }
            }
            got.extend(p.read_all(false, s));
            got.len() == data.len()
        });
        assert!(ok, "seed {seed}: got {} of {}", got.len(), data.len());
        assert!(got == data, "seed {seed}: corrupted stream");
    }
}
