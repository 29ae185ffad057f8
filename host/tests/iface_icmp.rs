//! ICMP on the interface: echo replies and port unreachable (RFC 792, RFC
//! 1122 §3.2.2), rate-limited as Linux limits them; read back with
//! etherparse, an independent parser.

mod common;

use core::time::Duration;

use etherparse::{
    IcmpEchoHeader, Icmpv4Type, NetSlice, SlicedPacket, TransportSlice,
    icmpv4::DestUnreachableHeader,
};
use synack_host::iface::{DropCause, IcmpConfig, Interface, InterfaceConfig, Transmit};
use synack_host::tcp::{Config, ConnError, Engine, Event, State};
use synack_host::time::Instant;
use synack_host::wire::{
    ArpOperation, ArpPacket, ArpRepr, ChecksumCapabilities, EtherType, EthernetAddress,
    EthernetFrame, EthernetRepr, IcmpPacket, IcmpRepr, IpProtocol, Ipv4Address, Ipv4Packet,
    Ipv4Repr,
};

const MASK: Ipv4Address = Ipv4Address::new(255, 255, 255, 0);
const US: Ipv4Address = Ipv4Address::new(10, 2, 0, 1);
const PEER: Ipv4Address = Ipv4Address::new(10, 2, 0, 2);
const SUBNET_BROADCAST: Ipv4Address = Ipv4Address::new(10, 2, 0, 255);
const US_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 2, 1]);
const PEER_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 2, 2]);

/// An interface that already knows the peer's MAC (the peer asked for ours).
fn iface_with(caps: ChecksumCapabilities, icmp: IcmpConfig) -> Interface {
    let mut cfg = InterfaceConfig::ethernet(US_MAC, US, MASK).with_caps(caps);
    cfg.icmp = icmp;
    let mut i = Interface::new(cfg, Engine::with_seed(Config::default(), 5)).unwrap();
    let now = Instant::from_secs(1);
    i.receive(now, &arp_request());
    let reply = i.poll_transmit(now).expect("the ARP reply");
    assert_eq!(&reply.frame[12..14], &[0x08, 0x06]);
    assert!(i.poll_transmit(now).is_none());
    i
}

fn iface() -> Interface {
    iface_with(ChecksumCapabilities::software(), IcmpConfig::default())
}

fn arp_request() -> Vec<u8> {
    let arp = ArpRepr {
        operation: ArpOperation::Request,
        source_hardware_addr: PEER_MAC,
        source_protocol_addr: PEER,
        target_hardware_addr: EthernetAddress::UNSPECIFIED,
        target_protocol_addr: US,
    };
    let eth = EthernetRepr {
        src_addr: PEER_MAC,
        dst_addr: EthernetAddress::BROADCAST,
        ethertype: EtherType::Arp,
    };
    let mut b = vec![0u8; eth.buffer_len() + arp.buffer_len()];
    let mut f = EthernetFrame::new_unchecked(&mut b[..]);
    eth.emit(&mut f);
    arp.emit(&mut ArpPacket::new_unchecked(f.payload_mut()));
    b
}

/// A frame from the peer to `dst` (link broadcast if `dst` is) carrying
/// `protocol` with `payload` (already a whole ICMP message or UDP datagram).
fn ip_frame(dst: Ipv4Address, protocol: IpProtocol, payload: &[u8]) -> Vec<u8> {
    let eth = EthernetRepr {
        src_addr: PEER_MAC,
        dst_addr: if dst == US {
            US_MAC
        } else {
            EthernetAddress::BROADCAST
        },
        ethertype: EtherType::Ipv4,
    };
    let ip = Ipv4Repr {
        src_addr: PEER,
        dst_addr: dst,
        protocol,
        payload_len: payload.len(),
        ttl: 64,
        ident: 77,
        dont_frag: true,
    };
    let mut b = vec![0u8; 14 + 20 + payload.len()];
    eth.emit(&mut EthernetFrame::new_unchecked(&mut b[..]));
    ip.emit(
        &mut Ipv4Packet::new_unchecked(&mut b[14..]),
        &ChecksumCapabilities::software(),
    );
    b[34..].copy_from_slice(payload);
    b
}

fn echo_request(dst: Ipv4Address, ident: u16, seq_no: u16, data: &[u8]) -> Vec<u8> {
    let repr = IcmpRepr::EchoRequest {
        ident,
        seq_no,
        data,
    };
    let mut m = vec![0u8; repr.buffer_len()];
    repr.emit(&mut IcmpPacket::new_unchecked(&mut m[..]));
    ip_frame(dst, IpProtocol::Icmp, &m)
}

