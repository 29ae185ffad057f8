//! UDP sockets on the interface (SPEC W3): bind, connect, send, send_to, recv_from, typed
//! errors, and the ICMP errors a connected socket hears of.

use std::net::{Ipv4Addr, SocketAddrV4};

use synack_host::iface::{
    DropCause, Interface, InterfaceConfig, UdpBindError, UdpCloseError, UdpConnectError, UdpHandle,
    UdpRecvError, UdpSendError, any_addr,
};
use synack_host::tcp::{Config, ConnError, Engine};
use synack_host::time::Instant;
use synack_host::wire::{ChecksumCapabilities, Ipv4Address, Ipv4Packet, UdpPacket};

const MASK: Ipv4Address = Ipv4Address::new(255, 255, 255, 0);
const A: Ipv4Addr = Ipv4Addr::new(172, 16, 0, 1);
const B: Ipv4Addr = Ipv4Addr::new(172, 16, 0, 2);

fn pair() -> (Interface, Interface) {
    let mk = |ip: Ipv4Addr, seed| {
        let mut cfg = InterfaceConfig::ip(ip.into(), MASK);
        cfg.udp_rx_queue = 4;
        Interface::new(cfg, Engine::with_seed(Config::default(), seed)).unwrap()
    };
    (mk(A, 1), mk(B, 2))
}

/// Move every frame from `from` to `to`; return how many moved.
fn carry(from: &mut Interface, to: &mut Interface, now: Instant) -> usize {
    let mut n = 0;
    while let Some(t) = from.poll_transmit(now) {
        to.receive(now, &t.frame);
        n += 1;
    }
    n
}

#[test]
fn datagrams_arrive_whole_with_their_source() {
    let (mut a, mut b) = pair();
    let now = Instant::from_secs(1);
    let sa = a.udp_bind(SocketAddrV4::new(A, 5353)).unwrap();
    let sb = b.udp_bind(any_addr(53)).unwrap();
    a.udp_send_to(now, sa, b"query one", SocketAddrV4::new(B, 53))
        .unwrap();
    a.udp_send_to(now, sa, b"", SocketAddrV4::new(B, 53))
        .unwrap();
    // Checksum on the wire is valid (RFC 768) and DF is clear (SPEC W2 asks it of TCP only).
    let t = a.poll_transmit(now).unwrap();
    let ip = Ipv4Packet::new_checked(&t.frame[..]).unwrap();
    assert!(ip.verify_checksum() && !ip.dont_frag());
    let udp = UdpPacket::new_checked(&t.frame[20..]).unwrap();
    assert!(udp.checksum() != 0 && udp.verify_checksum(&A.into(), &B.into()));
    b.receive(now, &t.frame);
    assert_eq!(carry(&mut a, &mut b, now), 1);

    let mut buf = [0u8; 64];
    let r = b.udp_recv_from(sb, &mut buf).unwrap();
    assert_eq!(&buf[..r.len], b"query one");
    assert_eq!((r.full_len, r.src), (9, SocketAddrV4::new(A, 5353)));
    let r = b.udp_recv_from(sb, &mut buf).unwrap();
    assert_eq!((r.len, r.full_len), (0, 0));
    assert_eq!(b.udp_recv_from(sb, &mut buf), Err(UdpRecvError::WouldBlock));

    // And back.
    b.udp_send_to(now, sb, b"answer", r.src).unwrap();
    carry(&mut b, &mut a, now);
    let r = a.udp_recv_from(sa, &mut buf).unwrap();
    assert_eq!(
        (&buf[..r.len], r.src),
        (&b"answer"[..], SocketAddrV4::new(B, 53))
    );
}

#[test]
fn short_buffers_truncate_like_msg_trunc() {
    let (mut a, mut b) = pair();
    let now = Instant::from_secs(1);
    let sa = a.udp_bind(any_addr(0)).unwrap();
    let sb = b.udp_bind(any_addr(9)).unwrap();
    a.udp_send_to(now, sa, b"0123456789", SocketAddrV4::new(B, 9))
        .unwrap();
    carry(&mut a, &mut b, now);
    let mut small = [0u8; 4];
    let r = b.udp_recv_from(sb, &mut small).unwrap();
    assert_eq!((r.len, r.full_len, &small), (4, 10, b"0123"));
    // The rest of that datagram is gone.
    assert_eq!(
        b.udp_recv_from(sb, &mut small),
        Err(UdpRecvError::WouldBlock)
    );
}

