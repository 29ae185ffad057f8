//! SPEC R4, R5, R6, T13, K1, R7 — flow control, ACK policy, RFC 5961,
//! timestamps, keepalive, listing.

use super::harness::*;
use crate::tcp::engine::reset_for;
use crate::tcp::segment::{Flags, SeqNumber};
use crate::tcp::{Config, ConnError, ConnectionHandle, Engine, Event, ReadError, SockOpt, State};
use crate::time::Instant;

/// Established plain client (peer ISN 5000) with `n` bytes of data from the peer delivered.
fn data_from_peer(e: &mut Engine, now: Instant, cisn: u32, seq: u32, payload: &[u8]) {
    let mut d = seg(
        server_addr(),
        client_addr(),
        seq,
        cisn.wrapping_add(1),
        Flags::ACK,
    );
    d.payload = payload.to_vec().into();
    e.handle_segment(now, d);
}

#[test]
fn window_scaling_is_negotiated_and_applied_to_both_directions() {
    // SPEC R4 (RFC 7323 §2).
    let mut p = Pair::new();
    let (c, s, _) = p.connect();
    assert_eq!(p.a.connection(c).unwrap().snd_wscale, 7);
    assert_eq!(p.b.connection(s).unwrap().snd_wscale, 7);
    p.b.write(p.now, s, b"data").unwrap();
    p.run_for(ms(100));
    let last_a = p.sent(Dir::AtoB).last().unwrap().clone();
    assert_eq!(
        p.b.connection(s).unwrap().send_window(),
        u32::from(last_a.window) << 7
    );
    assert!(
        last_a.window < 1024,
        "the field is scaled: {}",
        last_a.window
    );
}

#[test]
fn window_scaling_is_off_unless_both_sides_offer_it() {
    // SPEC R4 (RFC 7323 §2.2).
    let mut p = Pair::with_configs(plain_config(), Config::default());
    let (c, s, _) = p.connect();
    let synack = p.sent(Dir::BtoA)[0].clone();
    assert_eq!(synack.options.window_scale, None);
    assert_eq!(p.a.connection(c).unwrap().snd_wscale, 0);
    assert_eq!(p.b.connection(s).unwrap().snd_wscale, 0);
    assert_eq!(p.b.connection(s).unwrap().rcv_wscale, 0);
}

#[test]
fn zero_window_is_probed_with_backoff_and_data_flows_when_it_opens() {
    // SPEC R4: probes are ACKs with SEQ = SND.UNA − 1 (Linux tcp_xmit_probe_skb).
    let now = Instant::from_secs(10);
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    let mut zero = seg(
        server_addr(),
        client_addr(),
        5001,
        cisn.wrapping_add(1),
        Flags::ACK,
    );
    zero.window = 0;
    e.handle_segment(now, zero);
    e.write(now, h, b"waiting").unwrap();
    assert!(drain(&mut e, now).is_empty());
    let mut probes = Vec::new();
    for _ in 0..3 {
        let t = e.poll_timeout().unwrap();
        e.handle_timeout(t);
        for s in drain(&mut e, t) {
            assert_eq!(s.seq, SeqNumber(cisn));
            assert!(s.payload.is_empty());
            probes.push((t - now).as_millis());
        }
    }
    assert_eq!(probes, vec![200, 600, 1400]);
    let t = now + secs(2);
    let mut open = seg(
        server_addr(),
        client_addr(),
        5001,
        cisn.wrapping_add(1),
        Flags::ACK,
    );
    open.window = 1000;
    e.handle_segment(t, open);
    let out = drain(&mut e, t);
    assert_eq!(&out[0].payload[..], b"waiting");
}

#[test]
fn receiver_advertises_zero_window_when_full_and_reopens_after_read() {
    // SPEC R4.
    let now = Instant::from_secs(10);
    let cfg = Config {
        rcv_buf: 8192,
        ..plain_config()
    };
    let (mut e, h, cisn) = establish_client(cfg, now, 5000);
    let mut seq = 5001u32;
    let mut last = None;
    for len in [1460usize, 1460, 1176] {
        data_from_peer(&mut e, now, cisn, seq, &vec![9u8; len]);
        seq += len as u32;
        if let Some(s) = drain(&mut e, now).pop() {
            last = Some(s);
        }
    }
    let t = now + ms(300);
    e.handle_timeout(t);
    if let Some(s) = drain(&mut e, t).pop() {
        last = Some(s);
    }
    assert_eq!(last.unwrap().window, 0);
    let mut buf = vec![0u8; 8192];
    assert_eq!(e.read(t, h, &mut buf), Ok(4096));
    let upd = drain(&mut e, t);
    assert_eq!(upd.len(), 1);
    assert!(upd[0].window >= 4096 - 1460);
    assert_eq!(upd[0].ack, SeqNumber(seq));
}