fn udp_datagram(dst: Ipv4Address, port: u16, data: &[u8]) -> Vec<u8> {
    ip_frame(
        dst,
        IpProtocol::Udp,
        &common::udp_bytes(PEER, dst, 43210, port, data),
    )
}

fn drain(i: &mut Interface, now: Instant) -> Vec<Transmit> {
    std::iter::from_fn(|| i.poll_transmit(now)).collect()
}

/// The one ICMP message in `t`, checked by etherparse: addressed from us to
/// the peer's MAC and IP, DF clear, TTL 64, both checksums right, nothing
/// asked of the fabric.
fn icmp_of(t: &Transmit) -> (Icmpv4Type, Vec<u8>) {
    assert!(!t.meta.fabric_ipv4_checksum && !t.meta.fabric_l4_checksum && t.meta.tso.is_none());
    let p = SlicedPacket::from_ethernet(&t.frame).expect("etherparse reads the frame");
    let Some(etherparse::LinkSlice::Ethernet2(eth)) = &p.link else {
        panic!("not Ethernet II");
    };
    assert_eq!((eth.source(), eth.destination()), (US_MAC.0, PEER_MAC.0));
    let Some(NetSlice::Ipv4(ip)) = &p.net else {
        panic!("not IPv4");
    };
    let h = ip.header().to_header();
    assert_eq!((h.source, h.destination), (US.0, PEER.0));
    assert!(!h.dont_fragment && !h.more_fragments);
    assert_eq!(h.time_to_live, 64);
    assert_eq!(
        h.header_checksum,
        h.calc_header_checksum(),
        "IPv4 header checksum"
    );
    let Some(TransportSlice::Icmpv4(icmp)) = &p.transport else {
        panic!("not ICMP: {:?}", p.transport);
    };
    let ty = icmp.icmp_type();
    assert_eq!(
        icmp.checksum(),
        ty.calc_checksum(icmp.payload()),
        "ICMP checksum"
    );
    (ty, icmp.payload().to_vec())
}

#[test]
fn an_echo_request_is_answered_with_its_identifier_sequence_and_data() {
    let mut i = iface();
    let now = Instant::from_secs(2);
    let data: Vec<u8> = (0..56u8).collect();
    i.receive(now, &echo_request(US, 0x4d2, 3, &data));
    let out = drain(&mut i, now);
    assert_eq!(out.len(), 1);
    let (ty, payload) = icmp_of(&out[0]);
    assert_eq!(
        ty,
        Icmpv4Type::EchoReply(IcmpEchoHeader { id: 0x4d2, seq: 3 })
    );
    assert_eq!(payload, data);
    let s = i.stats();
    assert_eq!((s.rx_icmp_messages, s.icmp_echo_replies_sent), (1, 1));
    assert_eq!(s.total_drops(), 0);
}

#[test]
fn with_checksum_offload_icmp_is_still_summed_in_software() {
    // The fabric sums only TCP and UDP (SPEC F3, F4): an echo request's
    // checksum is verified here, and the reply's two checksums computed here.
    let mut i = iface_with(ChecksumCapabilities::offloaded(), IcmpConfig::default());
    let now = Instant::from_secs(2);
    let mut bad = echo_request(US, 1, 1, b"abcd");
    let last = bad.len() - 1;
    bad[last] ^= 1;
    i.receive(now, &bad);
    assert_eq!(i.stats().drops(DropCause::BadChecksum), 1);
    assert!(drain(&mut i, now).is_empty());
    i.receive(now, &echo_request(US, 1, 2, b"abcd"));
    let out = drain(&mut i, now);
    assert_eq!(out.len(), 1);
    let (ty, payload) = icmp_of(&out[0]);
    assert_eq!(ty, Icmpv4Type::EchoReply(IcmpEchoHeader { id: 1, seq: 2 }));
    assert_eq!(payload, b"abcd");
}

#[test]
fn a_broadcast_echo_request_is_ignored_unless_configured() {
    let now = Instant::from_secs(2);
    for dst in [SUBNET_BROADCAST, Ipv4Address::BROADCAST] {
        let mut i = iface();
        i.receive(now, &echo_request(dst, 9, 9, b"smurf"));
        assert!(drain(&mut i, now).is_empty(), "{dst}");
        assert_eq!(i.stats().rx_icmp_messages, 1);
        assert_eq!(i.stats().icmp_echo_replies_sent, 0);

        let mut i = iface_with(
            ChecksumCapabilities::software(),
            IcmpConfig {
                echo_reply_broadcast: true,
                ..IcmpConfig::default()
            },
        );
        i.receive(now, &echo_request(dst, 9, 9, b"smurf"));
        let out = drain(&mut i, now);
        assert_eq!(out.len(), 1, "{dst}");
        assert_eq!(icmp_of(&out[0]).1, b"smurf");
    }
}