#[test]
fn bind_errors_are_typed() {
    let (mut a, _) = pair();
    let s = a.udp_bind(any_addr(7)).unwrap();
    assert_eq!(
        a.udp_bind(SocketAddrV4::new(A, 7)),
        Err(UdpBindError::AddrInUse)
    );
    assert_eq!(
        a.udp_bind(SocketAddrV4::new(B, 8)),
        Err(UdpBindError::AddrNotAvailable)
    );
    // Port 0 picks an ephemeral port, different each time.
    let e1 = a.udp_bind(any_addr(0)).unwrap();
    let e2 = a.udp_bind(any_addr(0)).unwrap();
    let (p1, p2) = (
        a.udp_local_addr(e1).unwrap().port(),
        a.udp_local_addr(e2).unwrap().port(),
    );
    assert!((32768..=60999).contains(&p1) && (32768..=60999).contains(&p2));
    assert_ne!(p1, p2);
    // Closing frees the port; a closed handle is invalid everywhere.
    a.udp_close(s).unwrap();
    assert_eq!(a.udp_close(s), Err(UdpCloseError::InvalidHandle));
    let mut buf = [0u8; 4];
    assert_eq!(
        a.udp_recv_from(s, &mut buf),
        Err(UdpRecvError::InvalidHandle)
    );
    assert_eq!(
        a.udp_send_to(Instant::ZERO, s, b"x", SocketAddrV4::new(B, 1)),
        Err(UdpSendError::InvalidHandle)
    );
    assert!(a.udp_bind(any_addr(7)).is_ok());

    let mut cfg = InterfaceConfig::ip(A.into(), MASK);
    cfg.udp_max_sockets = 1;
    cfg.udp_ephemeral_ports = 40000..=40000;
    let mut c = Interface::new(cfg, Engine::with_seed(Config::default(), 5)).unwrap();
    c.udp_bind(any_addr(0)).unwrap();
    assert_eq!(c.udp_bind(any_addr(0)), Err(UdpBindError::TooManySockets));
}

#[test]
fn send_errors_are_typed_and_nothing_is_fragmented() {
    let (mut a, mut b) = pair();
    let now = Instant::from_secs(1);
    let s = a.udp_bind(any_addr(1000)).unwrap();
    let sb = b.udp_bind(any_addr(1000)).unwrap();
    let to = SocketAddrV4::new(B, 1000);
    // SPEC W5: 1500 − 20 − 8 = 1472 bytes fit; one more would need a fragment.
    assert_eq!(
        a.udp_send_to(now, s, &[0; 1473], to),
        Err(UdpSendError::MessageTooLong)
    );
    a.udp_send_to(now, s, &[0; 1472], to).unwrap();
    let t = a.poll_transmit(now).unwrap();
    assert_eq!(t.frame.len(), 1500);
    b.receive(now, &t.frame);
    let mut buf = [0u8; 2000];
    assert_eq!(b.udp_recv_from(sb, &mut buf).unwrap().len, 1472);
    assert_eq!(
        a.udp_send_to(now, s, b"x", SocketAddrV4::new(B, 0)),
        Err(UdpSendError::InvalidAddress)
    );
    assert_eq!(
        a.udp_send_to(now, s, b"x", SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 9)),
        Err(UdpSendError::InvalidAddress)
    );

    let mut cfg = InterfaceConfig::ip(A.into(), MASK);
    cfg.tx_queue_len = 2;
    let mut c = Interface::new(cfg, Engine::with_seed(Config::default(), 5)).unwrap();
    let s = c.udp_bind(any_addr(1)).unwrap();
    c.udp_send_to(now, s, b"1", to).unwrap();
    c.udp_send_to(now, s, b"2", to).unwrap();
    assert_eq!(
        c.udp_send_to(now, s, b"3", to),
        Err(UdpSendError::WouldBlock)
    );
    assert!(c.poll_transmit(now).is_some());
    assert!(c.udp_send_to(now, s, b"3", to).is_ok());
}

