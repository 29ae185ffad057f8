//! SPEC R9 — per-socket options as Linux sockets have them, inherited from
//! a listener by the connections it accepts; run-time engine knobs.

use super::harness::*;
use crate::tcp::segment::Flags;
use crate::tcp::{Config, ConnError, Event, OptionError, Shutdown, SockOpt, SocketOptions, State};
use crate::time::Instant;

#[test]
fn keepalive_timings_are_per_socket() {
    // SPEC K1, R9: TCP_KEEPIDLE 30 s, TCP_KEEPINTVL 5 s, TCP_KEEPCNT 3 on one
    // socket; a silent peer is declared dead at 30 + 3 × 5 = 45 s.
    let now = Instant::from_secs(10);
    let (mut e, h, _) = establish_client(plain_config(), now, 5000);
    for opt in [
        SockOpt::KeepIdle(secs(30)),
        SockOpt::KeepIntvl(secs(5)),
        SockOpt::KeepCnt(3),
        SockOpt::KeepAlive(true),
    ] {
        e.set_option(now, h, opt).unwrap();
    }
    let mut probes = Vec::new();
    let mut t = now;
    while let Some(next) = e.poll_timeout() {
        t = next;
        e.handle_timeout(t);
        for s in drain(&mut e, t) {
            if !s.flags.rst() {
                probes.push((t - now).as_secs());
            }
        }
        if e.state(h) == State::Closed {
            break;
        }
    }
    assert_eq!(probes, vec![30, 35, 40]);
    assert_eq!((t - now).as_secs(), 45);
    assert!(events(&mut e).contains(&Event::Closed(h, Some(ConnError::TimedOut))));
}

#[test]
fn keepalive_without_its_own_timings_follows_the_engine_knob_changed_at_run_time() {
    // SPEC R9: `net.ipv4.tcp_keepalive_time` changed while connections live.
    let now = Instant::from_secs(10);
    let (mut e, h, _) = establish_client(plain_config(), now, 5000);
    e.config_mut().keepalive_time = secs(60);
    e.set_option(now, h, SockOpt::KeepAlive(true)).unwrap();
    assert_eq!(e.poll_timeout(), Some(now + secs(60)));
    let o = e.options(h).unwrap();
    assert_eq!((o.keepalive, o.keepalive_idle), (true, None));
}

#[test]
fn accepted_connections_inherit_the_listeners_options() {
    // SPEC R9: Linux clones the listening socket.
    let now = Instant::from_secs(10);
    let (mut e, l) = server(plain_config());
    for opt in [
        SockOpt::KeepAlive(true),
        SockOpt::KeepIdle(secs(10)),
        SockOpt::NoDelay(true),
        SockOpt::MaxSeg(Some(1000)),
        SockOpt::Linger(Some(secs(3))),
    ] {
        e.set_listener_option(l, opt).unwrap();
    }
    let mut syn = bare_syn(100);
    syn.options.mss = Some(1460);
    e.handle_segment(now, syn);
    let synack = drain(&mut e, now).pop().unwrap();
    assert_eq!(
        synack.options.mss,
        Some(1000),
        "TCP_MAXSEG caps the announced MSS"
    );
    let ack = seg(
        client_addr(),
        server_addr(),
        101,
        synack.seq.0.wrapping_add(1),
        Flags::ACK,
    );
    e.handle_segment(now, ack);
    let (h, _) = e.accept(l).unwrap();
    let o = e.options(h).unwrap();
    assert_eq!(o, e.listener_options(l).unwrap());
    assert!(o.keepalive && o.nodelay);
    assert_eq!(e.connection(h).unwrap().mss(), 1000);
    assert_eq!(
        e.poll_timeout(),
        Some(now + secs(10)),
        "keepalive armed from the inherited idle"
    );
}

#[test]
fn maxseg_set_before_connect_shapes_the_syn_and_the_send_mss() {
    // SPEC R9, H6: `TCP_MAXSEG` before `connect()`.
    let now = Instant::from_secs(10);
    let mut e = crate::tcp::Engine::with_seed(Config::default(), 4);
    let opts = SocketOptions {
        max_seg: Some(1200),
        ..SocketOptions::default()
    };
    let h = e
        .connect_with(now, *client_addr().ip(), server_addr(), opts)
        .unwrap();
    let syn = drain(&mut e, now).pop().unwrap();
    assert_eq!(syn.options.mss, Some(1200));
    let mut sa = seg(
        server_addr(),
        syn.src,
        7000,
        syn.seq.0.wrapping_add(1),
        Flags::SYN | Flags::ACK,
    );
    sa.options.mss = Some(1460);
    sa.options.timestamps = ts(5, syn.options.timestamps.unwrap().tsval);
    e.handle_segment(now, sa);
    assert_eq!(e.state(h), State::Established);
    assert_eq!(
        e.connection(h).unwrap().mss(),
        1200 - 12,
        "less the timestamp option"
    );
}