#[test]
fn echo_reply_off_answers_no_pings() {
    let mut i = iface_with(
        ChecksumCapabilities::software(),
        IcmpConfig {
            echo_reply: false,
            ..IcmpConfig::default()
        },
    );
    let now = Instant::from_secs(2);
    i.receive(now, &echo_request(US, 1, 1, b"x"));
    assert!(drain(&mut i, now).is_empty());
    assert_eq!(i.stats().rx_icmp_messages, 1);
}

#[test]
fn a_datagram_to_an_unbound_port_gets_port_unreachable_quoting_it() {
    let mut i = iface();
    let now = Instant::from_secs(2);
    let datagram = udp_datagram(US, 9999, b"anyone there?");
    i.receive(now, &datagram);
    assert_eq!(i.stats().drops(DropCause::NoUdpSocket), 1);
    let out = drain(&mut i, now);
    assert_eq!(out.len(), 1);
    let (ty, quoted) = icmp_of(&out[0]);
    assert_eq!(
        ty,
        Icmpv4Type::DestinationUnreachable(DestUnreachableHeader::Port)
    );
    // The invoking datagram from its IP header on, whole (it is short).
    assert_eq!(quoted, &datagram[14..]);
    assert_eq!(i.stats().icmp_unreachables_sent, 1);
}

#[test]
fn a_long_datagram_is_quoted_so_the_error_stays_within_576_bytes() {
    let mut i = iface();
    let now = Instant::from_secs(2);
    let datagram = udp_datagram(US, 9999, &[0x5a; 1400]);
    i.receive(now, &datagram);
    let out = drain(&mut i, now);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].frame.len(), 14 + 576);
    let (_, quoted) = icmp_of(&out[0]);
    assert_eq!(quoted, &datagram[14..14 + 548]);
}

#[test]
fn no_error_about_a_broadcast_datagram_or_to_a_bound_port() {
    let mut i = iface();
    let now = Instant::from_secs(2);
    i.receive(now, &udp_datagram(SUBNET_BROADCAST, 9999, b"dhcp?"));
    i.receive(now, &udp_datagram(Ipv4Address::BROADCAST, 9999, b"dhcp?"));
    // Addressed to us, but sent to the link's broadcast address.
    let mut link_broadcast = udp_datagram(US, 9999, b"hello?");
    link_broadcast[..6].copy_from_slice(&EthernetAddress::BROADCAST.0);
    i.receive(now, &link_broadcast);
    let s = i.udp_bind(synack_host::iface::any_addr(53)).unwrap();
    i.receive(now, &udp_datagram(US, 53, b"query"));
    assert!(drain(&mut i, now).is_empty());
    assert_eq!(i.stats().drops(DropCause::NoUdpSocket), 3);
    assert_eq!(i.stats().icmp_unreachables_sent, 0);
    let mut buf = [0u8; 16];
    assert_eq!(i.udp_recv_from(s, &mut buf).unwrap().len, 5);
}

#[test]
fn port_unreachables_to_one_peer_come_six_at_once_then_one_a_second() {
    let mut i = iface();
    let t = Instant::from_secs(2);
    for _ in 0..10 {
        i.receive(t, &udp_datagram(US, 9999, b"x"));
    }
    assert_eq!(drain(&mut i, t).len(), 6);
    assert_eq!(i.stats().icmp_unreachables_sent, 6);
    assert_eq!(i.stats().icmp_rate_limited, 4);
    let t = t + Duration::from_millis(500);
    i.receive(t, &udp_datagram(US, 9999, b"x"));
    assert!(drain(&mut i, t).is_empty());
    let t = t + Duration::from_millis(500);
    i.receive(t, &udp_datagram(US, 9999, b"x"));
    assert_eq!(drain(&mut i, t).len(), 1);
    // Pings are not limited.
    for seq in 0..20 {
        i.receive(t, &echo_request(US, 1, seq, b"p"));
    }
    assert_eq!(drain(&mut i, t).len(), 20);
}