#[test]
fn quickack_at_start_then_delayed_ack_after_40ms() {
    // SPEC R5: Linux quick-ACKs the first 16 segments, then delays by the ATO (40 ms).
    let now = Instant::from_secs(10);
    let (mut e, _h, cisn) = establish_client(plain_config(), now, 5000);
    let mut seq = 5001u32;
    let mut t = now;
    for i in 0..16 {
        data_from_peer(&mut e, t, cisn, seq, b"0123456789");
        seq += 10;
        assert_eq!(drain(&mut e, t).len(), 1, "segment {i} is quick-acked");
        t += ms(100);
    }
    data_from_peer(&mut e, t, cisn, seq, b"0123456789");
    assert!(drain(&mut e, t).is_empty());
    assert_eq!(e.poll_timeout(), Some(t + ms(40)));
    e.handle_timeout(t + ms(40));
    let out = drain(&mut e, t + ms(40));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].ack, SeqNumber(seq + 10));
}

#[test]
fn reading_all_pushed_data_sends_the_delayed_ack_at_once() {
    // SPEC R5: Linux tcp_cleanup_rbuf acknowledges small (pushed) data as
    // soon as the application has read all of it.
    let now = Instant::from_secs(10);
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    let mut seq = 5001u32;
    let mut t = now;
    for _ in 0..16 {
        data_from_peer(&mut e, t, cisn, seq, b"q");
        seq += 1;
        let _ = drain(&mut e, t);
        t += ms(100);
    }
    data_from_peer(&mut e, t, cisn, seq, b"request");
    assert!(drain(&mut e, t).is_empty(), "the ACK is delayed");
    let mut buf = [0u8; 64];
    let t2 = t + ms(5);
    assert_eq!(e.read(t2, h, &mut buf), Ok(16 + 7));
    let out = drain(&mut e, t2);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].ack, SeqNumber(seq + 7));
}

#[test]
fn every_second_full_sized_segment_is_acked_at_once() {
    // SPEC R5 (RFC 5681 §4.2; Linux "more than one full frame received").
    let now = Instant::from_secs(10);
    let (mut e, _h, cisn) = establish_client(plain_config(), now, 5000);
    let mut seq = 5001u32;
    let mut t = now;
    for _ in 0..16 {
        data_from_peer(&mut e, t, cisn, seq, b"x");
        seq += 1;
        let _ = drain(&mut e, t);
        t += ms(100);
    }
    data_from_peer(&mut e, t, cisn, seq, &[1u8; 1460]);
    assert!(drain(&mut e, t).is_empty());
    data_from_peer(&mut e, t, cisn, seq + 1460, &[1u8; 1460]);
    let out = drain(&mut e, t);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].ack, SeqNumber(seq + 2920));
    assert!(e.config().delack_max >= e.config().delack_min);
}

fn established_ts_client() -> (Engine, ConnectionHandle, u32, u32, Instant) {
    let now = Instant::from_secs(10);
    let (mut e, h, syn) = client(Config::default(), now);
    e.handle_segment(now, synack_for(&syn, 5000));
    let _ = drain(&mut e, now);
    (e, h, syn.seq.0, 1000, now)
}

#[test]
fn in_window_rst_that_is_not_exact_gets_a_challenge_ack() {
    // SPEC R6 (RFC 5961 §3.2).
    let now = Instant::from_secs(10);
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    e.handle_segment(now, seg(server_addr(), client_addr(), 5101, 0, Flags::RST));
    let out = drain(&mut e, now);
    assert_eq!(out.len(), 1);
    assert_eq!(
        (out[0].flags, out[0].seq, out[0].ack),
        (Flags::ACK, SeqNumber(cisn.wrapping_add(1)), SeqNumber(5001))
    );
    assert_eq!(e.state(h), State::Established);
    // Rate-limited per connection (Linux tcp_invalid_ratelimit, 500 ms).
    e.handle_segment(
        now + ms(100),
        seg(server_addr(), client_addr(), 5102, 0, Flags::RST),
    );
    assert!(drain(&mut e, now + ms(100)).is_empty());
    let d = e.stats().connection_drops;
    assert_eq!((d.challenged, d.rate_limited), (2, 1));
}

