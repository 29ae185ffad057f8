//! The socket API (`synack_host::socket`) as an application uses it: two
//! hosts on a raw-IPv4 link, non-blocking calls, readiness, and errors as
//! `io::ErrorKind`s.

use std::io::ErrorKind;
use std::net::SocketAddrV4;

use core::time::Duration;
use synack_host::iface::{Interface, InterfaceConfig};

use synack_host::socket::{MemoryLink, Shutdown, SockOpt, TcpListener, TcpStream, UdpSocket};
use synack_host::tcp::{Config, Engine, Event, State};
use synack_host::wire::Ipv4Address;

const MASK: Ipv4Address = Ipv4Address::new(255, 255, 255, 0);
const A: Ipv4Address = synack_host::socket::memory_link::ADDR_A;
const B: Ipv4Address = synack_host::socket::memory_link::ADDR_B;

fn run_ms(l: &mut MemoryLink, ms: u64) {
    l.run_for(Duration::from_millis(ms), Duration::from_millis(1), |_| {});
}

fn kind<T: std::fmt::Debug>(r: std::io::Result<T>) -> ErrorKind {
    r.expect_err("an error").kind()
}

#[test]
fn echo_through_listener_and_stream_with_readiness() {
    let mut l = MemoryLink::default();
    let listener = TcpListener::bind(&mut l.b(), 7, 16).unwrap();
    assert_eq!(kind(listener.accept(&mut l.b())), ErrorKind::WouldBlock);
    let client = TcpStream::connect(&mut l.a(), SocketAddrV4::new(B.into(), 7)).unwrap();
    {
        let net = l.a();
        let r = client.readiness(&net);
        assert!(!r.writable && !r.readable, "SYN-SENT: neither: {r:?}");
        assert_eq!(client.state(&net), State::SynSent);
    }
    run_ms(&mut l, 5);
    let mut na = l.a();
    assert!(std::iter::from_fn(|| na.poll_event()).any(|e| e == Event::Connected(client.handle())));
    assert!(client.readiness(&na).writable);
    assert_eq!(client.write(&mut na, b"hello, synack").unwrap(), 13);
    let (server, peer) = listener.accept(&mut l.b()).unwrap();
    assert_eq!(peer, client.local_addr());
    assert_eq!(server.peer_addr(), client.local_addr());
    assert_eq!(
        kind(server.read(&mut l.b(), &mut [0u8; 64])),
        ErrorKind::WouldBlock
    );
    run_ms(&mut l, 5);
    let mut nb = l.b();
    assert!(server.readiness(&nb).readable);
    let mut buf = [0u8; 64];
    let n = server.read(&mut nb, &mut buf).unwrap();
    assert_eq!(&buf[..n], b"hello, synack");
    server.write(&mut nb, &buf[..n]).unwrap();
    server.shutdown(&mut nb, Shutdown::Write).unwrap();
    run_ms(&mut l, 5);
    let mut na = l.a();
    let n = client.read(&mut na, &mut buf).unwrap();
    assert_eq!(&buf[..n], b"hello, synack");
    let r = client.readiness(&na);
    assert!(r.readable && r.read_closed, "FIN seen: {r:?}");
    assert_eq!(client.read(&mut na, &mut buf).unwrap(), 0, "end of stream");
    client.close(&mut na).unwrap();
    run_ms(&mut l, 5);
    server.close(&mut l.b()).unwrap();
    run_ms(&mut l, 5);
    assert_eq!(
        kind(server.read(&mut l.b(), &mut buf)),
        ErrorKind::InvalidInput,
        "a released handle is a bad handle"
    );
}

#[test]
fn refused_connect_is_reported_through_take_error_and_readiness() {
    let mut l = MemoryLink::default();
    let client = TcpStream::connect(&mut l.a(), SocketAddrV4::new(B.into(), 9)).unwrap();
    run_ms(&mut l, 5);
    let mut na = l.a();
    let r = client.readiness(&na);
    assert!(r.error && r.writable && r.readable, "{r:?}");
    let e = client.take_error(&mut na).unwrap().expect("an error");
    assert_eq!(e.kind(), ErrorKind::ConnectionRefused);
    assert!(
        client.take_error(&mut na).unwrap().is_none(),
        "reported once"
    );
    assert_eq!(kind(client.write(&mut na, b"x")), ErrorKind::BrokenPipe);
}

