//! SPEC C1, C2, H8, H9, T15 — identity, limits, listen queues, cookies, ports.

use std::net::SocketAddrV4;

use super::harness::*;
use crate::tcp::segment::{Flags, SeqNumber, addr};
use crate::tcp::{Config, ConnectError, Engine, FourTuple, ListenerHandle, State, SynCookies};
use crate::time::Instant;

fn from(port: u16) -> SocketAddrV4 {
    addr(10, 0, 0, 1, port)
}

/// Send a SYN from `src` and return the SYN-ACK, if any.
fn syn_from(
    e: &mut Engine,
    now: Instant,
    src: SocketAddrV4,
    isn: u32,
) -> Option<crate::tcp::Segment> {
    e.handle_segment(now, seg(src, server_addr(), isn, 0, Flags::SYN));
    drain(e, now)
        .into_iter()
        .find(|s| s.flags == Flags::SYN | Flags::ACK)
}

fn final_ack(src: SocketAddrV4, isn: u32, synack: &crate::tcp::Segment) -> crate::tcp::Segment {
    seg(
        src,
        server_addr(),
        isn + 1,
        synack.seq.0.wrapping_add(1),
        Flags::ACK,
    )
}

fn backlog_server(cfg: Config, backlog: usize) -> (Engine, ListenerHandle) {
    let mut e = Engine::with_seed(cfg, 5);
    let l = e.listen(server_addr(), backlog).unwrap();
    (e, l)
}

#[test]
fn accept_queue_full_drops_final_ack() {
    // SPEC H8 (Linux keeps backlog + 1 in the queue: `sk_acceptq_is_full` is `>`).
    let now = Instant::from_secs(10);
    let (mut e, l) = backlog_server(plain_config(), 1);
    let sa1 = syn_from(&mut e, now, from(1001), 100).unwrap();
    e.handle_segment(now, final_ack(from(1001), 100, &sa1));
    let sa3 = syn_from(&mut e, now, from(1003), 300).unwrap();
    let sa2 = syn_from(&mut e, now, from(1002), 200).unwrap();
    e.handle_segment(now, final_ack(from(1002), 200, &sa2));
    // Queue holds 2 > backlog 1: the third final ACK is dropped silently.
    e.handle_segment(now, final_ack(from(1003), 300, &sa3));
    assert!(drain(&mut e, now).is_empty());
    assert_eq!(e.stats().listen_overflows, 1);
    let rows = e.sockets(now);
    assert!(
        rows.iter()
            .any(|r| r.state == State::SynReceived && r.peer == Some(from(1003)))
    );
    // Room again; the SYN-ACK retransmission makes the client re-ACK.
    assert!(e.accept(l).is_ok());
    let t1 = now + secs(1);
    e.handle_timeout(t1);
    let rtx = drain(&mut e, t1);
    assert!(
        rtx.iter()
            .any(|s| s.flags == Flags::SYN | Flags::ACK && s.dst == from(1003))
    );
    e.handle_segment(t1, final_ack(from(1003), 300, &sa3));
    assert!(e.accept(l).is_ok());
    let (h, peer) = e.accept(l).unwrap();
    assert_eq!(peer, from(1003));
    assert_eq!(e.state(h), State::Established);
}

#[test]
fn accept_queue_full_with_abort_on_overflow_answers_rst() {
    // SPEC H8.
    let now = Instant::from_secs(10);
    let cfg = Config {
        abort_on_overflow: true,
        ..plain_config()
    };
    let (mut e, _l) = backlog_server(cfg, 1);
    let sa3 = syn_from(&mut e, now, from(1003), 300).unwrap();
    for (p, isn) in [(1001u16, 100u32), (1002, 200)] {
        let sa = syn_from(&mut e, now, from(p), isn).unwrap();
        e.handle_segment(now, final_ack(from(p), isn, &sa));
    }
    e.handle_segment(now, final_ack(from(1003), 300, &sa3));
    let out = drain(&mut e, now);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].flags, Flags::RST);
    assert_eq!(out[0].seq, sa3.seq + 1);
    assert!(!e.sockets(now).iter().any(|r| r.state == State::SynReceived));
}

#[test]
fn syn_is_dropped_while_accept_queue_is_full() {
    // SPEC H8 (Linux tcp_conn_request: ListenOverflows).
    let now = Instant::from_secs(10);
    let (mut e, _l) = backlog_server(plain_config(), 1);
    for (p, isn) in [(1001u16, 100u32), (1002, 200)] {
        let sa = syn_from(&mut e, now, from(p), isn).unwrap();
        e.handle_segment(now, final_ack(from(p), isn, &sa));
    }
    assert!(syn_from(&mut e, now, from(1003), 300).is_none());
    assert_eq!(e.stats().listen_overflows, 1);
}

#[test]
fn listen_backlog_is_capped_by_somaxconn() {
    // SPEC H8.
    let cfg = Config {
        somaxconn: 2,
        ..plain_config()
    };
    let (e, _l) = backlog_server(cfg, 1000);
    let rows = e.sockets(Instant::ZERO);
    assert_eq!(rows[0].state, State::Listen);
    assert_eq!(rows[0].send_q, 2);
}

