//! Path-MTU discovery (RFC 1191; Linux `tcp_v4_mtu_reduced`,
//! `tcp_simple_retransmit`, route MTU exceptions): an ICMP "fragmentation
//! needed" quoting a segment in flight narrows every segment to that
//! destination, resends at once what no longer fits, and is forgotten after
//! `mtu_expires`.

use std::net::SocketAddrV4;

use super::harness::*;
use crate::tcp::segment::{Flags, FourTuple, Segment, SeqNumber};
use crate::tcp::{ConnectionHandle, Engine, IcmpError, IcmpErrorKind, State};
use crate::time::Instant;

fn frag_needed(tuple: FourTuple, seq: u32, mtu: u16) -> IcmpError {
    IcmpError {
        tuple,
        seq: SeqNumber(seq),
        kind: IcmpErrorKind::FragmentationNeeded { mtu },
    }
}

fn tuple_of(e: &Engine, h: ConnectionHandle) -> FourTuple {
    e.connection(h).expect("open").tuple()
}

/// An established client (plain options, peer MSS 1460) with `n` full
/// segments on the wire; returns SND.UNA too.
fn sending(now: Instant, n: usize) -> (Engine, ConnectionHandle, u32) {
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    assert_eq!(e.connection(h).unwrap().mss(), 1460);
    e.write(now, h, &vec![7u8; 1460 * n]).unwrap();
    let out = drain(&mut e, now);
    let lens: Vec<usize> = out.iter().map(|s| s.payload.len()).collect();
    assert_eq!(lens, vec![1460; n]);
    (e, h, cisn.wrapping_add(1))
}

/// The payload ranges `(seq, len)` of data segments in `out`.
fn ranges(out: &[Segment]) -> Vec<(u32, usize)> {
    out.iter()
        .filter(|s| !s.payload.is_empty())
        .map(|s| (s.seq.0, s.payload.len()))
        .collect()
}

#[test]
fn fragmentation_needed_resends_what_no_longer_fits_at_once_recut_at_the_new_mss() {
    let now = Instant::from_secs(10);
    let (mut e, h, una) = sending(now, 3);
    let cwnd = e.connection(h).unwrap().cwnd();
    e.handle_icmp_error(now, &frag_needed(tuple_of(&e, h), una, 1280));
    assert_eq!(e.connection(h).unwrap().mss(), 1240);
    assert_eq!(e.connection(h).unwrap().pmtu(), 1280);
    // Not after an RTO: now, the three segments (one write, one run: one
    // skb in Linux) re-cut at the new MSS, as Linux re-segments the skb.
    let out = drain(&mut e, now);
    let want: Vec<(u32, usize)> = [1240, 1240, 1240, 660]
        .iter()
        .scan(una, |seq, &len| {
            let at = *seq;
            *seq = seq.wrapping_add(len as u32);
            Some((at, len))
        })
        .collect();
    assert_eq!(ranges(&out), want);
    assert!(
        out.last().unwrap().flags.psh(),
        "PSH stays on the write's last byte"
    );
    // The window is not cut: only the packets got smaller (Linux).
    assert_eq!(e.connection(h).unwrap().cwnd(), cwnd);
    assert_eq!(e.stats().icmp_frag_needed, 1);
    assert_eq!(e.stats().pmtu_reductions, 1);
    // New data is cut to the new MSS.
    let ack = seg(
        server_addr(),
        client_addr(),
        5001,
        una.wrapping_add(4380),
        Flags::ACK,
    );
    e.handle_segment(now, ack);
    e.write(now, h, &[1u8; 3000]).unwrap();
    let lens: Vec<usize> = ranges(&drain(&mut e, now)).iter().map(|r| r.1).collect();
    assert_eq!(lens, [1240, 1240, 520]);
}

#[test]
fn with_timestamps_the_new_mss_leaves_room_for_the_option() {
    let now = Instant::from_secs(10);
    let cfg = crate::tcp::Config {
        sack: false,
        window_scaling: false,
        ..crate::tcp::Config::default()
    };
    let (mut e, h, syn) = client(cfg, now);
    e.handle_segment(now, synack_for(&syn, 5000));
    let _ = drain(&mut e, now);
    assert_eq!(e.connection(h).unwrap().mss(), 1448);
    e.write(now, h, &[0u8; 1448]).unwrap();
    let _ = drain(&mut e, now);
    e.handle_icmp_error(
        now,
        &frag_needed(tuple_of(&e, h), syn.seq.0.wrapping_add(1), 1400),
    );
    assert_eq!(e.connection(h).unwrap().mss(), 1348);
}