#[test]
fn errors_map_to_io_error_kinds() {
    let mut l = MemoryLink::default();
    let _first = TcpListener::bind(&mut l.b(), 80, 16).unwrap();
    assert_eq!(
        kind(TcpListener::bind(&mut l.b(), 80, 16)),
        ErrorKind::AddrInUse
    );
    assert_eq!(
        kind(TcpListener::bind(&mut l.b(), 81, 0)),
        ErrorKind::InvalidInput
    );
    let client = TcpStream::connect(&mut l.a(), SocketAddrV4::new(B.into(), 80)).unwrap();
    // Still connecting: a non-blocking write would block (Linux EAGAIN).
    assert_eq!(
        kind(client.write(&mut l.a(), b"too early")),
        ErrorKind::WouldBlock
    );
    assert_eq!(
        kind(client.set_option(&mut l.a(), SockOpt::KeepCnt(0))),
        ErrorKind::InvalidInput
    );
    let mut eth = Interface::new(
        InterfaceConfig::ethernet(
            synack_host::wire::EthernetAddress([2, 0, 0, 0, 0, 1]),
            A,
            MASK,
        ),
        Engine::with_seed(Config::default(), 1),
    )
    .unwrap();
    let mut net = synack_host::socket::Net::new(&mut eth, synack_host::time::Instant::from_secs(1));
    let off_link = SocketAddrV4::new(std::net::Ipv4Addr::new(198, 51, 100, 1), 80);
    assert_eq!(
        kind(TcpStream::connect(&mut net, off_link)),
        ErrorKind::NetworkUnreachable
    );
}

#[test]
fn accepted_streams_inherit_the_listeners_options() {
    let mut l = MemoryLink::default();
    let listener = TcpListener::bind_with(
        &mut l.b(),
        7,
        16,
        &[SockOpt::NoDelay(true), SockOpt::KeepAlive(true)],
    )
    .unwrap();
    let _client = TcpStream::connect(&mut l.a(), SocketAddrV4::new(B.into(), 7)).unwrap();
    run_ms(&mut l, 5);
    let mut nb = l.b();
    assert_eq!(listener.pending(&nb).unwrap(), 1);
    let (server, _) = listener.accept(&mut nb).unwrap();
    let o = server.options(&nb).unwrap();
    assert!(o.nodelay && o.keepalive);
}

#[test]
fn an_application_that_never_polls_events_keeps_none_for_closed_sockets() {
    // Readiness is enough to drive the socket API; events of sockets the
    // application closed must not pile up in either engine.
    let mut l = MemoryLink::default();
    let listener = TcpListener::bind(&mut l.b(), 9, 64).unwrap();
    for _ in 0..300 {
        let client = TcpStream::connect(&mut l.a(), SocketAddrV4::new(B.into(), 9)).unwrap();
        run_ms(&mut l, 2);
        let (server, _) = listener.accept(&mut l.b()).unwrap();
        client.write(&mut l.a(), b"ping").unwrap();
        run_ms(&mut l, 2);
        let mut buf = [0u8; 8];
        assert_eq!(server.read(&mut l.b(), &mut buf).unwrap(), 4);
        client.close(&mut l.a()).unwrap();
        server.close(&mut l.b()).unwrap();
        run_ms(&mut l, 2);
    }
    assert!(
        l.a.engine().pending_events() <= 1 && l.b.engine().pending_events() <= 1,
        "events pile up: A {} B {}",
        l.a.engine().pending_events(),
        l.b.engine().pending_events()
    );
}

