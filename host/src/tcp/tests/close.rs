//! SPEC T1–T4, T6–T9, T14 — closing.

use super::harness::*;
use crate::tcp::segment::{Flags, SeqNumber};
use crate::tcp::{ConnError, Event, FourTuple, ReadError, Shutdown, SockOpt, State, WriteError};
use crate::time::Instant;
use core::time::Duration;

#[test]
fn active_close_goes_fin_wait_1_fin_wait_2_time_wait_then_closed_after_60s() {
    // SPEC T1.
    let mut p = Pair::new();
    let (c, s, _) = p.connect();
    let tuple = p.a.connection(c).unwrap().tuple();
    p.a.close(p.now, c).unwrap();
    assert_eq!(p.a.state(c), State::FinWait1);
    p.flush();
    let fin = p.sent(Dir::AtoB).last().unwrap().clone();
    assert_eq!(fin.flags, Flags::FIN | Flags::ACK);
    assert!(p.run_until(ms(100), |p| p.a.state(c) == State::FinWait2));
    assert_eq!(p.b.state(s), State::CloseWait);
    p.b.close(p.now, s).unwrap();
    assert_eq!(p.b.state(s), State::LastAck);
    assert!(p.run_until(ms(100), |p| p.a.time_wait(tuple).is_some()));
    let entered = p.now;
    assert!(p.run_until(ms(100), |p| p.b.state(s) == State::Closed));
    let rows = p.a.sockets(p.now);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, State::TimeWait);
    p.run_for(secs(59));
    assert!(p.a.time_wait(tuple).is_some());
    p.run_for(secs(2));
    assert!(p.a.time_wait(tuple).is_none());
    assert_eq!(p.a.poll_timeout(), None);
    assert!(p.now - entered >= secs(60));
}

#[test]
fn passive_close_goes_close_wait_last_ack_closed_and_reads_end_after_data() {
    // SPEC T2.
    let mut p = Pair::new();
    let (c, s, _) = p.connect();
    p.a.write(p.now, c, b"last words").unwrap();
    p.a.close(p.now, c).unwrap();
    assert!(p.run_until(ms(200), |p| p.b.state(s) == State::CloseWait));
    assert!(p.b_events.contains(&Event::PeerClosed(s)));
    let mut buf = [0u8; 64];
    assert_eq!(p.b.read(p.now, s, &mut buf), Ok(10));
    assert_eq!(&buf[..10], b"last words");
    assert_eq!(p.b.read(p.now, s, &mut buf), Ok(0));
    p.b.close(p.now, s).unwrap();
    assert_eq!(p.b.state(s), State::LastAck);
    p.flush();
    let fin = p.sent(Dir::BtoA).last().unwrap().clone();
    assert!(fin.flags.fin());
    assert!(p.run_until(ms(100), |p| p.b.state(s) == State::Closed));
}

#[test]
fn close_wait_ack_of_fin_is_delayed_and_piggybacks_on_our_fin() {
    // SPEC T2, R5: once data has flowed, Linux acks a FIN in ESTABLISHED with
    // a delayed ACK (ping-pong mode), so a prompt close() yields FIN, FIN-ACK, ACK.
    let mut p = Pair::new();
    let (c, s, _) = p.connect();
    p.a.write(p.now, c, b"request").unwrap();
    p.run_for(ms(100));
    assert_eq!(p.read_all(false, s), b"request");
    let before = p.log.len();
    p.a.close(p.now, c).unwrap();
    p.run_for(ms(6));
    assert_eq!(p.b.state(s), State::CloseWait);
    p.b.close(p.now, s).unwrap();
    p.run_for(ms(100));
    let close: Vec<_> = p.log[before..]
        .iter()
        .map(|(_, d, s)| (*d, s.flags))
        .collect();
    assert_eq!(
        close,
        vec![
            (Dir::AtoB, Flags::FIN | Flags::ACK),
            (Dir::BtoA, Flags::FIN | Flags::ACK),
            (Dir::AtoB, Flags::ACK)
        ]
    );
}

#[test]
fn fin_is_acked_at_once_when_no_data_was_ever_received() {
    // SPEC R5: Linux's ATO is zero until the first data segment, so the
    // delayed ACK of a bare FIN fires immediately.
    let mut p = Pair::new();
    let (c, s, _) = p.connect();
    let before = p.log.len();
    p.a.close(p.now, c).unwrap();
    p.run_for(ms(6));
    let close: Vec<_> = p.log[before..]
        .iter()
        .map(|(t, d, s)| (*t, *d, s.flags))
        .collect();
    assert_eq!(close.len(), 2);
    assert_eq!((close[1].1, close[1].2), (Dir::BtoA, Flags::ACK));
    assert_eq!(close[1].0 - close[0].0, p.latency);
    assert_eq!(p.b.state(s), State::CloseWait);
}

