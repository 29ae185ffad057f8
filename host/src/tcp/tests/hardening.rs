//! Hostile input and careless applications: state a segment may change only
//! once it is fully validated (RFC 7323 §4.3/§5.3, RFC 5961), and memory
//! that stays bounded whatever the peer sends or the application neglects
//! (SPEC preamble, H8, R3).

use super::harness::*;
use crate::tcp::connection::CONN_OUT_MAX;
use crate::tcp::segment::{Flags, Timestamps};
use crate::tcp::{Config, Engine, State};
use crate::time::Instant;

/// A segment from A's address to B, spoofed by a third party who knows the
/// 4-tuple and B's receive point.
fn spoof_to_b(p: &Pair, s: crate::tcp::ConnectionHandle, flags: Flags) -> crate::tcp::Segment {
    let b = p.b.connection(s).unwrap();
    let mut x = seg(b.tuple.remote, b.tuple.local, b.rcv_nxt.0, 0, flags);
    x.ack = b.snd_nxt + 100_000;
    x.options.timestamps = Some(Timestamps {
        tsval: b.ts_recent.wrapping_add(1 << 30),
        tsecr: 0,
    });
    x
}

/// A transfer A → B after B took `bad` must still arrive whole.
fn transfer_survives(
    mut p: Pair,
    c: crate::tcp::ConnectionHandle,
    s: crate::tcp::ConnectionHandle,
) {
    let data: Vec<u8> = (0..20_000u32).map(|i| i as u8).collect();
    p.a.write(p.now, c, &data).unwrap();
    let mut got = Vec::new();
    p.run_until(secs(10), |p| {
        got.extend(p.read_all(false, s));
        got.len() == data.len()
    });
    assert_eq!(got, data, "the connection froze after a spoofed segment");
    assert_eq!(p.b.state(s), State::Established);
    assert_eq!(
        p.b.stats().connection_drops.paws,
        0,
        "genuine segments failed PAWS"
    );
}

#[test]
fn spoofed_ack_with_future_tsval_cannot_freeze_connection() {
    // RFC 7323 §4.3 / §5.3: TS.Recent changes only for a segment whose ACK
    // is acceptable (Linux updates it inside `tcp_ack`).
    let mut p = Pair::new();
    let (c, s, _) = p.connect();
    let before = p.b.connection(s).unwrap().ts_recent;
    let spoof = spoof_to_b(&p, s, Flags::ACK);
    p.b.handle_segment(p.now, spoof);
    assert_eq!(p.b.connection(s).unwrap().ts_recent, before);
    assert_eq!(p.b.stats().connection_drops.bad_ack, 1);
    transfer_survives(p, c, s);
}

#[test]
fn spoofed_in_window_rst_with_future_tsval_cannot_freeze_connection() {
    // RFC 5961 §3.2: a RST not at RCV.NXT earns a challenge ACK, nothing
    // else. With data received and not yet acknowledged, RCV.WUP < RCV.NXT,
    // so a RST at RCV.WUP is in the window, covers Last.ACK.sent, and is
    // not exact: the case where TS.Recent used to be taken from it.
    let now = Instant::from_secs(10);
    let (mut e, h, syn) = client(Config::default(), now);
    let cisn = syn.seq.0;
    let mut sa = seg(
        server_addr(),
        client_addr(),
        5000,
        cisn.wrapping_add(1),
        Flags::SYN | Flags::ACK,
    );
    sa.options.mss = Some(1460);
    sa.options.timestamps = ts(1000, syn.options.timestamps.unwrap().tsval);
    e.handle_segment(now, sa);
    let _ = drain(&mut e, now);
    let data = |seq: u32, tsval: u32, text: &[u8]| {
        let mut d = seg(
            server_addr(),
            client_addr(),
            seq,
            cisn.wrapping_add(1),
            Flags::ACK,
        );
        d.options.timestamps = ts(tsval, 0);
        d.payload = text.to_vec().into();
        d
    };
    e.handle_segment(now, data(5001, 1001, b"hello"));
    let mut rst = seg(server_addr(), client_addr(), 5001, 0, Flags::RST);
    rst.options.timestamps = ts(1001 + (1 << 30), 0);
    e.handle_segment(now, rst);
    assert_eq!(e.state(h), State::Established);
    assert_eq!(e.stats().connection_drops.challenged, 1);
    assert_eq!(e.connection(h).unwrap().ts_recent, 1001);
    e.handle_segment(now, data(5006, 1002, b"world"));
    assert_eq!(e.stats().connection_drops.paws, 0);
    let mut buf = [0u8; 16];
    assert_eq!(e.read(now, h, &mut buf), Ok(10));
    assert_eq!(&buf[..10], b"helloworld");
}

