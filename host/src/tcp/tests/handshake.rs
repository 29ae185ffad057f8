//! SPEC H — opening.

use super::harness::*;
use crate::tcp::engine::reset_for;
use crate::tcp::segment::{Flags, OptionItem, SeqNumber, Timestamps};
use crate::tcp::{Config, Engine, Event, State};
use crate::time::Instant;

#[test]
fn three_way_handshake_uses_linux_options_windows_and_states() {
    // SPEC H1, H6, R4: Linux SYN options MSS, SACK-perm, TS, NOP, WScale; windows 64240/65160/502.
    let mut p = Pair::new();
    let l = p.b.listen(server_addr(), 128).unwrap();
    let c = p.a.connect(p.now, A_IP, server_addr()).unwrap();
    assert_eq!(p.a.state(c), State::SynSent);
    p.flush();
    let syn = p.sent(Dir::AtoB)[0].clone();
    assert_eq!(syn.flags, Flags::SYN);
    assert_eq!(syn.window, 64240);
    assert!(syn.payload.is_empty());
    let layout = syn.options.linux_layout();
    assert!(matches!(
        layout.as_slice(),
        [
            OptionItem::Mss(1460),
            OptionItem::SackPermitted,
            OptionItem::Timestamps(Timestamps { tsecr: 0, .. }),
            OptionItem::Nop,
            OptionItem::WindowScale(7)
        ]
    ));
    p.run_for(ms(30));
    let b_out = p.sent(Dir::BtoA);
    let synack = &b_out[0];
    assert_eq!(synack.flags, Flags::SYN | Flags::ACK);
    assert_eq!(synack.ack, syn.seq + 1);
    assert_eq!(synack.window, 65160);
    assert!(synack.payload.is_empty());
    assert_eq!(synack.options.mss, Some(1460));
    assert_eq!(synack.options.window_scale, Some(7));
    assert_eq!(
        synack.options.timestamps.unwrap().tsecr,
        syn.options.timestamps.unwrap().tsval
    );
    let a_out = p.sent(Dir::AtoB);
    let ack = &a_out[1];
    assert_eq!(ack.flags, Flags::ACK);
    assert_eq!(ack.seq, syn.seq + 1);
    assert_eq!(ack.ack, synack.seq + 1);
    assert_eq!(ack.window, 502);
    assert_eq!(p.a.state(c), State::Established);
    let (s, peer) = p.b.accept(l).unwrap();
    assert_eq!(peer, p.a.connection(c).unwrap().tuple().local);
    assert_eq!(p.b.state(s), State::Established);
}

#[test]
fn data_on_the_third_segment_is_delivered() {
    // SPEC H1.
    let now = Instant::from_secs(10);
    let (mut e, l) = server(plain_config());
    e.handle_segment(now, bare_syn(1000));
    let synack = drain(&mut e, now).remove(0);
    assert_eq!(synack.flags, Flags::SYN | Flags::ACK);
    let mut ack = seg(
        client_addr(),
        server_addr(),
        1001,
        synack.seq.0 + 1,
        Flags::ACK | Flags::PSH,
    );
    ack.payload = b"hello".to_vec().into();
    e.handle_segment(now, ack);
    let (h, _) = e.accept(l).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(e.read(now, h, &mut buf), Ok(5));
    assert_eq!(&buf[..5], b"hello");
}

#[test]
fn connect_completes_on_synack_and_accept_only_after_final_ack() {
    // SPEC H7.
    let now = Instant::from_secs(10);
    let (mut cl, h, syn) = client(plain_config(), now);
    let (mut sv, l) = server(plain_config());
    sv.handle_segment(now, syn);
    let synack = drain(&mut sv, now).remove(0);
    assert_eq!(sv.accept(l), Err(crate::tcp::AcceptError::WouldBlock));
    cl.handle_segment(now, synack);
    assert_eq!(cl.state(h), State::Established);
    assert!(events(&mut cl).contains(&Event::Connected(h)));
    let ack = drain(&mut cl, now).remove(0);
    assert_eq!(sv.accept(l), Err(crate::tcp::AcceptError::WouldBlock));
    sv.handle_segment(now, ack);
    assert!(events(&mut sv).contains(&Event::Incoming(l)));
    assert!(sv.accept(l).is_ok());
}