#[test]
fn out_of_window_rst_is_ignored() {
    // SPEC R6.
    let now = Instant::from_secs(10);
    let (mut e, h, _) = establish_client(plain_config(), now, 5000);
    e.handle_segment(
        now,
        seg(
            server_addr(),
            client_addr(),
            5001 + 10_000_000,
            0,
            Flags::RST,
        ),
    );
    assert!(drain(&mut e, now).is_empty());
    assert_eq!(e.state(h), State::Established);
    assert_eq!(e.stats().connection_drops.out_of_window, 1);
}

#[test]
fn exact_rst_resets_the_connection() {
    // SPEC R6, T14 (peer side): connection-reset reported once.
    let now = Instant::from_secs(10);
    let (mut e, h, _) = establish_client(plain_config(), now, 5000);
    e.handle_segment(now, seg(server_addr(), client_addr(), 5001, 0, Flags::RST));
    assert_eq!(e.state(h), State::Closed);
    assert!(events(&mut e).contains(&Event::Closed(h, Some(ConnError::Reset))));
    let mut buf = [0u8; 4];
    assert_eq!(
        e.read(now, h, &mut buf),
        Err(ReadError::Connection(ConnError::Reset))
    );
    assert_eq!(e.read(now, h, &mut buf), Ok(0));
}

#[test]
fn syn_on_a_synchronized_connection_gets_a_challenge_ack() {
    // SPEC R6 (RFC 5961 §4.2).
    let now = Instant::from_secs(10);
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    e.handle_segment(now, seg(server_addr(), client_addr(), 5001, 0, Flags::SYN));
    let out = drain(&mut e, now);
    assert_eq!(out.len(), 1);
    assert_eq!(
        (out[0].flags, out[0].seq, out[0].ack),
        (Flags::ACK, SeqNumber(cisn.wrapping_add(1)), SeqNumber(5001))
    );
    assert_eq!(e.state(h), State::Established);
}

#[test]
fn ack_of_unsent_data_gets_a_challenge_ack_and_is_dropped() {
    // SPEC R6 (RFC 5961 §5.2).
    let now = Instant::from_secs(10);
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    let mut d = seg(
        server_addr(),
        client_addr(),
        5001,
        cisn.wrapping_add(1000),
        Flags::ACK,
    );
    d.payload = b"bogus".to_vec().into();
    e.handle_segment(now, d);
    assert_eq!(drain(&mut e, now).len(), 1);
    let mut buf = [0u8; 8];
    assert_eq!(e.read(now, h, &mut buf), Err(ReadError::WouldBlock));
}

#[test]
fn timestamps_are_echoed_and_paws_drops_old_segments() {
    // SPEC T13 (RFC 7323 §3, §5).
    let (mut e, h, cisn, sts, now) = established_ts_client();
    let mut d = seg(
        server_addr(),
        client_addr(),
        5001,
        cisn.wrapping_add(1),
        Flags::ACK,
    );
    d.payload = b"new".to_vec().into();
    d.options.timestamps = ts(sts + 5, 0);
    e.handle_segment(now, d);
    let ack = drain(&mut e, now).remove(0);
    assert_eq!(ack.options.timestamps.unwrap().tsecr, sts + 5);
    let mut old = seg(
        server_addr(),
        client_addr(),
        5004,
        cisn.wrapping_add(1),
        Flags::ACK,
    );
    old.payload = b"old".to_vec().into();
    old.options.timestamps = ts(sts - 100, 0);
    e.handle_segment(now, old);
    let dup = drain(&mut e, now);
    assert_eq!(dup.len(), 1);
    assert_eq!(dup[0].ack, SeqNumber(5004));
    let mut buf = [0u8; 16];
    assert_eq!(e.read(now, h, &mut buf), Ok(3));
    assert_eq!(&buf[..3], b"new");
    assert_eq!(e.stats().connection_drops.paws, 1);
}

