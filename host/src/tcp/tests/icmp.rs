//! ICMP errors about our segments (Linux `tcp_v4_err`): hard in SYN-SENT,
//! soft once synchronized, checked against the sequence space in flight.

use super::harness::*;
use crate::tcp::segment::{Flags, FourTuple, SeqNumber};
use crate::tcp::{ConnError, Event, IcmpError, IcmpErrorKind, ReadError, State};
use crate::time::Instant;

fn client_tuple() -> FourTuple {
    FourTuple {
        local: client_addr(),
        remote: server_addr(),
    }
}

fn unreachable(code: u8, seq: u32) -> IcmpError {
    IcmpError {
        tuple: client_tuple(),
        seq: SeqNumber(seq),
        kind: IcmpErrorKind::Unreachable { code },
    }
}

#[test]
fn port_unreachable_in_syn_sent_fails_the_connect_at_once_with_refused() {
    let now = Instant::from_secs(10);
    let (mut e, h, syn) = client(plain_config(), now);
    e.handle_icmp_error(now, &unreachable(3, syn.seq.0));
    assert_eq!(e.state(h), State::Closed);
    assert!(events(&mut e).contains(&Event::Closed(h, Some(ConnError::Refused))));
    let mut buf = [0u8; 4];
    assert_eq!(
        e.read(now, h, &mut buf),
        Err(ReadError::Connection(ConnError::Refused))
    );
    // No SYN is retransmitted, and nothing answers the ICMP message.
    assert!(e.poll_timeout().is_none_or(|t| t > now + secs(200)));
    assert!(drain(&mut e, now + secs(200)).is_empty());
    assert_eq!(e.stats().icmp_aborts, 1);
}

#[test]
fn host_and_net_unreachable_in_syn_sent_end_the_connect_too() {
    // Linux aborts a connect on any of them, not only on "fatal" codes.
    for (code, want) in [
        (0, ConnError::NetUnreachable),
        (1, ConnError::HostUnreachable),
        (13, ConnError::HostUnreachable),
        (7, ConnError::HostDown),
    ] {
        let now = Instant::from_secs(10);
        let (mut e, h, syn) = client(plain_config(), now);
        e.handle_icmp_error(now, &unreachable(code, syn.seq.0));
        assert!(
            events(&mut e).contains(&Event::Closed(h, Some(want))),
            "code {code}"
        );
    }
    let now = Instant::from_secs(10);
    let (mut e, h, syn) = client(plain_config(), now);
    let expired = IcmpError {
        kind: IcmpErrorKind::TimeExceeded,
        ..unreachable(0, syn.seq.0)
    };
    e.handle_icmp_error(now, &expired);
    assert!(events(&mut e).contains(&Event::Closed(h, Some(ConnError::HostUnreachable))));
}

#[test]
fn an_error_quoting_a_sequence_number_not_in_flight_is_ignored() {
    // RFC 5927 §4.1: a blind attacker must guess the sequence number.
    let now = Instant::from_secs(10);
    let (mut e, h, syn) = client(plain_config(), now);
    for seq in [syn.seq.0.wrapping_sub(1), syn.seq.0.wrapping_add(2), 12345] {
        e.handle_icmp_error(now, &unreachable(3, seq));
    }
    // Another connection's tuple.
    let mut other = unreachable(3, syn.seq.0);
    other.tuple.remote.set_port(81);
    e.handle_icmp_error(now, &other);
    assert_eq!(e.state(h), State::SynSent);
    assert_eq!(e.stats().icmp_ignored, 4);
    // SND.NXT itself is in (Linux `between` includes both ends).
    e.handle_icmp_error(now, &unreachable(3, syn.seq.0.wrapping_add(1)));
    assert_eq!(e.state(h), State::Closed);
}

#[test]
fn unreachable_codes_linux_does_not_know_change_nothing() {
    // (Fragmentation needed, code 4, arrives as its own kind: path_mtu.rs.)
    let now = Instant::from_secs(10);
    let (mut e, h, syn) = client(plain_config(), now);
    for code in [4, 16, 200] {
        e.handle_icmp_error(now, &unreachable(code, syn.seq.0));
    }
    assert_eq!(e.state(h), State::SynSent);
    assert_eq!(e.stats().icmp_ignored, 3);
}

/// An established client with one unacknowledged segment on the wire.
fn established_with_data_in_flight(
    now: Instant,
) -> (crate::tcp::Engine, crate::tcp::ConnectionHandle, u32) {
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    e.write(now, h, b"hello").unwrap();
    assert_eq!(drain(&mut e, now).len(), 1);
    (e, h, cisn.wrapping_add(1))
}

/// Run the engine's timers until the connection closes; its close event.
fn run_until_closed(e: &mut crate::tcp::Engine, h: crate::tcp::ConnectionHandle) -> Vec<Event> {
    while e.state(h) != State::Closed {
        let t = e.poll_timeout().expect("a timer while open");
        e.handle_timeout(t);
        let _ = drain(e, t);
    }
    events(e)
}

#[test]
fn once_established_an_error_is_soft_and_reported_only_if_the_connection_times_out() {
    let now = Instant::from_secs(10);
    let (mut e, h, una) = established_with_data_in_flight(now);
    e.handle_icmp_error(now, &unreachable(1, una));
    assert_eq!(e.state(h), State::Established);
    assert_eq!(e.stats().icmp_soft_errors, 1);
    // Linux `tcp_write_err`: the soft error replaces "timed out".
    let ev = run_until_closed(&mut e, h);
    assert!(
        ev.contains(&Event::Closed(h, Some(ConnError::HostUnreachable))),
        "{ev:?}"
    );
}