#[test]
fn old_duplicate_syn_ack_gets_rst() {
    // SPEC H4 (client side): RST with seq = SEG.ACK, stay in SYN-SENT.
    let now = Instant::from_secs(10);
    let (mut cl, h, syn) = client(plain_config(), now);
    let cisn = syn.seq.0;
    let old = seg(
        server_addr(),
        client_addr(),
        5000,
        cisn.wrapping_add(777),
        Flags::SYN | Flags::ACK,
    );
    cl.handle_segment(now, old);
    let out = drain(&mut cl, now);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].flags, Flags::RST);
    assert_eq!(out[0].seq, SeqNumber(cisn.wrapping_add(777)));
    assert_eq!(cl.state(h), State::SynSent);
    let good = seg(
        server_addr(),
        client_addr(),
        9000,
        cisn.wrapping_add(1),
        Flags::SYN | Flags::ACK,
    );
    cl.handle_segment(now, good);
    assert_eq!(cl.state(h), State::Established);
}

#[test]
fn rst_acknowledging_our_syn_refuses_the_connection() {
    // SPEC H1, H7: connect() fails with connection-refused.
    let now = Instant::from_secs(10);
    let (mut cl, h, syn) = client(plain_config(), now);
    // A RST that does not acknowledge our SYN is ignored (RFC 9293 §3.10.7.3).
    cl.handle_segment(
        now,
        seg(
            server_addr(),
            client_addr(),
            0,
            syn.seq.0.wrapping_add(9),
            Flags::RST | Flags::ACK,
        ),
    );
    assert_eq!(cl.state(h), State::SynSent);
    cl.handle_segment(now, reset_for(&syn).unwrap());
    assert_eq!(cl.state(h), State::Closed);
    assert!(events(&mut cl).contains(&Event::Closed(h, Some(crate::tcp::ConnError::Refused))));
    let mut buf = [0u8; 4];
    assert_eq!(
        cl.read(now, h, &mut buf),
        Err(crate::tcp::ReadError::Connection(
            crate::tcp::ConnError::Refused
        ))
    );
}

#[test]
fn rst_in_syn_received_drops_embryonic_connection_back_to_listen() {
    // SPEC H4 (server side).
    let now = Instant::from_secs(10);
    let (mut sv, l) = server(plain_config());
    sv.handle_segment(now, bare_syn(1000));
    let synack = drain(&mut sv, now).remove(0);
    assert_eq!(
        sv.state_counts(now),
        vec![(State::SynReceived, 1), (State::Listen, 1)]
    );
    sv.handle_segment(now, seg(client_addr(), server_addr(), 1001, 0, Flags::RST));
    assert_eq!(sv.state_counts(now), vec![(State::Listen, 1)]);
    // The old connection's ACK now finds nothing: RST, and nothing to accept.
    sv.handle_segment(
        now,
        seg(
            client_addr(),
            server_addr(),
            1001,
            synack.seq.0 + 1,
            Flags::ACK,
        ),
    );
    let out = drain(&mut sv, now);
    assert_eq!(out[0].flags, Flags::RST);
    assert!(sv.accept(l).is_err());
}