#[test]
fn segment_without_ack_flag_cannot_move_ts_recent() {
    let mut p = Pair::new();
    let (c, s, _) = p.connect();
    let before = p.b.connection(s).unwrap().ts_recent;
    let mut spoof = spoof_to_b(&p, s, Flags::PSH);
    spoof.payload = b"junk".to_vec().into();
    p.b.handle_segment(p.now, spoof);
    assert_eq!(p.b.connection(s).unwrap().ts_recent, before);
    transfer_survives(p, c, s);
}

#[test]
fn unacceptable_ack_changes_no_window_liveness_or_scoreboard() {
    // The audit of issue 9: SND.WND/WL1/WL2, keepalive liveness, probes and
    // the SACK scoreboard are taken only from an acceptable ACK.
    let mut p = Pair::new();
    let (_c, s, _) = p.connect();
    p.b.write(p.now, s, &[7u8; 8000]).unwrap();
    p.flush();
    let (wnd, wl1, wl2, last_rcv, sacked) = {
        let b = p.b.connection(s).unwrap();
        let sacked = b.send.rtx.sacked();
        (b.snd_wnd, b.snd_wl1, b.snd_wl2, b.last_rcv, sacked)
    };
    let t = p.now + ms(50);
    let mut spoof = spoof_to_b(&p, s, Flags::ACK);
    spoof.window = 0;
    let una = p.b.connection(s).unwrap().snd_una;
    spoof.options.sack_blocks = [crate::tcp::segment::SackBlock {
        left: una + 1448,
        right: una + 2896,
    }]
    .into_iter()
    .collect();
    p.b.handle_segment(t, spoof);
    let b = p.b.connection(s).unwrap();
    assert_eq!((b.snd_wnd, b.snd_wl1, b.snd_wl2), (wnd, wl1, wl2));
    assert_eq!(b.last_rcv, last_rcv);
    assert_eq!(b.send.rtx.sacked(), sacked);
}

#[test]
fn events_stay_one_per_socket_when_the_application_never_drains_them() {
    // Issue 9 item 3: 1M segments used to leave 1M events queued.
    let now = Instant::from_secs(10);
    let cfg = Config {
        rcv_buf: 1 << 30,
        ..plain_config()
    };
    let (mut e, h, cisn) = establish_client(cfg, now, 5000);
    let mut seq = 5001u32;
    for _ in 0..5_000 {
        let mut d = seg(
            server_addr(),
            client_addr(),
            seq,
            cisn.wrapping_add(1),
            Flags::ACK | Flags::PSH,
        );
        d.payload = vec![1u8; 10].into();
        seq = seq.wrapping_add(10);
        e.handle_segment(now, d);
        let _ = drain(&mut e, now);
    }
    assert_eq!(e.pending_events(), 1);
    assert_eq!(events(&mut e), vec![crate::tcp::Event::Readable(h)]);
    let mut buf = vec![0u8; 100_000];
    assert_eq!(e.read(now, h, &mut buf), Ok(50_000));
}

#[test]
fn output_for_no_connection_is_bounded_when_transmit_is_never_polled() {
    // Issue 9 item 3: RSTs for a closed port pile up only to `tx_queue_len`.
    let now = Instant::from_secs(10);
    let mut e = Engine::with_seed(Config::default(), 5);
    let n = 5000u32;
    for i in 0..n {
        let mut syn = bare_syn(i);
        syn.src = crate::tcp::segment::addr(10, 9, (i >> 8) as u8, i as u8, 1000);
        e.handle_segment(now, syn);
    }
    let cap = e.config().tx_queue_len as u64;
    assert_eq!(e.stats().tx_queue_drops, u64::from(n) - cap);
    assert_eq!(drain(&mut e, now).len() as u64, cap);
}