#[test]
fn simultaneous_close_goes_through_closing_to_time_wait() {
    // SPEC T3.
    let mut p = Pair::new();
    let (c, s, _) = p.connect();
    let ta = p.a.connection(c).unwrap().tuple();
    let tb = p.b.connection(s).unwrap().tuple();
    p.a.close(p.now, c).unwrap();
    p.b.close(p.now, s).unwrap();
    assert!(p.run_until(ms(20), |p| p.a.state(c) == State::Closing
        && p.b.state(s) == State::Closing));
    assert!(p.run_until(ms(100), |p| p.a.time_wait(ta).is_some()
        && p.b.time_wait(tb).is_some()));
}

#[test]
fn fin_with_ack_of_our_fin_in_fin_wait_1_goes_straight_to_time_wait() {
    // SPEC T4.
    let now = Instant::from_secs(10);
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    e.close(now, h).unwrap();
    let fin = drain(&mut e, now).remove(0);
    assert_eq!(fin.seq, SeqNumber(cisn.wrapping_add(1)));
    assert_eq!(e.state(h), State::FinWait1);
    let finack = seg(
        server_addr(),
        client_addr(),
        5001,
        cisn.wrapping_add(2),
        Flags::FIN | Flags::ACK,
    );
    e.handle_segment(now, finack);
    let out = drain(&mut e, now);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].flags, Flags::ACK);
    assert_eq!(out[0].ack, SeqNumber(5002));
    assert!(
        e.time_wait(FourTuple::new(client_addr(), server_addr()))
            .is_some()
    );
}

#[test]
fn orphaned_fin_wait_2_times_out_after_fin_timeout() {
    // SPEC T6.
    let now = Instant::from_secs(10);
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    e.close(now, h).unwrap();
    let _ = drain(&mut e, now);
    e.handle_segment(
        now,
        seg(
            server_addr(),
            client_addr(),
            5001,
            cisn.wrapping_add(2),
            Flags::ACK,
        ),
    );
    assert_eq!(e.state(h), State::FinWait2);
    assert_eq!(e.poll_timeout(), Some(now + secs(60)));
    e.handle_timeout(now + secs(60));
    assert!(drain(&mut e, now + secs(60)).is_empty());
    assert_eq!(e.connection_count(), 0);
    assert!(
        e.time_wait(FourTuple::new(client_addr(), server_addr()))
            .is_none()
    );
}

#[test]
fn half_closed_fin_wait_2_with_open_socket_does_not_time_out() {
    // SPEC T6 (contrast): only orphans are limited by fin_timeout.
    let now = Instant::from_secs(10);
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    e.shutdown(now, h, Shutdown::Write).unwrap();
    let _ = drain(&mut e, now);
    e.handle_segment(
        now,
        seg(
            server_addr(),
            client_addr(),
            5001,
            cisn.wrapping_add(2),
            Flags::ACK,
        ),
    );
    assert_eq!(e.state(h), State::FinWait2);
    assert_eq!(e.poll_timeout(), None);
}

#[test]
fn shutdown_write_sends_fin_and_socket_still_receives() {
    // SPEC T7.
    let mut p = Pair::new();
    let (c, s, _) = p.connect();
    p.a.shutdown(p.now, c, Shutdown::Write).unwrap();
    assert_eq!(p.a.write(p.now, c, b"x"), Err(WriteError::BrokenPipe));
    p.run_for(ms(100));
    assert_eq!(p.a.state(c), State::FinWait2);
    let mut buf = [0u8; 8];
    assert_eq!(p.b.read(p.now, s, &mut buf), Ok(0));
    p.b.write(p.now, s, b"reply").unwrap();
    p.run_for(ms(100));
    assert_eq!(p.read_all(true, c), b"reply");
}

#[test]
fn fin_is_retransmitted_on_rto_then_given_up() {
    // SPEC T8: orphan FIN-WAIT-1 retransmits the FIN with backoff; Linux's
    // orphan budget (tcp_orphan_retries 0 → 8) ends it 204.6 s after close.
    let now = Instant::from_secs(10);
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    e.close(now, h).unwrap();
    let _ = drain(&mut e, now);
    let mut rtx = Vec::new();
    let mut t = now;
    while let Some(next) = e.poll_timeout() {
        t = next;
        e.handle_timeout(t);
        for s in drain(&mut e, t) {
            assert_eq!(s.flags, Flags::FIN | Flags::ACK);
            assert_eq!(s.seq, SeqNumber(cisn.wrapping_add(1)));
            rtx.push((t - now).as_millis());
        }
    }
    assert_eq!(
        rtx,
        vec![200, 600, 1400, 3000, 6200, 12600, 25400, 51000, 102200]
    );
    assert_eq!((t - now).as_millis(), 204_600);
    assert_eq!(e.connection_count(), 0);
}