#[test]
fn a_report_above_the_path_changes_nothing_and_one_below_552_stops_at_552() {
    let now = Instant::from_secs(10);
    let (mut e, h, una) = sending(now, 2);
    let t = tuple_of(&e, h);
    for mtu in [1500, 1501, 9000] {
        e.handle_icmp_error(now, &frag_needed(t, una, mtu));
    }
    assert_eq!(e.connection(h).unwrap().mss(), 1460);
    assert!(drain(&mut e, now).is_empty(), "nothing resent");
    assert_eq!(e.stats().pmtu_reductions, 0);
    // A forged tiny MTU (or 0 from a pre-RFC 1191 router) cannot shrink
    // segments below the floor.
    e.handle_icmp_error(now, &frag_needed(t, una, 68));
    assert_eq!(e.connection(h).unwrap().mss(), 512);
    e.handle_icmp_error(now, &frag_needed(t, una, 0));
    assert_eq!(e.connection(h).unwrap().mss(), 512);
    let lens: Vec<usize> = ranges(&drain(&mut e, now)).iter().map(|r| r.1).collect();
    assert_eq!(lens, [512, 512, 512, 512, 512, 360]);
}

#[test]
fn fragmentation_needed_quoting_a_sequence_number_not_in_flight_is_ignored() {
    let now = Instant::from_secs(10);
    let (mut e, h, una) = sending(now, 1);
    let t = tuple_of(&e, h);
    for seq in [una.wrapping_sub(1), una.wrapping_add(1461), 99] {
        e.handle_icmp_error(now, &frag_needed(t, seq, 576));
    }
    let mut stranger = t;
    stranger.remote.set_port(81);
    e.handle_icmp_error(now, &frag_needed(stranger, una, 576));
    assert_eq!(e.stats().icmp_ignored, 4);
    assert_eq!(e.connection(h).unwrap().mss(), 1460);
    assert!(drain(&mut e, now).is_empty());
}

/// A second connection from the client's address, port `port`, to the
/// server, established on `e` (peer MSS 1460).
fn another_connection(e: &mut Engine, now: Instant, port: u16) -> ConnectionHandle {
    let local = SocketAddrV4::new(*client_addr().ip(), port);
    let h = e.connect_from(now, local, server_addr()).unwrap();
    let syn = drain(e, now).pop().expect("SYN");
    e.handle_segment(now, synack_for(&syn, 9000));
    let _ = drain(e, now);
    assert_eq!(e.state(h), State::Established);
    h
}

#[test]
fn every_connection_to_that_host_follows_the_learnt_path_until_it_expires() {
    let now = Instant::from_secs(10);
    let (mut e, h, una) = sending(now, 1);
    e.handle_icmp_error(now, &frag_needed(tuple_of(&e, h), una, 1000));
    let _ = drain(&mut e, now);
    // A new connection to the same host starts narrow...
    let h2 = another_connection(&mut e, now, 41000);
    e.write(now, h2, &[3u8; 2000]).unwrap();
    let lens: Vec<usize> = ranges(&drain(&mut e, now)).iter().map(|r| r.1).collect();
    assert_eq!(lens, [960, 960, 80]);
    // ...and ten minutes on (Linux `mtu_expires`) full segments go again.
    let later = now + secs(601);
    let h3 = another_connection(&mut e, later, 41001);
    e.write(later, h3, &[3u8; 2000]).unwrap();
    let lens: Vec<usize> = ranges(&drain(&mut e, later)).iter().map(|r| r.1).collect();
    assert_eq!(lens, [1460, 540]);
    assert_eq!(
        e.connection(h2).unwrap().mss(),
        960,
        "h2 has not sent since"
    );
    e.write(later, h2, &[3u8; 1460]).unwrap();
    let _ = drain(&mut e, later);
    assert_eq!(
        e.connection(h2).unwrap().mss(),
        1460,
        "h2 follows on its next send"
    );
}

#[test]
fn fragmentation_needed_in_syn_sent_keeps_the_connect_and_narrows_the_connection() {
    let now = Instant::from_secs(10);
    let (mut e, h, syn) = client(plain_config(), now);
    e.handle_icmp_error(now, &frag_needed(tuple_of(&e, h), syn.seq.0, 1280));
    assert_eq!(e.state(h), State::SynSent);
    assert!(drain(&mut e, now).is_empty(), "the SYN is not resent");
    e.handle_segment(now, synack_for(&syn, 5000));
    assert_eq!(e.state(h), State::Established);
    assert_eq!(e.connection(h).unwrap().mss(), 1240);
}

#[test]
fn fragmentation_needed_about_a_syn_ack_changes_nothing() {
    // Linux: a listener's SYN-ACKs are small enough for any path.
    let now = Instant::from_secs(10);
    let (mut e, _l) = server(plain_config());
    e.handle_segment(now, bare_syn(7000));
    let iss = drain(&mut e, now)[0].seq.0;
    let t = FourTuple {
        local: server_addr(),
        remote: client_addr(),
    };
    e.handle_icmp_error(now, &frag_needed(t, iss, 576));
    assert_eq!(e.footprint().syn_queue, 1);
    assert_eq!(e.stats().icmp_ignored, 1);
    assert_eq!(e.stats().icmp_frag_needed, 0);
}