#[test]
fn keepalive_declares_a_silent_peer_dead_after_2h_11min_15s() {
    // SPEC K1: 7200 s idle, then 9 probes 75 s apart; then RST and timed-out.
    let now = Instant::from_secs(10);
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    e.set_option(now, h, SockOpt::KeepAlive(true)).unwrap();
    let mut probes = Vec::new();
    let mut t = now;
    while e.state(h) != State::Closed {
        t = e.poll_timeout().unwrap();
        e.handle_timeout(t);
        for s in drain(&mut e, t) {
            if s.flags.rst() {
                assert_eq!(s.seq, SeqNumber(cisn.wrapping_add(1)));
            } else {
                assert_eq!(s.seq, SeqNumber(cisn));
                assert!(s.payload.is_empty());
                probes.push((t - now).as_secs());
            }
        }
    }
    assert_eq!(probes, (0..9).map(|i| 7200 + 75 * i).collect::<Vec<_>>());
    assert_eq!((t - now).as_secs(), 7875);
    assert!(events(&mut e).contains(&Event::Closed(h, Some(ConnError::TimedOut))));
}

#[test]
fn keepalive_answered_by_the_peer_resets_the_timer() {
    // SPEC K1.
    let mut p = Pair::new();
    let (c, _s, _) = p.connect();
    p.a.set_option(p.now, c, SockOpt::KeepAlive(true)).unwrap();
    let start = p.now;
    p.run_for(secs(3 * 3600));
    assert_eq!(p.a.state(c), State::Established);
    let probes: Vec<u64> = p
        .log
        .iter()
        .filter(|(t, d, s)| {
            *d == Dir::AtoB && *t > start && s.payload.is_empty() && s.flags == Flags::ACK
        })
        .map(|(t, _, _)| (*t - start).as_secs())
        .collect();
    assert_eq!(probes, vec![7200]);
}

#[test]
fn keepalive_probe_answered_by_rst_from_rebooted_peer_resets_connection() {
    // SPEC K1.
    let now = Instant::from_secs(10);
    let (mut e, h, _) = establish_client(plain_config(), now, 5000);
    e.set_option(now, h, SockOpt::KeepAlive(true)).unwrap();
    let t = e.poll_timeout().unwrap();
    e.handle_timeout(t);
    let probe = drain(&mut e, t).remove(0);
    e.handle_segment(t, reset_for(&probe).unwrap());
    assert_eq!(e.state(h), State::Closed);
    let mut buf = [0u8; 4];
    assert_eq!(
        e.read(t, h, &mut buf),
        Err(ReadError::Connection(ConnError::Reset))
    );
}

#[test]
fn ss_lists_state_counts_and_rows_with_queues_and_timers() {
    // SPEC R7.
    let mut p = Pair::new();
    let (c, s, _) = p.connect();
    p.a.write(p.now, c, b"hello").unwrap();
    p.run_for(ms(100));
    let (c2, s2) = {
        let c2 = p.a.connect(p.now, A_IP, server_addr()).unwrap();
        p.run_for(ms(50));
        let l = *p.b.listeners.keys().next().unwrap();
        (c2, p.b.accept(l).unwrap().0)
    };
    p.b.close(p.now, s2).unwrap();
    p.run_for(ms(100));
    p.a.close(p.now, c2).unwrap();
    p.run_for(ms(100));
    let counts = p.b.state_counts(p.now);
    assert_eq!(
        counts,
        vec![
            (State::Established, 1),
            (State::TimeWait, 1),
            (State::Listen, 1)
        ]
    );
    let rows = p.b.sockets(p.now);
    let est = rows.iter().find(|r| r.state == State::Established).unwrap();
    assert_eq!(est.recv_q, 5);
    assert_eq!(est.send_q, 0);
    let text = p.b.format_ss(p.now);
    assert!(text.starts_with("State      Recv-Q Send-Q Local Address:Port"));
    assert!(text.contains("ESTAB      5      0      10.0.0.2:80"));
    assert!(text.contains("LISTEN     0      128    10.0.0.2:80           0.0.0.0:*"));
    assert!(text.contains("TIME-WAIT") && text.contains("timer:(timewait,59sec,0)"));
    let _ = s;
}