#[test]
fn read_bytes_delivers_the_stream_without_copying_it_out() {
    let mut l = MemoryLink::default();
    let listener = TcpListener::bind(&mut l.b(), 11, 4).unwrap();
    let client = TcpStream::connect(&mut l.a(), SocketAddrV4::new(B.into(), 11)).unwrap();
    run_ms(&mut l, 2);
    let (server, _) = listener.accept(&mut l.b()).unwrap();
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
    let (mut sent, mut got) = (0, Vec::new());
    for _ in 0..2_000 {
        if sent < data.len() {
            sent += client.write(&mut l.a(), &data[sent..]).unwrap_or(0);
            if sent == data.len() {
                client.shutdown(&mut l.a(), Shutdown::Write).unwrap();
            }
        }
        run_ms(&mut l, 1);
        loop {
            match server.read_bytes(&mut l.b(), 4096) {
                Ok(b) if b.is_empty() => break,
                Ok(b) => {
                    assert!(b.len() <= 4096);
                    got.extend_from_slice(&b);
                }
                Err(e) => {
                    assert_eq!(e.kind(), ErrorKind::WouldBlock);
                    break;
                }
            }
        }
        if got.len() == data.len() {
            break;
        }
    }
    assert!(got == data, "got {} of {} bytes", got.len(), data.len());
    assert!(
        server.read_bytes(&mut l.b(), 10).unwrap().is_empty(),
        "end of stream"
    );
}

/// An empty poll is the common case of a non-blocking application, so its
/// `WouldBlock` is a bare error kind, as std's sockets give it: nothing
/// allocated, no boxed payload.
#[test]
fn would_block_is_a_bare_error_kind_with_nothing_allocated() {
    let mut l = MemoryLink::default();
    let listener = TcpListener::bind(&mut l.b(), 7, 16).unwrap();
    let bare = |e: std::io::Error| e.kind() == ErrorKind::WouldBlock && e.get_ref().is_none();
    assert!(bare(listener.accept(&mut l.b()).unwrap_err()));
    let client = TcpStream::connect(&mut l.a(), SocketAddrV4::new(B.into(), 7)).unwrap();
    run_ms(&mut l, 5);
    let (server, _) = listener.accept(&mut l.b()).unwrap();
    assert!(bare(server.read(&mut l.b(), &mut [0u8; 8]).unwrap_err()));
    assert!(bare(client.read(&mut l.a(), &mut [0u8; 8]).unwrap_err()));
}

#[test]
fn udp_sockets_connect_send_and_hear_a_refusal_as_connection_refused() {
    let mut l = MemoryLink::default();
    let server = UdpSocket::bind(&mut l.b(), 53).unwrap();
    let mut client = UdpSocket::bind(&mut l.a(), 0).unwrap();
    assert!(client.local_addr().ip().is_unspecified());
    let at_b = SocketAddrV4::new(B.into(), 53);
    assert_eq!(kind(client.send(&mut l.a(), b"q")), ErrorKind::NotConnected);
    client.connect(&mut l.a(), at_b).unwrap();
    assert_eq!(client.peer_addr(&mut l.a()).unwrap(), at_b);
    assert_eq!(*client.local_addr().ip(), std::net::Ipv4Addr::from(A));
    client.send(&mut l.a(), b"query").unwrap();
    run_ms(&mut l, 5);
    let mut buf = [0u8; 64];
    let (n, from) = server.recv_from(&mut l.b(), &mut buf).unwrap();
    assert_eq!((&buf[..n], from), (&b"query"[..], client.local_addr()));
    server.send_to(&mut l.b(), b"answer", from).unwrap();
    run_ms(&mut l, 5);
    let (n, from) = client.recv_from(&mut l.a(), &mut buf).unwrap();
    assert_eq!((&buf[..n], from), (&b"answer"[..], at_b));
    // The server goes away: the next datagram is refused by ICMP, and the
    // client's next call says so, once (Linux ECONNREFUSED).
    server.close(&mut l.b()).unwrap();
    client.send(&mut l.a(), b"again").unwrap();
    run_ms(&mut l, 5);
    assert_eq!(
        kind(client.recv_from(&mut l.a(), &mut buf)),
        ErrorKind::ConnectionRefused
    );
    assert_eq!(
        kind(client.recv_from(&mut l.a(), &mut buf)),
        ErrorKind::WouldBlock
    );
}
