//! SPEC T5, T10, T11, T12 — TIME-WAIT records.

use super::harness::*;
use crate::tcp::segment::{Flags, Segment, SeqNumber};
use crate::tcp::{Config, ConnectError, Engine, FourTuple, State};
use crate::time::Instant;

fn tuple_ab() -> FourTuple {
    FourTuple::new(client_addr(), server_addr())
}

/// Client engine in TIME-WAIT at `now` (peer ISN 5000); returns (engine, our ISN).
fn client_in_time_wait(cfg: Config, now: Instant) -> (Engine, u32) {
    let (mut e, h, cisn) = establish_client(cfg, now, 5000);
    e.close(now, h).unwrap();
    let _ = drain(&mut e, now);
    e.handle_segment(
        now,
        seg(
            server_addr(),
            client_addr(),
            5001,
            cisn.wrapping_add(2),
            Flags::FIN | Flags::ACK,
        ),
    );
    let _ = drain(&mut e, now);
    assert!(e.time_wait(tuple_ab()).is_some());
    (e, cisn)
}

#[test]
fn time_wait_record_is_stored_in_48_bytes() {
    // DESIGN: compact records (also asserted at compile time); the index
    // adds ~5 bytes a record, `synack bench` measures the resident total.
    assert!(crate::tcp::time_wait::RECORD_BYTES <= 48);
}

#[test]
fn time_wait_restarts_on_retransmitted_fin() {
    // SPEC T5.
    let t0 = Instant::from_secs(10);
    let (mut e, cisn) = client_in_time_wait(plain_config(), t0);
    assert_eq!(e.poll_timeout(), Some(t0 + secs(60)));
    let t1 = t0 + secs(30);
    e.handle_segment(
        t1,
        seg(
            server_addr(),
            client_addr(),
            5001,
            cisn.wrapping_add(2),
            Flags::FIN | Flags::ACK,
        ),
    );
    let out = drain(&mut e, t1);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].flags, Flags::ACK);
    assert_eq!(out[0].seq, SeqNumber(cisn.wrapping_add(2)));
    assert_eq!(out[0].ack, SeqNumber(5002));
    assert_eq!(e.poll_timeout(), Some(t1 + secs(60)));
    e.handle_timeout(t0 + secs(61));
    assert!(e.time_wait(tuple_ab()).is_some());
    e.handle_timeout(t1 + secs(60));
    assert!(e.time_wait(tuple_ab()).is_none());
}

#[test]
fn time_wait_drops_old_incarnation_data_and_reacks() {
    // SPEC T10: an old duplicate is not delivered anywhere; TIME-WAIT answers with its ACK.
    let t0 = Instant::from_secs(10);
    let (mut e, cisn) = client_in_time_wait(plain_config(), t0);
    let mut old = seg(
        server_addr(),
        client_addr(),
        4000,
        cisn.wrapping_add(1),
        Flags::ACK | Flags::PSH,
    );
    old.payload = vec![1; 100].into();
    e.handle_segment(t0 + secs(1), old);
    let out = drain(&mut e, t0 + secs(1));
    assert_eq!(out.len(), 1);
    assert_eq!(
        (out[0].flags, out[0].seq, out[0].ack),
        (Flags::ACK, SeqNumber(cisn.wrapping_add(2)), SeqNumber(5002))
    );
    assert_eq!(e.connection_count(), 0);
    assert!(e.time_wait(tuple_ab()).is_some());
}