#[test]
fn syn_queue_full_without_cookies_drops_syn() {
    // SPEC H8 (`max_syn_backlog`), H9 (`syncookies` = 0).
    let now = Instant::from_secs(10);
    let cfg = Config {
        max_syn_backlog: 2,
        syncookies: SynCookies::Off,
        ..plain_config()
    };
    let (mut e, _l) = backlog_server(cfg, 128);
    assert!(syn_from(&mut e, now, from(1001), 1).is_some());
    assert!(syn_from(&mut e, now, from(1002), 2).is_some());
    assert!(syn_from(&mut e, now, from(1003), 3).is_none());
    assert_eq!(e.stats().syn_queue_drops, 1);
}

#[test]
fn receive_queue_overflow_drops_and_counts() {
    // SPEC H8 (`netdev_max_backlog`).
    let cfg = Config {
        netdev_max_backlog: 2,
        ..plain_config()
    };
    let (mut e, _l) = backlog_server(cfg, 128);
    assert!(e.enqueue_segment(bare_syn(1)));
    assert!(e.enqueue_segment(seg(from(1002), server_addr(), 2, 0, Flags::SYN)));
    assert!(!e.enqueue_segment(seg(from(1003), server_addr(), 3, 0, Flags::SYN)));
    assert_eq!(e.stats().rx_backlog_drops, 1);
    assert_eq!(e.poll_timeout(), Some(Instant::ZERO));
    let now = Instant::from_secs(1);
    e.handle_timeout(now);
    assert_eq!(drain(&mut e, now).len(), 2);
}

#[test]
fn syn_cookie_keeps_no_state_and_completes_with_encoded_mss_and_options() {
    // SPEC H9 (`syncookies` = 2).
    let now = Instant::from_secs(10);
    let cfg = Config {
        syncookies: SynCookies::Always,
        ..Config::default()
    };
    let (mut e, l) = backlog_server(cfg, 128);
    let mut syn = linux_syn(7000, 55);
    syn.options.mss = Some(1400);
    e.handle_segment(now, syn);
    let sa = drain(&mut e, now).remove(0);
    assert_eq!(sa.flags, Flags::SYN | Flags::ACK);
    assert_eq!(e.state_counts(now), vec![(State::Listen, 1)]);
    assert_eq!(e.stats().syncookies_sent, 1);
    let mut ack = seg(
        client_addr(),
        server_addr(),
        7001,
        sa.seq.0.wrapping_add(1),
        Flags::ACK,
    );
    ack.options.timestamps = ts(56, sa.options.timestamps.unwrap().tsval);
    e.handle_segment(now + secs(3), ack);
    let (h, _) = e.accept(l).unwrap();
    let c = e.connection(h).unwrap();
    assert_eq!(c.state(), State::Established);
    // MSS table entry 1300 (largest ≤ 1400), less 12 for timestamps.
    assert_eq!(c.mss(), 1288);
    assert_eq!(c.snd_wscale, 7);
    assert!(c.sack_ok);
    assert_eq!(e.stats().syncookies_recv, 1);
}

#[test]
fn bad_or_stale_syn_cookie_is_answered_with_rst() {
    // SPEC H9: only the current or previous counter slot decodes.
    let now = Instant::from_secs(10);
    let cfg = Config {
        syncookies: SynCookies::Always,
        ..plain_config()
    };
    let (mut e, l) = backlog_server(cfg, 128);
    e.handle_segment(now, bare_syn(7000));
    let sa = drain(&mut e, now).remove(0);
    let ack = final_ack(client_addr(), 7000, &sa);
    let late = now + secs(180);
    e.handle_segment(late, ack.clone());
    let out = drain(&mut e, late);
    assert_eq!(out[0].flags, Flags::RST);
    assert!(e.accept(l).is_err());
    assert_eq!(e.stats().syncookies_failed, 1);
    let mut wrong = ack;
    wrong.ack += 12345;
    e.handle_segment(now, wrong);
    assert_eq!(drain(&mut e, now)[0].flags, Flags::RST);
}

#[test]
fn syn_flood_with_cookies_still_lets_legitimate_clients_connect() {
    // SPEC H9 (`syncookies` = 1: cookies once the SYN queue is full).
    let cfg = Config {
        max_syn_backlog: 16,
        ..Config::default()
    };
    let mut p = Pair::with_configs(Config::default(), cfg);
    let l = p.b.listen(server_addr(), 128).unwrap();
    // Replies to spoofed sources vanish.
    p.filter = Some(Box::new(|dir, s| dir == Dir::BtoA && *s.dst.ip() != A_IP));
    for i in 0..1000u32 {
        let src = addr(172, 16, (i >> 8) as u8, i as u8, 1024 + (i % 5000) as u16);
        p.b.handle_segment(p.now, seg(src, server_addr(), i * 7919, 0, Flags::SYN));
    }
    p.flush();
    assert!(p.b.stats().syncookies_sent > 900);
    let c = p.a.connect(p.now, A_IP, server_addr()).unwrap();
    assert!(p.run_until(secs(3), |p| p.a.state(c) == State::Established));
    p.run_for(ms(20));
    let (s, _) = p.b.accept(l).unwrap();
    p.a.write(p.now, c, b"through the flood").unwrap();
    p.run_for(ms(50));
    assert_eq!(p.read_all(false, s), b"through the flood");
}