#[test]
fn an_ack_of_new_data_forgets_the_soft_error() {
    let now = Instant::from_secs(10);
    let (mut e, h, una) = established_with_data_in_flight(now);
    e.handle_icmp_error(now, &unreachable(1, una));
    let ack = seg(
        server_addr(),
        client_addr(),
        5001,
        una.wrapping_add(5),
        Flags::ACK,
    );
    e.handle_segment(now + ms(50), ack);
    let t = now + ms(60);
    e.write(t, h, b"again").unwrap();
    let _ = drain(&mut e, t);
    let ev = run_until_closed(&mut e, h);
    assert!(
        ev.contains(&Event::Closed(h, Some(ConnError::TimedOut))),
        "{ev:?}"
    );
}

#[test]
fn so_error_reports_a_soft_error_once() {
    let now = Instant::from_secs(10);
    let (mut e, h, una) = established_with_data_in_flight(now);
    e.handle_icmp_error(now, &unreachable(0, una));
    assert_eq!(e.take_error(h), Ok(Some(ConnError::NetUnreachable)));
    assert_eq!(e.take_error(h), Ok(None));
    assert_eq!(e.state(h), State::Established);
}

#[test]
fn a_syn_queue_record_ends_on_net_or_host_unreachable_quoting_its_iss() {
    // Linux `tcp_req_err`: only errors saying the client cannot be reached,
    // and only quoting the SYN-ACK's own sequence number.
    let now = Instant::from_secs(10);
    let (mut e, _l) = server(plain_config());
    e.handle_segment(now, bare_syn(7000));
    let synack = drain(&mut e, now);
    assert_eq!(synack.len(), 1);
    let iss = synack[0].seq.0;
    let server_tuple = FourTuple {
        local: server_addr(),
        remote: client_addr(),
    };
    let err = |code, seq| IcmpError {
        tuple: server_tuple,
        seq: SeqNumber(seq),
        kind: IcmpErrorKind::Unreachable { code },
    };
    e.handle_icmp_error(now, &err(3, iss));
    e.handle_icmp_error(now, &err(1, iss.wrapping_add(1)));
    assert_eq!(e.footprint().syn_queue, 1);
    e.handle_icmp_error(now, &err(1, iss));
    assert_eq!(e.footprint().syn_queue, 0);
    assert_eq!(e.stats().icmp_aborts, 1);
    // No SYN-ACK is retransmitted for it.
    assert!(drain(&mut e, now + secs(2)).is_empty());
}

/// [`established_with_data_in_flight`] after two retransmission timeouts:
/// RTO 200 ms (an RTT sample of 0), resent at +200 ms and +600 ms, the next
/// due at +1400 ms.
fn backed_off_twice(now: Instant) -> (crate::tcp::Engine, crate::tcp::ConnectionHandle, u32) {
    let (mut e, h, una) = established_with_data_in_flight(now);
    for at in [200, 600] {
        assert_eq!(e.poll_timeout(), Some(now + ms(at)));
        e.handle_timeout(now + ms(at));
        assert_eq!(drain(&mut e, now + ms(at)).len(), 1, "resent at +{at} ms");
    }
    assert_eq!(e.poll_timeout(), Some(now + ms(1400)));
    (e, h, una)
}

#[test]
fn host_unreachable_during_rto_backoff_takes_one_doubling_back() {
    // RFC 6069, Linux `tcp_ld_RTO_revert`: the RTO is 400 ms again, counted
    // from the last retransmission at +600 ms.
    let now = Instant::from_secs(10);
    let (mut e, h, una) = backed_off_twice(now);
    e.handle_icmp_error(now + ms(700), &unreachable(1, una));
    assert!(drain(&mut e, now + ms(700)).is_empty());
    assert_eq!(e.poll_timeout(), Some(now + ms(1000)));
    e.handle_timeout(now + ms(1000));
    let resent = drain(&mut e, now + ms(1000));
    assert_eq!(resent.len(), 1);
    assert_eq!(resent[0].seq.0, una);
    assert_eq!(e.state(h), State::Established);
}

#[test]
fn a_reverted_rto_that_has_already_run_out_resends_at_once() {
    let now = Instant::from_secs(10);
    let (mut e, _h, una) = backed_off_twice(now);
    e.handle_icmp_error(now + ms(1100), &unreachable(0, una));
    let resent = drain(&mut e, now + ms(1100));
    assert_eq!(resent.len(), 1, "resent on the ICMP's arrival");
    assert_eq!(resent[0].seq.0, una);
    // That was a timeout like any other: doubled again to 800 ms.
    assert_eq!(e.poll_timeout(), Some(now + ms(1900)));
}

#[test]
fn only_net_or_host_unreachable_quoting_snd_una_reverts_the_backoff() {
    let now = Instant::from_secs(10);
    let (mut e, _h, una) = backed_off_twice(now);
    e.handle_icmp_error(now + ms(700), &unreachable(3, una));
    e.handle_icmp_error(now + ms(700), &unreachable(13, una));
    e.handle_icmp_error(now + ms(700), &unreachable(1, una.wrapping_add(1)));
    let expired = IcmpError {
        kind: IcmpErrorKind::TimeExceeded,
        ..unreachable(0, una)
    };
    e.handle_icmp_error(now + ms(700), &expired);
    assert_eq!(e.poll_timeout(), Some(now + ms(1400)));
}