#[test]
fn synack_retransmits_at_1_2_4_8_16s_and_gives_up_at_63s() {
    // SPEC H5.
    let t0 = Instant::from_secs(100);
    let (mut sv, _l) = server(plain_config());
    sv.handle_segment(t0, bare_syn(1000));
    let _ = drain(&mut sv, t0);
    let mut sent_at = Vec::new();
    let mut now = t0;
    while let Some(t) = sv.poll_timeout() {
        now = t;
        sv.handle_timeout(now);
        for s in drain(&mut sv, now) {
            assert_eq!(s.flags, Flags::SYN | Flags::ACK);
            sent_at.push((now - t0).as_secs());
        }
    }
    assert_eq!(sent_at, vec![1, 3, 7, 15, 31]);
    assert_eq!(now - t0, secs(63));
    assert_eq!(sv.stats().synack_timeouts, 1);
    assert_eq!(sv.state_counts(now), vec![(State::Listen, 1)]);
}

#[test]
fn syn_retransmits_with_doubling_and_connect_times_out_at_127s() {
    // SPEC H5: 6 retries, 1+2+4+8+16+32+64 = 127 s.
    let t0 = Instant::from_secs(100);
    let (mut cl, h, _) = client(Config::default(), t0);
    let mut sent_at = Vec::new();
    let mut now = t0;
    while let Some(t) = cl.poll_timeout() {
        now = t;
        cl.handle_timeout(now);
        for s in drain(&mut cl, now) {
            assert_eq!(s.flags, Flags::SYN);
            sent_at.push((now - t0).as_secs());
        }
    }
    assert_eq!(sent_at, vec![1, 3, 7, 15, 31, 63]);
    assert_eq!(now - t0, secs(127));
    assert_eq!(cl.state(h), State::Closed);
    assert!(events(&mut cl).contains(&Event::Closed(h, Some(crate::tcp::ConnError::TimedOut))));
}

#[test]
fn syn_linear_timeouts_space_first_retries_one_second_apart() {
    // SPEC H5 (Linux ≥ 6.5 option).
    let t0 = Instant::from_secs(100);
    let cfg = Config {
        syn_linear_timeouts: 4,
        ..Config::default()
    };
    let (mut cl, _h, _) = client(cfg, t0);
    let mut sent_at = Vec::new();
    let mut now = t0;
    while let Some(t) = cl.poll_timeout() {
        now = t;
        cl.handle_timeout(now);
        if !drain(&mut cl, now).is_empty() {
            sent_at.push((now - t0).as_secs());
        }
    }
    assert_eq!(sent_at, vec![1, 2, 3, 4, 5, 7, 11, 19, 35, 67]);
    assert_eq!(now - t0, secs(131));
}

#[test]
fn late_final_ack_after_synack_retries_completes_handshake() {
    // SPEC H5.
    let t0 = Instant::from_secs(100);
    let (mut sv, l) = server(plain_config());
    sv.handle_segment(t0, bare_syn(1000));
    let synack = drain(&mut sv, t0).remove(0);
    for t in [1, 3, 7] {
        sv.handle_timeout(t0 + secs(t));
        let _ = drain(&mut sv, t0 + secs(t));
    }
    let now = t0 + secs(10);
    sv.handle_segment(
        now,
        seg(
            client_addr(),
            server_addr(),
            1001,
            synack.seq.0 + 1,
            Flags::ACK,
        ),
    );
    let (h, _) = sv.accept(l).unwrap();
    assert_eq!(sv.state(h), State::Established);
    // RFC 6298 §5.7: no RTT sample from a retransmitted handshake → RTO 3 s.
    assert_eq!(sv.connection(h).unwrap().rto(), secs(3));
}