#[test]
fn a_connections_control_segments_are_bounded_when_never_polled() {
    // Out-of-window data is answered by an ACK each time (only data-less
    // segments are rate-limited): without polling, at most CONN_OUT_MAX wait,
    // the rest are counted.
    let now = Instant::from_secs(10);
    let (mut e, _h, cisn) = establish_client(plain_config(), now, 5000);
    for _ in 0..100 {
        let mut d = seg(
            server_addr(),
            client_addr(),
            9_000_000,
            cisn.wrapping_add(1),
            Flags::ACK,
        );
        d.payload = b"x".to_vec().into();
        e.handle_segment(now, d);
    }
    assert_eq!(drain(&mut e, now).len(), CONN_OUT_MAX);
    assert_eq!(e.stats().tx_queue_drops, 100 - CONN_OUT_MAX as u64);
}

#[test]
fn out_of_order_holes_are_capped_and_the_far_end_pruned() {
    // SPEC R3, issue 9 item 2: the queue holds at most `max_ooo_ranges`
    // holes, pruned from the far end as Linux's `tcp_prune_ofo_queue` does.
    let now = Instant::from_secs(10);
    let cfg = Config {
        max_ooo_ranges: 64,
        ..plain_config()
    };
    let (mut e, h, cisn) = establish_client(cfg, now, 5000);
    // 200 one-byte segments, each leaving a hole before it, in reverse order
    // so every one is nearer than what is held.
    for i in (1..=200u32).rev() {
        let mut d = seg(
            server_addr(),
            client_addr(),
            5001 + 2 * i,
            cisn.wrapping_add(1),
            Flags::ACK,
        );
        d.payload = vec![i as u8].into();
        e.handle_segment(now, d);
        let _ = drain(&mut e, now);
    }
    let c = e.connection(h).unwrap();
    assert_eq!(c.recv.ooo_ranges(), 64);
    assert_eq!(e.stats().connection_drops.ooo_pruned, 200 - 64);
    // The 64 nearest (5003, 5005, ... 5129) are kept: filling the holes up
    // to them delivers 5001..=5129, and nothing beyond.
    let fill = |e: &mut Engine, at: u32, len: usize| {
        let mut d = seg(
            server_addr(),
            client_addr(),
            at,
            cisn.wrapping_add(1),
            Flags::ACK,
        );
        d.payload = vec![0xee; len].into();
        e.handle_segment(now, d);
    };
    fill(&mut e, 5001, 2);
    for k in 1..=63u32 {
        fill(&mut e, 5002 + 2 * k, 1);
    }
    let mut buf = [0u8; 1024];
    assert_eq!(e.read(now, h, &mut buf), Ok(129));
    assert_eq!(buf[2], 1, "the byte held at 5003");
    assert!(!e.connection(h).unwrap().recv.has_ooo());
}

#[test]
fn a_tiny_hole_bound_still_delivers_every_byte_under_heavy_reordering() {
    // Pruned data is data the peer still holds: it is resent and arrives.
    let cfg = Config {
        max_ooo_ranges: 2,
        ..Config::default()
    };
    let mut p = Pair::with_configs(Config::default(), cfg);
    p.seed(11);
    let (c, s, _) = p.connect();
    p.reorder = 0.3;
    p.loss = 0.02;
    let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7) as u8).collect();
    let mut off = 0;
    let mut got = Vec::new();
    let ok = p.run_until(secs(300), |p| {
        if off < data.len() {
            if let Ok(n) = p.a.write(p.now, c, &data[off..]) {
                off += n;
            }
        }
        got.extend(p.read_all(false, s));
        got.len() == data.len()
    });
    assert!(ok, "stalled at {} of {}", got.len(), data.len());
    assert_eq!(got, data);
    assert!(
        p.b.stats().connection_drops.ooo_pruned > 0,
        "the bound was never reached"
    );
}

#[test]
fn received_segments_wait_in_the_backlog_and_overflow_is_counted() {
    // SPEC H8: `netdev_max_backlog`.
    let now = Instant::from_secs(10);
    let cfg = Config {
        netdev_max_backlog: 10,
        ..plain_config()
    };
    let (mut e, l) = server(cfg);
    for i in 0..25u32 {
        let mut syn = bare_syn(i);
        syn.src = crate::tcp::segment::addr(10, 9, 0, i as u8, 1000);
        e.enqueue_segment(syn);
    }
    assert_eq!((e.backlog_len(), e.stats().rx_backlog_drops), (10, 15));
    assert_eq!(
        e.poll_timeout(),
        Some(Instant::ZERO),
        "a backlog is work due now"
    );
    e.process_backlog(now);
    assert_eq!(e.stats().segments_in, 10);
    assert_eq!(drain(&mut e, now).len(), 10, "ten SYN-ACKs");
    let _ = l;
}