#[test]
fn received_replies_and_errors_are_counted_and_not_answered() {
    let mut i = iface();
    let now = Instant::from_secs(2);
    let reply = IcmpRepr::EchoReply {
        ident: 1,
        seq_no: 1,
        data: b"pong",
    };
    let quoted = [0x45u8; 28];
    let unreachable = IcmpRepr::DstUnreachable {
        code: 3,
        next_hop_mtu: 0,
        invoking: &quoted,
    };
    let timestamp = IcmpRepr::Other {
        msg_type: 13,
        code: 0,
    };
    for repr in [reply, unreachable, timestamp] {
        let mut m = vec![0u8; repr.buffer_len()];
        repr.emit(&mut IcmpPacket::new_unchecked(&mut m[..]));
        i.receive(now, &ip_frame(US, IpProtocol::Icmp, &m));
    }
    assert!(drain(&mut i, now).is_empty());
    assert_eq!(i.stats().rx_icmp_messages, 3);
    assert_eq!(i.stats().total_drops(), 0);
}

/// An ICMP error of `msg_type`/`code` from the peer quoting the first
/// `quote_len` bytes of the IP packet in `frame`.
fn error_about(frame: &[u8], msg_type: u8, code: u8, quote_len: usize) -> Vec<u8> {
    let invoking = &frame[14..14 + quote_len];
    let repr = match msg_type {
        3 => IcmpRepr::DstUnreachable {
            code,
            next_hop_mtu: 0,
            invoking,
        },
        11 => IcmpRepr::TimeExceeded { code, invoking },
        _ => unreachable!(),
    };
    let mut m = vec![0u8; repr.buffer_len()];
    repr.emit(&mut IcmpPacket::new_unchecked(&mut m[..]));
    ip_frame(US, IpProtocol::Icmp, &m)
}

/// Connect to the peer's port 5000; the SYN's frame.
fn connect(i: &mut Interface, now: Instant) -> (synack_host::tcp::ConnectionHandle, Vec<u8>) {
    let h = i
        .tcp_connect(now, std::net::SocketAddrV4::new(PEER.into(), 5000))
        .unwrap();
    let out = drain(i, now);
    assert_eq!(out.len(), 1, "the SYN");
    (h, out[0].frame.clone())
}

fn closed_with(i: &mut Interface) -> Vec<Event> {
    std::iter::from_fn(|| i.engine_mut().poll_event()).collect()
}

#[test]
fn port_unreachable_quoting_our_syn_fails_the_connect_with_refused() {
    // A firewall's "reject with icmp port-unreachable": Linux's connect()
    // fails at once with ECONNREFUSED; so does synack's.
    let mut i = iface();
    let now = Instant::from_secs(2);
    let (h, syn) = connect(&mut i, now);
    i.receive(now, &error_about(&syn, 3, 3, 28));
    assert_eq!(i.engine().state(h), State::Closed);
    assert!(closed_with(&mut i).contains(&Event::Closed(h, Some(ConnError::Refused))));
    assert_eq!(i.stats().rx_icmp_messages, 1);
    assert!(
        drain(&mut i, now).is_empty(),
        "nothing answers an ICMP error"
    );
}

#[test]
fn time_exceeded_quoting_the_whole_syn_fails_the_connect_with_no_route_to_host() {
    let mut i = iface();
    let now = Instant::from_secs(2);
    let (h, syn) = connect(&mut i, now);
    i.receive(now, &error_about(&syn, 11, 0, syn.len() - 14));
    assert!(closed_with(&mut i).contains(&Event::Closed(h, Some(ConnError::HostUnreachable))));
}

#[test]
fn errors_that_cannot_name_our_segment_change_nothing() {
    let mut i = iface();
    let now = Instant::from_secs(2);
    let (h, syn) = connect(&mut i, now);
    // Cut before the sequence number: 20 + 7 bytes.
    i.receive(now, &error_about(&syn, 3, 3, 27));
    // Quoting a datagram some other host sent.
    let mut other = syn.clone();
    other[14 + 12..14 + 16].copy_from_slice(&[10, 2, 0, 9]);
    i.receive(now, &error_about(&other, 3, 3, 28));
    // Sent to a broadcast address.
    let mut to_all = error_about(&syn, 3, 3, 28);
    to_all[..6].copy_from_slice(&EthernetAddress::BROADCAST.0);
    to_all[14 + 16..14 + 20].copy_from_slice(&SUBNET_BROADCAST.0);
    let mut p = Ipv4Packet::new_unchecked(&mut to_all[14..]);
    p.fill_checksum();
    i.receive(now, &to_all);
    // A wrong sequence number (RFC 5927): the engine ignores it.
    let mut wrong_seq = syn.clone();
    wrong_seq[14 + 20 + 4] ^= 0x80;
    i.receive(now, &error_about(&wrong_seq, 3, 3, 28));
    assert_eq!(i.engine().state(h), State::SynSent);
    assert_eq!(i.stats().rx_icmp_messages, 4);
    assert_eq!(i.stats().total_drops(), 0);
    assert_eq!(i.engine().stats().icmp_ignored, 1);
}