/// Server engine whose accepted connection is in TIME-WAIT (server closed
/// first), with timestamps; returns (engine, server ISN, client ISN, last client TSval).
fn server_in_time_wait(now: Instant) -> (Engine, u32, u32, u32) {
    let (mut e, l) = server(Config::default());
    let cisn = 1_000_000u32;
    let mut syn = linux_syn(cisn, 100);
    syn.options.window_scale = None;
    e.handle_segment(now, syn);
    let synack = drain(&mut e, now).remove(0);
    let stsval = synack.options.timestamps.unwrap().tsval;
    let sisn = synack.seq.0;
    let mut ack = seg(client_addr(), server_addr(), cisn + 1, sisn + 1, Flags::ACK);
    ack.options.timestamps = ts(101, stsval);
    e.handle_segment(now, ack);
    let (h, _) = e.accept(l).unwrap();
    e.close(now, h).unwrap();
    let fin = drain(&mut e, now).remove(0);
    assert!(fin.flags.fin());
    let mut finack = seg(
        client_addr(),
        server_addr(),
        cisn + 1,
        sisn + 2,
        Flags::FIN | Flags::ACK,
    );
    finack.options.timestamps = ts(102, fin.options.timestamps.unwrap().tsval);
    e.handle_segment(now, finack);
    let _ = drain(&mut e, now);
    assert!(
        e.time_wait(FourTuple::new(server_addr(), client_addr()))
            .is_some()
    );
    (e, sisn, cisn, 102)
}

fn syn_with(seq: u32, tsval: Option<u32>) -> Segment {
    let mut s = bare_syn(seq);
    s.options.mss = Some(1460);
    s.options.timestamps = tsval.and_then(|v| ts(v, 0));
    s
}

#[test]
fn new_syn_with_higher_sequence_takes_over_time_wait_tuple() {
    // SPEC T10: provably newer by sequence number; Linux ISN = old SND.NXT + 65537.
    let t0 = Instant::from_secs(10);
    let (mut e, sisn, cisn, _) = server_in_time_wait(t0);
    let t1 = t0 + secs(5);
    e.handle_segment(t1, syn_with(cisn + 100_000, None));
    let out = drain(&mut e, t1);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].flags, Flags::SYN | Flags::ACK);
    assert_eq!(
        out[0].seq,
        SeqNumber(sisn.wrapping_add(2).wrapping_add(65_537))
    );
    assert!(
        e.time_wait(FourTuple::new(server_addr(), client_addr()))
            .is_none()
    );
    assert_eq!(e.stats().tw_recycled, 1);
}

#[test]
fn new_syn_with_newer_timestamp_takes_over_time_wait_tuple() {
    // SPEC T10: provably newer by timestamp even with a lower ISN.
    let t0 = Instant::from_secs(10);
    let (mut e, _sisn, cisn, last_ts) = server_in_time_wait(t0);
    let t1 = t0 + secs(5);
    e.handle_segment(t1, syn_with(cisn - 50_000, Some(last_ts + 1000)));
    let out = drain(&mut e, t1);
    assert_eq!(out[0].flags, Flags::SYN | Flags::ACK);
}

#[test]
fn old_syn_in_time_wait_is_not_accepted() {
    // SPEC T10: neither newer ISN nor newer timestamp → TIME-WAIT ACK, no SYN-ACK.
    let t0 = Instant::from_secs(10);
    let (mut e, _sisn, cisn, last_ts) = server_in_time_wait(t0);
    let t1 = t0 + secs(5);
    e.handle_segment(t1, syn_with(cisn - 50_000, Some(last_ts - 10)));
    let out = drain(&mut e, t1);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].flags, Flags::ACK);
    assert!(
        e.time_wait(FourTuple::new(server_addr(), client_addr()))
            .is_some()
    );
    assert_eq!(
        e.state_counts(t1),
        vec![(State::TimeWait, 1), (State::Listen, 1)]
    );
}

#[test]
fn exact_rst_kills_time_wait_record() {
    // Linux default (tcp_rfc1337 = 0): an in-window RST ends TIME-WAIT early.
    let t0 = Instant::from_secs(10);
    let (mut e, cisn) = client_in_time_wait(plain_config(), t0);
    e.handle_segment(
        t0 + secs(1),
        seg(
            server_addr(),
            client_addr(),
            5002,
            cisn.wrapping_add(2),
            Flags::RST,
        ),
    );
    assert!(e.time_wait(tuple_ab()).is_none());
    assert!(drain(&mut e, t0 + secs(1)).is_empty());
}