#[test]
fn receive_queue_overflow_and_unbound_ports_are_counted() {
    let (mut a, mut b) = pair();
    let now = Instant::from_secs(1);
    let sa = a.udp_bind(any_addr(1)).unwrap();
    let sb = b.udp_bind(any_addr(2)).unwrap();
    for k in 0u8..6 {
        a.udp_send_to(now, sa, &[k], SocketAddrV4::new(B, 2))
            .unwrap();
    }
    a.udp_send_to(now, sa, b"?", SocketAddrV4::new(B, 3))
        .unwrap();
    carry(&mut a, &mut b, now);
    // udp_rx_queue = 4: the first four are kept, two dropped; port 3 has nobody.
    assert_eq!(b.stats().drops(DropCause::UdpQueueFull), 2);
    assert_eq!(b.stats().drops(DropCause::NoUdpSocket), 1);
    let mut buf = [0u8; 8];
    let got: Vec<u8> = (0..4)
        .map(|_| {
            b.udp_recv_from(sb, &mut buf).unwrap();
            buf[0]
        })
        .collect();
    assert_eq!(got, vec![0, 1, 2, 3]);
    assert_eq!(b.udp_recv_from(sb, &mut buf), Err(UdpRecvError::WouldBlock));
}

#[test]
fn bad_udp_checksum_is_dropped_unless_the_fabric_verified_it() {
    let now = Instant::from_secs(1);
    for (caps, dropped) in [
        (ChecksumCapabilities::software(), true),
        (ChecksumCapabilities::offloaded(), false),
    ] {
        let (mut a, _) = pair();
        let mut b = Interface::new(
            InterfaceConfig::ip(B.into(), MASK).with_caps(caps),
            Engine::with_seed(Config::default(), 2),
        )
        .unwrap();
        let sa = a.udp_bind(any_addr(1)).unwrap();
        let sb = b.udp_bind(any_addr(2)).unwrap();
        a.udp_send_to(now, sa, b"payload", SocketAddrV4::new(B, 2))
            .unwrap();
        let mut f = a.poll_transmit(now).unwrap().frame;
        let last = f.len() - 1;
        f[last] ^= 0x40;
        b.receive(now, &f);
        let mut buf = [0u8; 16];
        assert_eq!(b.stats().drops(DropCause::BadChecksum), u64::from(dropped));
        assert_eq!(b.udp_recv_from(sb, &mut buf).is_ok(), !dropped);
    }
}

/// The one datagram A has queued, carried to B; B's answers carried back.
fn exchange(a: &mut Interface, b: &mut Interface, now: Instant) -> Vec<u8> {
    let t = a.poll_transmit(now).expect("a datagram");
    b.receive(now, &t.frame);
    carry(b, a, now);
    t.frame
}

#[test]
fn a_connected_socket_hears_port_unreachable_once_from_its_next_call() {
    // Linux: send() to a closed port on a connected UDP socket, then the
    // next recv() (or send()) fails with ECONNREFUSED, once.
    let (mut a, mut b) = pair();
    let now = Instant::from_secs(1);
    let sa = a.udp_bind(any_addr(0)).unwrap();
    let closed = SocketAddrV4::new(B, 4000);
    a.udp_connect(sa, closed).unwrap();
    assert_eq!(a.udp_peer_addr(sa), Some(closed));
    a.udp_send(now, sa, b"anyone?").unwrap();
    exchange(&mut a, &mut b, now);
    assert_eq!(b.stats().icmp_unreachables_sent, 1);
    assert_eq!(a.stats().udp_icmp_errors, 1);
    let mut buf = [0u8; 16];
    assert_eq!(
        a.udp_recv_from(sa, &mut buf),
        Err(UdpRecvError::Network(ConnError::Refused))
    );
    assert_eq!(a.udp_recv_from(sa, &mut buf), Err(UdpRecvError::WouldBlock));
    // Reported once: sending works again, and its error is reported by a send.
    a.udp_send(now, sa, b"still?").unwrap();
    exchange(&mut a, &mut b, now);
    assert_eq!(
        a.udp_send(now, sa, b"and now?"),
        Err(UdpSendError::Network(ConnError::Refused))
    );
    assert!(
        a.poll_transmit(now).is_none(),
        "the failed send sent nothing"
    );
}

#[test]
fn an_unconnected_socket_hears_nothing_of_icmp_errors() {
    let (mut a, mut b) = pair();
    let now = Instant::from_secs(1);
    let sa = a.udp_bind(any_addr(0)).unwrap();
    a.udp_send_to(now, sa, b"anyone?", SocketAddrV4::new(B, 4000))
        .unwrap();
    exchange(&mut a, &mut b, now);
    assert_eq!(b.stats().icmp_unreachables_sent, 1);
    let mut buf = [0u8; 16];
    assert_eq!(a.udp_recv_from(sa, &mut buf), Err(UdpRecvError::WouldBlock));
    assert_eq!(a.stats().udp_icmp_errors, 0);
}