#[test]
fn send_mss_is_min_of_peer_and_own_and_536_without_option() {
    // SPEC H6.
    let now = Instant::from_secs(10);
    for (peer, want) in [(Some(1000u16), 1000usize), (Some(9000), 1460), (None, 536)] {
        let (mut cl, h, syn) = client(plain_config(), now);
        let mut sa = seg(
            server_addr(),
            client_addr(),
            7,
            syn.seq.0 + 1,
            Flags::SYN | Flags::ACK,
        );
        sa.options.mss = peer;
        cl.handle_segment(now, sa);
        assert_eq!(cl.connection(h).unwrap().mss(), want);
    }
    // With timestamps the option's 12 bytes come off (Linux mss_cache).
    let (mut cl, h, syn) = client(Config::default(), now);
    let mut sa = seg(
        server_addr(),
        client_addr(),
        7,
        syn.seq.0 + 1,
        Flags::SYN | Flags::ACK,
    );
    sa.options.mss = Some(1460);
    sa.options.timestamps = ts(5, syn.options.timestamps.unwrap().tsval);
    cl.handle_segment(now, sa);
    assert_eq!(cl.connection(h).unwrap().mss(), 1448);
}

#[test]
fn simultaneous_open_reaches_established_on_both_sides() {
    // SPEC H10.
    let mut p = Pair::new();
    let a_addr = client_addr();
    let b_addr = server_addr();
    let ha = p.a.connect_from(p.now, a_addr, b_addr).unwrap();
    let hb = p.b.connect_from(p.now, b_addr, a_addr).unwrap();
    p.flush();
    p.run_until(secs(3), |p| {
        p.a.state(ha) == State::SynReceived || p.b.state(hb) == State::SynReceived
    });
    let ok = p.run_until(secs(5), |p| {
        p.a.state(ha) == State::Established && p.b.state(hb) == State::Established
    });
    assert!(ok, "{:?} {:?}", p.a.state(ha), p.b.state(hb));
    let synacks = p
        .log
        .iter()
        .filter(|(_, _, s)| s.flags == Flags::SYN | Flags::ACK)
        .count();
    assert_eq!(synacks, 2);
    p.a.write(p.now, ha, b"ping").unwrap();
    p.run_for(ms(50));
    assert_eq!(p.read_all(false, hb), b"ping");
}

#[test]
fn isn_is_a_keyed_hash_of_the_tuple_plus_a_4us_clock() {
    // SPEC H2 (RFC 6528): same tuple, 4 ms later → exactly 1000 ticks more.
    let e1 = Engine::with_seed(Config::default(), 11);
    let t = crate::tcp::FourTuple::new(client_addr(), server_addr());
    let u = crate::tcp::FourTuple::new(addr2(), server_addr());
    let t0 = Instant::from_secs(5);
    let isn0 = e1.secrets.isn(t, t0);
    let isn1 = e1.secrets.isn(t, t0 + ms(4));
    assert_eq!(isn1.0.wrapping_sub(isn0.0), 1000);
    // Neighbouring ports are unrelated, not offset by a small step.
    let d = e1.secrets.isn(u, t0).0.wrapping_sub(isn0.0);
    assert!(d > 1_000_000 && d < u32::MAX - 1_000_000, "{d}");
}

#[test]
fn client_and_server_isns_are_independent_and_unpredictable() {
    // SPEC H3: a different secret gives an unrelated ISN for the same tuple and time,
    // and the two ends of one connection pick theirs independently.
    let t = crate::tcp::FourTuple::new(client_addr(), server_addr());
    let t0 = Instant::from_secs(5);
    let a = Engine::with_seed(Config::default(), 11).secrets.isn(t, t0);
    let b = Engine::with_seed(Config::default(), 12).secrets.isn(t, t0);
    assert_ne!(a, b);
    let fresh = Engine::new(Config::default()).secrets.isn(t, t0);
    assert_ne!(fresh, a);
    let mut p = Pair::new();
    let (c, s, _) = p.connect();
    let ci = p.a.connection(c).unwrap().iss;
    let si = p.b.connection(s).unwrap().iss;
    assert_ne!(ci, si);
}

fn addr2() -> std::net::SocketAddrV4 {
    crate::tcp::segment::addr(10, 0, 0, 1, 40001)
}