#[test]
fn max_tw_buckets_reached_means_closing_connection_skips_time_wait() {
    // SPEC T11: the second active closer goes straight to CLOSED and is counted.
    let cfg = Config {
        max_tw_buckets: 1,
        ..plain_config()
    };
    let t0 = Instant::from_secs(10);
    let mut e = Engine::with_seed(cfg, 9);
    let mut tuples = Vec::new();
    for port in [40000u16, 40001] {
        let local = crate::tcp::segment::addr(10, 0, 0, 1, port);
        let h = e.connect_from(t0, local, server_addr()).unwrap();
        let syn = drain(&mut e, t0).remove(0);
        let mut sa = seg(
            server_addr(),
            local,
            5000,
            syn.seq.0.wrapping_add(1),
            Flags::SYN | Flags::ACK,
        );
        sa.options.mss = Some(1460);
        e.handle_segment(t0, sa);
        e.close(t0, h).unwrap();
        let _ = drain(&mut e, t0);
        e.handle_segment(
            t0,
            seg(
                server_addr(),
                local,
                5001,
                syn.seq.0.wrapping_add(2),
                Flags::FIN | Flags::ACK,
            ),
        );
        let out = drain(&mut e, t0);
        assert_eq!(
            out.last().unwrap().flags,
            Flags::ACK,
            "the FIN is still acknowledged"
        );
        tuples.push(FourTuple::new(local, server_addr()));
    }
    assert!(e.time_wait(tuples[0]).is_some());
    assert!(e.time_wait(tuples[1]).is_none());
    assert_eq!(e.stats().tw_overflow, 1);
    assert_eq!(e.connection_count(), 0);
}

#[test]
fn tw_reuse_takes_tuple_older_than_1s_with_timestamps() {
    // SPEC T12.
    let cfg = Config {
        tw_reuse: true,
        ..Config::default()
    };
    let mut p = Pair::with_configs(cfg, Config::default());
    let l = p.b.listen(server_addr(), 16).unwrap();
    let c =
        p.a.connect_from(p.now, client_addr(), server_addr())
            .unwrap();
    p.run_for(ms(50));
    let (s, _) = p.b.accept(l).unwrap();
    p.a.close(p.now, c).unwrap();
    p.run_for(ms(20));
    p.b.close(p.now, s).unwrap();
    p.run_for(ms(20));
    let tw = p.a.time_wait(tuple_ab()).unwrap();
    assert_eq!(
        p.a.connect_from(p.now, client_addr(), server_addr()),
        Err(ConnectError::AddrInUse)
    );
    p.run_for(secs(2));
    let c2 =
        p.a.connect_from(p.now, client_addr(), server_addr())
            .unwrap();
    assert_eq!(p.a.connection(c2).unwrap().iss, tw.snd_nxt + 65_537);
    assert_eq!(p.a.stats().tw_reused, 1);
    p.run_for(ms(50));
    assert_eq!(p.a.state(c2), State::Established);
    // PAWS (RFC 7323 §5) drops a duplicate from the old incarnation even
    // when its sequence number falls in the new window.
    let old_ts = p
        .sent(Dir::BtoA)
        .iter()
        .find_map(|s| s.options.timestamps)
        .unwrap();
    let conn = p.a.connection(c2).unwrap();
    let mut dup = Segment::new(
        server_addr(),
        client_addr(),
        conn.rcv_nxt,
        conn.snd_nxt,
        Flags::ACK | Flags::PSH,
    );
    dup.window = 500;
    dup.payload = b"stale".to_vec().into();
    dup.options.timestamps = Some(old_ts);
    p.a.handle_segment(p.now, dup);
    let mut buf = [0u8; 8];
    assert_eq!(
        p.a.read(p.now, c2, &mut buf),
        Err(crate::tcp::ReadError::WouldBlock)
    );
}

#[test]
fn without_tw_reuse_a_time_wait_tuple_is_unavailable() {
    // SPEC T12 (default off), T15.
    let t0 = Instant::from_secs(10);
    let (mut e, _) = client_in_time_wait(Config::default(), t0);
    assert_eq!(
        e.connect_from(t0 + secs(5), client_addr(), server_addr()),
        Err(ConnectError::AddrInUse)
    );
}