#[test]
fn nagle_holds_a_second_small_segment_until_the_first_is_acked() {
    // RFC 9293 §3.7.4 with Minshall's variant (Linux `tcp_nagle_check`); TCP_NODELAY lifts it.
    let now = Instant::from_secs(10);
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    e.write(now, h, &[1u8; 100]).unwrap();
    assert_eq!(drain(&mut e, now).len(), 1);
    e.write(now, h, &[2u8; 100]).unwrap();
    assert!(
        drain(&mut e, now).is_empty(),
        "held while a small segment is unacked"
    );
    let t = now + ms(10);
    e.handle_segment(
        t,
        seg(
            server_addr(),
            client_addr(),
            5001,
            cisn.wrapping_add(101),
            Flags::ACK,
        ),
    );
    let out = drain(&mut e, t);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].payload, vec![2u8; 100]);
    e.set_option(now, h, SockOpt::NoDelay(true)).unwrap();
    e.write(t, h, &[3u8; 10]).unwrap();
    assert_eq!(drain(&mut e, t).len(), 1, "TCP_NODELAY sends at once");
}

#[test]
fn sack_blocks_never_push_a_full_data_segment_past_the_mss() {
    // Found by the smoltcp interop test (host/tests/smoltcp_interop.rs):
    // with out-of-order data held, full-sized data segments carried 12 bytes
    // of SACK on top of 1460 bytes of payload, a 1512-byte IP packet that the
    // interface must drop (SPEC W5: never fragment).
    for timestamps in [false, true] {
        let now = Instant::from_secs(10);
        let cfg = Config {
            timestamps,
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
        sa.options.timestamps = if timestamps { ts(1, 0) } else { None };
        sa.window = 65535;
        e.handle_segment(now, sa);
        let _ = drain(&mut e, now);
        // A hole at 5001: 100 bytes arrive at 5101 and are held out of order.
        let mut d = seg(
            server_addr(),
            client_addr(),
            5101,
            cisn.wrapping_add(1),
            Flags::ACK,
        );
        d.payload = vec![1; 100].into();
        d.options.timestamps = if timestamps { ts(2, 0) } else { None };
        e.handle_segment(now, d);
        let dup = drain(&mut e, now);
        assert_eq!(dup.len(), 1);
        assert_eq!(
            dup[0].options.sack_blocks.len(),
            1,
            "the dup ACK reports the hole"
        );
        e.write(now, h, &vec![7u8; 1460 * 4]).unwrap();
        let out = drain(&mut e, now);
        assert!(out.iter().any(|s| !s.payload.is_empty()));
        for s in &out {
            assert!(
                s.payload.len() + s.options.wire_len() <= 1460,
                "{s:?}: {} payload + {} option bytes",
                s.payload.len(),
                s.options.wire_len()
            );
        }
    }
}

#[test]
fn zero_window_probe_backoff_survives_answered_probes() {
    // SPEC R4 (Linux `icsk_backoff` vs `icsk_probes_out`): each probe is
    // answered 100 ms later with a zero window; the interval still doubles,
    // and the answer re-arms the timer from its arrival (`tcp_ack_probe`).
    let now = Instant::from_secs(10);
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    let zero_ack = |e: &mut Engine, at: Instant| {
        let mut z = seg(
            server_addr(),
            client_addr(),
            5001,
            cisn.wrapping_add(1),
            Flags::ACK,
        );
        z.window = 0;
        e.handle_segment(at, z);
    };
    zero_ack(&mut e, now);
    e.write(now, h, b"waiting").unwrap();
    assert!(drain(&mut e, now).is_empty());
    let mut probes = Vec::new();
    for _ in 0..4 {
        let t = e.poll_timeout().unwrap();
        e.handle_timeout(t);
        let out = drain(&mut e, t);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].seq, SeqNumber(cisn), "a zero-window probe");
        probes.push((t - now).as_millis());
        zero_ack(&mut e, t + ms(100));
    }
    // RTO 200 ms: probes at 200; answered at 300, next 400 later; 800; 1600.
    assert_eq!(probes, vec![200, 700, 1600, 3300]);
    // The window opens: the backoff is cleared and the data goes.
    let t = now + secs(4);
    let mut open = seg(
        server_addr(),
        client_addr(),
        5001,
        cisn.wrapping_add(1),
        Flags::ACK,
    );
    open.window = 1000;
    e.handle_segment(t, open);
    assert_eq!(&drain(&mut e, t)[0].payload[..], b"waiting");
    assert_eq!(e.connection(h).unwrap().probe_backoff, 0);
}