#[test]
fn syn_to_a_port_without_listener_gets_rst_ack() {
    // SPEC H1 (RFC 9293 §3.10.7.1: CLOSED answers with RST).
    let now = Instant::from_secs(10);
    let mut e = Engine::with_seed(Config::default(), 3);
    e.handle_segment(now, bare_syn(1000));
    let out = drain(&mut e, now);
    assert_eq!(out.len(), 1);
    assert_eq!(
        (out[0].flags, out[0].seq, out[0].ack),
        (Flags::RST | Flags::ACK, SeqNumber(0), SeqNumber(1001))
    );
    // A RST is never answered.
    e.handle_segment(now, reset_for(&bare_syn(5)).unwrap());
    assert!(drain(&mut e, now).is_empty());
}

#[test]
fn syn_is_resent_at_once_after_answering_an_old_synack_with_rst() {
    // SPEC H4 (Linux `tcp_rcv_synsent_state_process`): the SYN timer is
    // re-armed at TCP_TIMEOUT_MIN, so the SYN goes again within milliseconds,
    // then the usual doubling takes over.
    let now = Instant::from_secs(10);
    let (mut cl, h, syn) = client(plain_config(), now);
    let cisn = syn.seq.0;
    let old = seg(
        server_addr(),
        client_addr(),
        5000,
        cisn.wrapping_add(777),
        Flags::SYN | Flags::ACK,
    );
    cl.handle_segment(now, old);
    assert_eq!(drain(&mut cl, now)[0].flags, Flags::RST);
    let mut sends = Vec::new();
    for _ in 0..2 {
        let t = cl.poll_timeout().unwrap();
        cl.handle_timeout(t);
        for s in drain(&mut cl, t) {
            assert_eq!((s.flags, s.seq), (Flags::SYN, syn.seq));
            sends.push((t - now).as_millis());
        }
    }
    assert_eq!(sends, vec![2, 2002]);
    assert_eq!(cl.state(h), State::SynSent);
}

#[test]
fn in_simultaneous_open_the_peers_synack_is_acked_at_once() {
    // SPEC H10: SYN-SENT → (peer SYN) SYN-RECEIVED, our SYN-ACK sent; the
    // peer's SYN-ACK then gets an immediate ACK (Linux `tcp_data_queue`
    // takes it as old data: quick-ACK, with a D-SACK of its sequence number
    // when SACK is on).
    for sack in [false, true] {
        let now = Instant::from_secs(10);
        let cfg = Config {
            sack,
            ..plain_config()
        };
        let (mut a, h, syn) = client(cfg, now);
        let cisn = syn.seq.0;
        let mut peer_syn = seg(server_addr(), client_addr(), 7000, 0, Flags::SYN);
        peer_syn.options.mss = Some(1460);
        peer_syn.options.sack_permitted = sack;
        a.handle_segment(now, peer_syn);
        let out = drain(&mut a, now);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].flags, Flags::SYN | Flags::ACK);
        assert_eq!(a.state(h), State::SynReceived);
        let t = now + ms(1);
        let mut peer_synack = seg(
            server_addr(),
            client_addr(),
            7000,
            cisn.wrapping_add(1),
            Flags::SYN | Flags::ACK,
        );
        peer_synack.options.mss = Some(1460);
        a.handle_segment(t, peer_synack);
        assert_eq!(a.state(h), State::Established);
        let out = drain(&mut a, t);
        assert_eq!(out.len(), 1, "one immediate ACK (sack {sack}): {out:?}");
        assert_eq!(out[0].flags, Flags::ACK);
        assert_eq!(out[0].seq, SeqNumber(cisn.wrapping_add(1)));
        assert_eq!(out[0].ack, SeqNumber(7001));
        let dsack: Vec<_> = out[0].options.sack_blocks.to_vec();
        if sack {
            assert_eq!(
                dsack,
                vec![crate::tcp::segment::SackBlock {
                    left: SeqNumber(7000),
                    right: SeqNumber(7001)
                }]
            );
        } else {
            assert!(dsack.is_empty());
        }
    }
}
