//! The socket API (`synack_host::socket`) as an application uses it: two
//! hosts on a raw-IPv4 link, non-blocking calls, readiness, and errors as
//! `io::ErrorKind`s.

use std::io::ErrorKind;
use std::net::SocketAddrV4;

use synack_host::iface::{Interface, InterfaceConfig};
use synack_host::socket::{Net, Shutdown, SockOpt, TcpListener, TcpStream};
use synack_host::tcp::{Config, Engine, Event, State};
use synack_host::time::Instant;
use synack_host::wire::Ipv4Address;

const MASK: Ipv4Address = Ipv4Address::new(255, 255, 255, 0);
const A: Ipv4Address = Ipv4Address::new(192, 0, 2, 1);
const B: Ipv4Address = Ipv4Address::new(192, 0, 2, 2);

struct Link {
    a: Interface,
    b: Interface,
    now: Instant,
}

impl Link {
    fn new() -> Self {
        let host = |addr, seed| {
            Interface::new(
                InterfaceConfig::ip(addr, MASK),
                Engine::with_seed(Config::default(), seed),
            )
            .unwrap()
        };
        Link {
            a: host(A, 1),
            b: host(B, 2),
            now: Instant::from_secs(1),
        }
    }

    /// Exchange packets and run timers for `ms` milliseconds, 1 ms at a time.
    fn run_ms(&mut self, ms: u64) {
        for _ in 0..ms {
            for _ in 0..1000 {
                let mut moved = false;
                while let Some(t) = self.a.poll_transmit(self.now) {
                    self.b.receive(self.now, &t.frame);
                    moved = true;
                }
                while let Some(t) = self.b.poll_transmit(self.now) {
                    self.a.receive(self.now, &t.frame);
                    moved = true;
                }
                if !moved {
                    break;
                }
            }
            self.now += core::time::Duration::from_millis(1);
            for i in [&mut self.a, &mut self.b] {
                if i.poll_timeout().is_some_and(|t| t <= self.now) {
                    i.handle_timeout(self.now);
                }
            }
        }
    }

    fn a(&mut self) -> Net<'_> {
        Net::new(&mut self.a, self.now)
    }

    fn b(&mut self) -> Net<'_> {
        Net::new(&mut self.b, self.now)
    }
}

fn kind<T: std::fmt::Debug>(r: std::io::Result<T>) -> ErrorKind {
    r.expect_err("an error").kind()
}

#[test]
fn echo_through_listener_and_stream_with_readiness() {
    let mut l = Link::new();
    let listener = TcpListener::bind(&mut l.b(), 7, 16).unwrap();
    assert_eq!(kind(listener.accept(&mut l.b())), ErrorKind::WouldBlock);
    let client = TcpStream::connect(&mut l.a(), SocketAddrV4::new(B.into(), 7)).unwrap();
    {
        let net = l.a();
        let r = client.readiness(&net);
        assert!(!r.writable && !r.readable, "SYN-SENT: neither: {r:?}");
        assert_eq!(client.state(&net), State::SynSent);
    }
    l.run_ms(5);
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
    l.run_ms(5);
    let mut nb = l.b();
    assert!(server.readiness(&nb).readable);
    let mut buf = [0u8; 64];
    let n = server.read(&mut nb, &mut buf).unwrap();
    assert_eq!(&buf[..n], b"hello, synack");
    server.write(&mut nb, &buf[..n]).unwrap();
    server.shutdown(&mut nb, Shutdown::Write).unwrap();
    l.run_ms(5);
    let mut na = l.a();
    let n = client.read(&mut na, &mut buf).unwrap();
    assert_eq!(&buf[..n], b"hello, synack");
    let r = client.readiness(&na);
    assert!(r.readable && r.read_closed, "FIN seen: {r:?}");
    assert_eq!(client.read(&mut na, &mut buf).unwrap(), 0, "end of stream");
    client.close(&mut na).unwrap();
    l.run_ms(5);
    server.close(&mut l.b()).unwrap();
    l.run_ms(5);
    assert_eq!(
        kind(server.read(&mut l.b(), &mut buf)),
        ErrorKind::InvalidInput,
        "a released handle is a bad handle"
    );
}

#[test]
fn refused_connect_is_reported_through_take_error_and_readiness() {
    let mut l = Link::new();
    let client = TcpStream::connect(&mut l.a(), SocketAddrV4::new(B.into(), 9)).unwrap();
    l.run_ms(5);
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
    let mut l = Link::new();
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
    assert_eq!(
        kind(client.write(&mut l.a(), b"too early")),
        ErrorKind::NotConnected
    );
    assert_eq!(
        kind(client.set_option(&mut l.a(), SockOpt::KeepCnt(0))),
        ErrorKind::InvalidInput
    );
    let mut l2 = Link::new();
    l2.a = Interface::new(
        InterfaceConfig::ethernet(
            synack_host::wire::EthernetAddress([2, 0, 0, 0, 0, 1]),
            A,
            MASK,
        ),
        Engine::with_seed(Config::default(), 1),
    )
    .unwrap();
    let off_link = SocketAddrV4::new(std::net::Ipv4Addr::new(198, 51, 100, 1), 80);
    assert_eq!(
        kind(TcpStream::connect(&mut l2.a(), off_link)),
        ErrorKind::NetworkUnreachable
    );
}

#[test]
fn accepted_streams_inherit_the_listeners_options() {
    let mut l = Link::new();
    let listener = TcpListener::bind_with(
        &mut l.b(),
        7,
        16,
        &[SockOpt::NoDelay(true), SockOpt::KeepAlive(true)],
    )
    .unwrap();
    let _client = TcpStream::connect(&mut l.a(), SocketAddrV4::new(B.into(), 7)).unwrap();
    l.run_ms(5);
    let mut nb = l.b();
    assert_eq!(listener.pending(&nb).unwrap(), 1);
    let (server, _) = listener.accept(&mut nb).unwrap();
    let o = server.options(&nb).unwrap();
    assert!(o.nodelay && o.keepalive);
}