#[test]
fn last_ack_fin_is_retransmitted_until_acked() {
    // SPEC T8 (LAST-ACK).
    let now = Instant::from_secs(10);
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    e.handle_segment(
        now,
        seg(
            server_addr(),
            client_addr(),
            5001,
            cisn.wrapping_add(1),
            Flags::FIN | Flags::ACK,
        ),
    );
    assert_eq!(e.state(h), State::CloseWait);
    e.close(now, h).unwrap();
    assert_eq!(e.state(h), State::LastAck);
    let fin = drain(&mut e, now).remove(0);
    assert!(fin.flags.fin());
    let t = e.poll_timeout().unwrap();
    e.handle_timeout(t);
    let again = drain(&mut e, t).remove(0);
    assert_eq!((again.seq, again.flags), (fin.seq, fin.flags));
    e.handle_segment(
        t,
        seg(
            server_addr(),
            client_addr(),
            5002,
            cisn.wrapping_add(2),
            Flags::ACK,
        ),
    );
    assert_eq!(e.connection_count(), 0);
    assert!(
        e.time_wait(FourTuple::new(client_addr(), server_addr()))
            .is_none()
    );
}

#[test]
fn only_the_side_that_closed_first_enters_time_wait() {
    // SPEC T9.
    let mut p = Pair::new();
    let (c, s, _) = p.connect();
    let ta = p.a.connection(c).unwrap().tuple();
    let tb = p.b.connection(s).unwrap().tuple();
    p.a.close(p.now, c).unwrap();
    p.run_for(ms(100));
    p.b.close(p.now, s).unwrap();
    p.run_for(ms(100));
    assert!(p.a.time_wait(ta).is_some());
    assert!(p.b.time_wait(tb).is_none());
    assert_eq!(p.b.state(s), State::Closed);
}

#[test]
fn linger_zero_close_sends_rst_and_peer_sees_reset_once() {
    // SPEC T14.
    let mut p = Pair::new();
    let (c, s, _) = p.connect();
    let ta = p.a.connection(c).unwrap().tuple();
    p.a.set_option(p.now, c, SockOpt::Linger(Some(Duration::ZERO)))
        .unwrap();
    let snd_nxt = p.a.connection(c).unwrap().snd_nxt;
    let rcv_nxt = p.a.connection(c).unwrap().rcv_nxt;
    p.a.write(p.now, c, &[7u8; 3000]).unwrap();
    p.a.close(p.now, c).unwrap();
    p.flush();
    let last = p.sent(Dir::AtoB).last().unwrap().clone();
    assert_eq!(last.flags, Flags::RST | Flags::ACK);
    assert_eq!(last.seq, snd_nxt);
    assert_eq!(last.ack, rcv_nxt);
    assert!(
        p.sent(Dir::AtoB).iter().all(|s| s.payload.is_empty()),
        "unsent data is discarded"
    );
    p.run_for(ms(50));
    assert!(p.a.time_wait(ta).is_none());
    let mut buf = [0u8; 8];
    assert_eq!(
        p.b.read(p.now, s, &mut buf),
        Err(ReadError::Connection(ConnError::Reset))
    );
    assert_eq!(p.b.read(p.now, s, &mut buf), Ok(0));
    assert_eq!(p.b.write(p.now, s, b"x"), Err(WriteError::BrokenPipe));
}

#[test]
fn close_with_unread_data_sends_rst_instead_of_fin() {
    // Linux tcp_close (RFC 2525 §2.17): unread data aborts the connection.
    let now = Instant::from_secs(10);
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    let mut d = seg(
        server_addr(),
        client_addr(),
        5001,
        cisn.wrapping_add(1),
        Flags::ACK | Flags::PSH,
    );
    d.payload = b"unread".to_vec().into();
    e.handle_segment(now, d);
    let _ = drain(&mut e, now);
    e.close(now, h).unwrap();
    let out = drain(&mut e, now);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].flags, Flags::RST | Flags::ACK);
    assert_eq!(out[0].ack, SeqNumber(5007));
}

#[test]
fn new_data_after_close_is_answered_with_rst() {
    // Linux (RFC 1122 §4.2.2.13): an orphaned socket that receives new data resets.
    let now = Instant::from_secs(10);
    let (mut e, h, cisn) = establish_client(plain_config(), now, 5000);
    e.close(now, h).unwrap();
    let _ = drain(&mut e, now);
    let mut d = seg(
        server_addr(),
        client_addr(),
        5001,
        cisn.wrapping_add(2),
        Flags::ACK | Flags::PSH,
    );
    d.payload = b"too late".to_vec().into();
    e.handle_segment(now, d);
    let out = drain(&mut e, now);
    assert_eq!(out.len(), 1);
    assert_eq!(
        (out[0].flags, out[0].seq),
        (Flags::RST, SeqNumber(cisn.wrapping_add(2)))
    );
    assert_eq!(e.connection_count(), 0);
    assert!(
        e.time_wait(FourTuple::new(client_addr(), server_addr()))
            .is_none()
    );
}