#[test]
fn option_values_linux_refuses_are_invalid_and_bad_handles_are_reported() {
    let now = Instant::from_secs(10);
    let (mut e, h, _) = establish_client(plain_config(), now, 5000);
    assert_eq!(
        e.set_option(now, h, SockOpt::KeepCnt(0)),
        Err(OptionError::InvalidValue)
    );
    assert_eq!(
        e.set_option(
            now,
            crate::tcp::ConnectionHandle(999),
            SockOpt::NoDelay(true)
        ),
        Err(OptionError::InvalidHandle)
    );
    assert_eq!(
        e.set_listener_option(crate::tcp::ListenerHandle(999), SockOpt::NoDelay(true)),
        Err(OptionError::InvalidHandle)
    );
}

#[test]
fn lingering_close_reports_when_the_fin_is_acknowledged() {
    // SPEC R9 `SO_LINGER` with a timeout: close() completes once everything
    // sent, FIN included, is acknowledged.
    let mut p = Pair::new();
    let (c, s, _) = p.connect();
    p.a.set_option(p.now, c, SockOpt::Linger(Some(secs(5))))
        .unwrap();
    p.a.write(p.now, c, &[1u8; 10_000]).unwrap();
    p.a.close(p.now, c).unwrap();
    p.run_for(ms(100));
    assert!(
        p.a_events.contains(&Event::Lingered(c, true)),
        "{:?}",
        p.a_events
    );
    assert_eq!(p.read_all(false, s).len(), 10_000);
}

#[test]
fn lingering_close_times_out_and_the_connection_goes_on_in_the_background() {
    // Linux: after the linger time close() returns; the FIN is still retried.
    let mut p = Pair::new();
    let (c, _s, _) = p.connect();
    p.a.set_option(p.now, c, SockOpt::Linger(Some(secs(2))))
        .unwrap();
    p.filter = Some(Box::new(|d, _| d == Dir::AtoB));
    p.a.close(p.now, c).unwrap();
    p.run_for(ms(1900));
    assert!(!p.a_events.iter().any(|e| matches!(e, Event::Lingered(..))));
    p.run_for(ms(200));
    assert!(
        p.a_events.contains(&Event::Lingered(c, false)),
        "{:?}",
        p.a_events
    );
    let tuple = crate::tcp::FourTuple::new(client_addr(), server_addr());
    let fin_wait_1 =
        p.a.sockets(p.now)
            .iter()
            .any(|r| r.state == State::FinWait1 && Some(tuple.remote) == r.peer);
    assert!(fin_wait_1, "the orphan keeps retrying its FIN");
}

#[test]
fn shutdown_read_ends_reads_after_the_queued_data() {
    // SPEC R9 `shutdown(SHUT_RD)`: queued data first, then end-of-stream
    // instead of WouldBlock.
    let mut p = Pair::new();
    let (c, s, _) = p.connect();
    p.a.write(p.now, c, b"before").unwrap();
    p.run_for(ms(50));
    p.b.shutdown(p.now, s, Shutdown::Read).unwrap();
    let mut buf = [0u8; 64];
    assert_eq!(p.b.read(p.now, s, &mut buf), Ok(6));
    assert_eq!(p.b.read(p.now, s, &mut buf), Ok(0));
    // The write side is untouched.
    p.b.write(p.now, s, b"reply").unwrap();
    p.run_for(ms(50));
    assert_eq!(p.read_all(true, c), b"reply");
    assert_eq!(p.b.state(s), State::Established);
}

#[test]
fn so_error_reports_a_failed_nonblocking_connect_once() {
    // SPEC R9 `SO_ERROR`: the result of a non-blocking connect, read once.
    let now = Instant::from_secs(10);
    let (mut e, h, syn) = client(plain_config(), now);
    let rst = seg(
        server_addr(),
        client_addr(),
        0,
        syn.seq.0.wrapping_add(1),
        Flags::RST | Flags::ACK,
    );
    e.handle_segment(now, rst);
    assert!(events(&mut e).contains(&Event::Closed(h, Some(ConnError::Refused))));
    assert_eq!(e.take_error(h), Ok(Some(ConnError::Refused)));
    assert_eq!(e.take_error(h), Ok(None));
    // Once read through SO_ERROR, the error is not reported again.
    let mut buf = [0u8; 8];
    assert_eq!(e.read(now, h, &mut buf), Ok(0));
}

#[test]
fn nodelay_sends_a_small_segment_that_nagle_holds() {
    // SPEC R8: Nagle is on by default; TCP_NODELAY releases what it held.
    let now = Instant::from_secs(10);
    let (mut e, h, _) = establish_client(plain_config(), now, 5000);
    e.write(now, h, b"one").unwrap();
    assert_eq!(drain(&mut e, now).len(), 1);
    e.write(now, h, b"two").unwrap();
    assert!(
        drain(&mut e, now).is_empty(),
        "Nagle holds the second small segment"
    );
    e.set_option(now, h, SockOpt::NoDelay(true)).unwrap();
    let out = drain(&mut e, now);
    assert_eq!(out.len(), 1);
    assert_eq!(&out[0].payload[..], b"two");
}