#[test]
fn connections_are_identified_by_their_four_tuple() {
    // SPEC C1.
    let now = Instant::from_secs(10);
    let (mut e, l) = backlog_server(plain_config(), 128);
    let sa1 = syn_from(&mut e, now, from(1001), 100).unwrap();
    let sa2 = syn_from(&mut e, now, from(1002), 100).unwrap();
    e.handle_segment(now, final_ack(from(1001), 100, &sa1));
    e.handle_segment(now, final_ack(from(1002), 100, &sa2));
    let (h1, _) = e.accept(l).unwrap();
    let (h2, _) = e.accept(l).unwrap();
    assert_ne!(h1, h2);
    let mut d = seg(
        from(1002),
        server_addr(),
        101,
        sa2.seq.0.wrapping_add(1),
        Flags::ACK | Flags::PSH,
    );
    d.payload = b"two".to_vec().into();
    e.handle_segment(now, d);
    let mut buf = [0u8; 8];
    assert!(e.read(now, h1, &mut buf).is_err());
    assert_eq!(e.read(now, h2, &mut buf), Ok(3));
    assert_eq!(
        e.connection(h2).unwrap().tuple(),
        FourTuple::new(server_addr(), from(1002))
    );
    // The same local port may serve two remotes; the same 4-tuple may not be used twice.
    let mut c = Engine::with_seed(plain_config(), 6);
    let other = addr(10, 0, 0, 3, 80);
    assert!(c.connect_from(now, client_addr(), server_addr()).is_ok());
    assert!(c.connect_from(now, client_addr(), other).is_ok());
    assert_eq!(
        c.connect_from(now, client_addr(), server_addr()),
        Err(ConnectError::AddrInUse)
    );
}

#[test]
fn connection_limit_is_a_clear_error_not_a_crash() {
    // SPEC C2.
    let now = Instant::from_secs(10);
    let cfg = Config {
        max_connections: 2,
        ..plain_config()
    };
    let mut c = Engine::with_seed(cfg.clone(), 6);
    assert!(c.connect(now, A_IP, server_addr()).is_ok());
    assert!(c.connect(now, A_IP, server_addr()).is_ok());
    assert_eq!(
        c.connect(now, A_IP, server_addr()),
        Err(ConnectError::TooManyConnections)
    );
    let (mut e, l) = backlog_server(cfg, 128);
    for p in [1001u16, 1002, 1003] {
        let sa = syn_from(&mut e, now, from(p), 100).unwrap();
        e.handle_segment(now, final_ack(from(p), 100, &sa));
    }
    assert_eq!(e.connection_count(), 2);
    assert_eq!(e.stats().connection_limit_drops, 1);
    assert!(e.accept(l).is_ok());
}

#[test]
fn ephemeral_ports_come_from_the_range_and_exhaustion_is_addr_not_available() {
    // SPEC T15.
    let now = Instant::from_secs(10);
    let cfg = Config {
        ephemeral_ports: 40000..=40002,
        ..plain_config()
    };
    let mut e = Engine::with_seed(cfg, 8);
    let mut ports = Vec::new();
    for _ in 0..3 {
        let h = e.connect(now, A_IP, server_addr()).unwrap();
        ports.push(e.connection(h).unwrap().tuple().local.port());
    }
    ports.sort();
    assert_eq!(ports, vec![40000, 40001, 40002]);
    assert_eq!(
        e.connect(now, A_IP, server_addr()),
        Err(ConnectError::AddrNotAvailable)
    );
    // Another destination has its own 4-tuples.
    assert!(e.connect(now, A_IP, addr(10, 0, 0, 3, 80)).is_ok());
    // The default range is Linux's.
    assert_eq!(Config::default().ephemeral_ports, 32768..=60999);
    let _ = SeqNumber(0);
}

#[test]
fn ports_held_in_time_wait_count_as_taken() {
    // SPEC T15 ("TIME-WAIT included").
    let cfg = Config {
        ephemeral_ports: 40000..=40000,
        ..Config::default()
    };
    let mut p = Pair::with_configs(cfg, Config::default());
    let (c, s, _) = p.connect();
    p.a.close(p.now, c).unwrap();
    p.run_for(ms(20));
    p.b.close(p.now, s).unwrap();
    p.run_for(ms(20));
    assert_eq!(p.a.time_wait_count(), 1);
    assert_eq!(
        p.a.connect(p.now, A_IP, server_addr()),
        Err(ConnectError::AddrNotAvailable)
    );
    p.run_for(secs(61));
    assert!(p.a.connect(p.now, A_IP, server_addr()).is_ok());
}