#[test]
fn a_window_too_small_for_the_next_segment_is_filled_by_the_probe() {
    // Linux `tcp_write_wakeup`: the probe timer sends what fits, with PSH.
    let now = Instant::from_secs(10);
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    let mut small = seg(
        server_addr(),
        client_addr(),
        5001,
        cisn.wrapping_add(1),
        Flags::ACK,
    );
    small.window = 100;
    e.handle_segment(now, small);
    e.write(now, h, &[5u8; 1000]).unwrap();
    assert!(
        drain(&mut e, now).is_empty(),
        "the first segment does not fit"
    );
    let t = e.poll_timeout().unwrap();
    e.handle_timeout(t);
    let out = drain(&mut e, t);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].payload.len(), 100);
    assert!(out[0].flags.psh());
}

/// Segments an established plain client sends at `now` after `writes`
/// (all issued before any segment is cut).
fn segments_after_writes(writes: &[usize]) -> Vec<(usize, bool)> {
    let now = Instant::from_secs(10);
    let (mut e, h, _) = establish_client(plain_config(), now, 5000);
    e.set_option(now, h, SockOpt::NoDelay(true)).unwrap();
    for &n in writes {
        assert_eq!(e.write(now, h, &vec![1u8; n]), Ok(n));
    }
    drain(&mut e, now)
        .iter()
        .map(|s| (s.payload.len(), s.flags.psh()))
        .collect()
}

#[test]
fn psh_is_set_on_the_last_segment_of_each_write() {
    // SPEC R8 (Linux `tcp_push` marks the tail skb of every sendmsg; a
    // write that appends to an unsent, not yet full skb clears its mark).
    assert_eq!(
        segments_after_writes(&[1460, 1000]),
        vec![(1460, true), (1000, true)],
        "a full segment keeps its write's PSH"
    );
    assert_eq!(
        segments_after_writes(&[1000, 1000]),
        vec![(1460, false), (540, true)],
        "the second write filled the first one's segment"
    );
    assert_eq!(
        segments_after_writes(&[3000]),
        vec![(1460, false), (1460, false), (80, true)]
    );
}

#[test]
fn a_long_write_is_pushed_every_half_window() {
    // Linux `forced_push`: more than max_window/2 written since the last
    // push marks the segment that just filled (max window 64240 here).
    let now = Instant::from_secs(10);
    let (mut e, h, _) = establish_client(plain_config(), now, 5000);
    e.write(now, h, &vec![1u8; 65_536]).unwrap();
    let mut psh = Vec::new();
    let mut n = 0;
    let mut t = now;
    while n < 45 {
        // cwnd lets ten segments out at first; each ACK releases more.
        for s in drain(&mut e, t) {
            n += 1;
            if s.flags.psh() {
                psh.push(n);
            }
            let acked = (s.seq + s.payload.len()).0;
            e.handle_segment(
                t,
                seg(server_addr(), client_addr(), 5001, acked, Flags::ACK),
            );
        }
        t += ms(1);
    }
    // 23 × 1460 = 33580 > 64240 / 2 marks segment 23; the next mark would
    // need 46 segments, beyond the write's 45, whose last is marked.
    assert_eq!(psh, vec![23, 45]);
}

#[test]
fn a_retransmission_keeps_its_segments_psh() {
    // Linux resends an skb with its flags; PSH does not depend on what is
    // queued behind it at retransmission time.
    let now = Instant::from_secs(10);
    let (mut e, h, _) = establish_client(plain_config(), now, 5000);
    e.set_option(now, h, SockOpt::NoDelay(true)).unwrap();
    e.write(now, h, b"first").unwrap();
    let first = drain(&mut e, now);
    assert!(first[0].flags.psh());
    e.write(now, h, b"second").unwrap();
    let _ = drain(&mut e, now);
    let t = e.poll_timeout().unwrap();
    e.handle_timeout(t);
    let rtx = drain(&mut e, t);
    assert_eq!(&rtx[0].payload[..], b"first");
    assert!(rtx[0].flags.psh());
}