#[test]
fn a_connected_socket_takes_datagrams_only_from_its_peer() {
    let (mut a, mut b) = pair();
    let now = Instant::from_secs(1);
    let sa = a.udp_bind(any_addr(7000)).unwrap();
    let peer = b.udp_bind(any_addr(10)).unwrap();
    let stranger = b.udp_bind(any_addr(11)).unwrap();
    a.udp_connect(sa, SocketAddrV4::new(B, 10)).unwrap();
    let to_a = SocketAddrV4::new(A, 7000);
    b.udp_send_to(now, stranger, b"not you", to_a).unwrap();
    b.udp_send_to(now, peer, b"you", to_a).unwrap();
    carry(&mut b, &mut a, now);
    let mut buf = [0u8; 16];
    let r = a.udp_recv_from(sa, &mut buf).unwrap();
    assert_eq!(
        (&buf[..r.len], r.src),
        (&b"you"[..], SocketAddrV4::new(B, 10))
    );
    assert_eq!(a.udp_recv_from(sa, &mut buf), Err(UdpRecvError::WouldBlock));
    // The stranger's datagram found no socket: counted, and refused as Linux does.
    assert_eq!(a.stats().drops(DropCause::NoUdpSocket), 1);
    assert_eq!(a.stats().icmp_unreachables_sent, 1);
}

#[test]
fn connect_and_send_errors_name_what_is_wrong() {
    let (mut a, _b) = pair();
    let now = Instant::from_secs(1);
    let sa = a.udp_bind(any_addr(0)).unwrap();
    assert_eq!(a.udp_send(now, sa, b"x"), Err(UdpSendError::NotConnected));
    assert_eq!(
        a.udp_connect(sa, SocketAddrV4::new(B, 0)),
        Err(UdpConnectError::InvalidAddress)
    );
    assert_eq!(
        a.udp_connect(sa, SocketAddrV4::new(Ipv4Addr::new(224, 0, 0, 1), 9)),
        Err(UdpConnectError::InvalidAddress)
    );
    assert_eq!(
        a.udp_connect(UdpHandle(999), SocketAddrV4::new(B, 9)),
        Err(UdpConnectError::InvalidHandle)
    );
    assert_eq!(a.udp_peer_addr(sa), None);
}

/// An ICMP error from B about A's datagram `sent` (an IP packet), built by
/// etherparse: type, code and the four bytes after the checksum.
fn icmp_about(sent: &[u8], icmp_type: u8, code: u8, rest: [u8; 4]) -> Vec<u8> {
    let mut out = Vec::new();
    etherparse::PacketBuilder::ipv4(B.octets(), A.octets(), 64)
        .icmpv4_raw(icmp_type, code, rest)
        .write(&mut out, &sent[..28])
        .unwrap();
    out
}

#[test]
fn only_hard_icmp_errors_reach_a_connected_socket_each_with_its_meaning() {
    // Linux `__udp4_lib_err` without IP_RECVERR: `icmp_err_convert`'s
    // fatal codes, parameter problem and fragmentation needed.
    let cases: [(u8, u8, [u8; 4], Option<ConnError>); 7] = [
        (3, 1, [0; 4], None),
        (3, 0, [0; 4], None),
        (11, 0, [0; 4], None),
        (3, 13, [0; 4], Some(ConnError::HostUnreachable)),
        (3, 2, [0; 4], Some(ConnError::ProtocolUnavailable)),
        (3, 4, [0, 0, 0x05, 0x00], Some(ConnError::MessageTooLong)),
        (12, 0, [0; 4], Some(ConnError::ProtocolError)),
    ];
    for (icmp_type, code, rest, want) in cases {
        let (mut a, _b) = pair();
        let now = Instant::from_secs(1);
        let sa = a.udp_bind(any_addr(0)).unwrap();
        a.udp_connect(sa, SocketAddrV4::new(B, 53)).unwrap();
        a.udp_send(now, sa, b"query").unwrap();
        let sent = a.poll_transmit(now).unwrap().frame;
        a.receive(now, &icmp_about(&sent, icmp_type, code, rest));
        let mut buf = [0u8; 8];
        let got = match a.udp_recv_from(sa, &mut buf) {
            Err(UdpRecvError::Network(e)) => Some(e),
            Err(UdpRecvError::WouldBlock) => None,
            other => panic!("{other:?}"),
        };
        assert_eq!(got, want, "type {icmp_type} code {code}");
        assert_eq!(a.stats().total_drops(), 0);
    }
}
