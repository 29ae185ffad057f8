//! The interface's link side: ARP answers and resolution with a bounded queue
//! (SPEC W1), on-link vs gateway (SPEC W2), DF and MTU (SPEC W2, W5), the TX
//! checksum-offload metadata (SPEC F4), and TCP between two interfaces.

use std::net::{Ipv4Addr, SocketAddrV4};

use synack_host::iface::{
    DropCause, IfaceConnectError, Interface, InterfaceConfig, NextHop, Transmit, UdpSendError,
};
use synack_host::tcp::{Config, Engine, Event, State};
use synack_host::time::Instant;
use synack_host::wire::{
    ArpOperation, ArpRepr, ChecksumCapabilities, EtherType, EthernetAddress, EthernetFrame,
    EthernetRepr, FrameRepr, IpProtocol, Ipv4Address, Ipv4Packet, NetworkRepr, TcpPacket,
    TransportRepr, UdpPacket,
};

const MASK: Ipv4Address = Ipv4Address::new(255, 255, 255, 0);
const US: Ipv4Address = Ipv4Address::new(192, 168, 1, 10);
const PEER: Ipv4Address = Ipv4Address::new(192, 168, 1, 20);
const GW: Ipv4Address = Ipv4Address::new(192, 168, 1, 1);
const US_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x10]);
const PEER_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x20]);
const GW_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x01]);

fn iface(cfg: InterfaceConfig) -> Interface {
    Interface::new(cfg, Engine::with_seed(Config::default(), 9)).unwrap()
}

fn eth_iface() -> Interface {
    iface(InterfaceConfig::ethernet(US_MAC, US, MASK).with_gateway(GW))
}

fn arp_frame(
    op: ArpOperation,
    src: (EthernetAddress, Ipv4Address),
    target: Ipv4Address,
) -> Vec<u8> {
    let frame = FrameRepr {
        ethernet: EthernetRepr {
            src_addr: src.0,
            dst_addr: if op == ArpOperation::Request {
                EthernetAddress::BROADCAST
            } else {
                US_MAC
            },
            ethertype: EtherType::Arp,
        },
        network: NetworkRepr::Arp(ArpRepr {
            operation: op,
            source_hardware_addr: src.0,
            source_protocol_addr: src.1,
            target_hardware_addr: if op == ArpOperation::Request {
                EthernetAddress::UNSPECIFIED
            } else {
                US_MAC
            },
            target_protocol_addr: target,
        }),
    };
    let mut b = vec![0; frame.buffer_len()];
    frame.emit(&mut b, &ChecksumCapabilities::software());
    b
}

fn drain(i: &mut Interface, now: Instant) -> Vec<Transmit> {
    std::iter::from_fn(|| i.poll_transmit(now)).collect()
}

fn parse(t: &Transmit) -> FrameRepr<'_> {
    FrameRepr::parse(&t.frame, &ChecksumCapabilities::software()).expect("valid frame")
}

fn arp_of(t: &Transmit) -> ArpRepr {
    match parse(t).network {
        NetworkRepr::Arp(a) => a,
        other => panic!("not ARP: {other:?}"),
    }
}

#[test]
fn answers_arp_requests_for_its_address_only() {
    let mut i = eth_iface();
    let now = Instant::from_secs(1);
    i.receive(now, &arp_frame(ArpOperation::Request, (PEER_MAC, PEER), US));
    let out = drain(&mut i, now);
    assert_eq!(out.len(), 1);
    let f = parse(&out[0]);
    assert_eq!(f.ethernet.dst_addr, PEER_MAC);
    assert_eq!(f.ethernet.src_addr, US_MAC);
    let a = arp_of(&out[0]);
    assert_eq!(a.operation, ArpOperation::Reply);
    assert_eq!(
        (a.source_hardware_addr, a.source_protocol_addr),
        (US_MAC, US)
    );
    assert_eq!(
        (a.target_hardware_addr, a.target_protocol_addr),
        (PEER_MAC, PEER)
    );
    // RFC 826: the requester was learned.
    assert_eq!(i.arp_cache().get(&PEER, now), Some(PEER_MAC));
    assert_eq!(i.stats().arp_replies_sent, 1);

    // A request for someone else is not answered, and teaches us nothing.
    let other = Ipv4Address::new(192, 168, 1, 30);
    let stranger = EthernetAddress([0x02, 0, 0, 0, 0, 0x31]);
    i.receive(
        now,
        &arp_frame(ArpOperation::Request, (stranger, other), PEER),
    );
    assert!(drain(&mut i, now).is_empty());
    assert_eq!(i.arp_cache().get(&other, now), None);
    assert_eq!(i.stats().drops(DropCause::NotForUs), 1);
}

#[test]
fn resolution_queues_a_bounded_number_of_packets_then_sends_them() {
    let mut cfg = InterfaceConfig::ethernet(US_MAC, US, MASK);
    cfg.arp_queue_per_neighbor = 3;
    let mut i = iface(cfg);
    let now = Instant::from_secs(1);
    let s = i.udp_bind(SocketAddrV4::new(US.into(), 5000)).unwrap();
    for n in 0u8..5 {
        i.udp_send_to(now, s, &[n; 10], SocketAddrV4::new(PEER.into(), 53))
            .unwrap();
    }
    // One ARP request for the next hop, broadcast; nothing else yet.
    let out = drain(&mut i, now);
    assert_eq!(out.len(), 1);
    assert_eq!(parse(&out[0]).ethernet.dst_addr, EthernetAddress::BROADCAST);
    let req = arp_of(&out[0]);
    assert_eq!(req.operation, ArpOperation::Request);
    assert_eq!(req.target_protocol_addr, PEER);
    assert_eq!(
        (req.source_hardware_addr, req.source_protocol_addr),
        (US_MAC, US)
    );
    assert_eq!(i.arp_queue_len(), 3);
    assert_eq!(i.stats().drops(DropCause::ArpQueueFull), 2);

    // The reply releases the queue: the three newest datagrams, to PEER_MAC.
    i.receive(now, &arp_frame(ArpOperation::Reply, (PEER_MAC, PEER), US));
    let out = drain(&mut i, now);
    assert_eq!(out.len(), 3);
    let firsts: Vec<u8> = out
        .iter()
        .map(|t| {
            let f = parse(t);
            assert_eq!(f.ethernet.dst_addr, PEER_MAC);
            match f.network {
                NetworkRepr::Ipv4 {
                    transport: TransportRepr::Udp(u),
                    ..
                } => u.payload[0],
                other => panic!("{other:?}"),
            }
        })
        .collect();
    assert_eq!(firsts, vec![2, 3, 4]);
    assert_eq!(i.arp_queue_len(), 0);
    assert_eq!(i.poll_timeout(), None);
}

#[test]
fn unanswered_resolution_retries_then_drops_the_queue() {
    let mut i = eth_iface();
    let mut now = Instant::from_secs(1);
    let s = i.udp_bind(SocketAddrV4::new(US.into(), 5000)).unwrap();
    i.udp_send_to(now, s, b"x", SocketAddrV4::new(PEER.into(), 53))
        .unwrap();
    let mut requests = drain(&mut i, now).len();
    while let Some(t) = i.poll_timeout() {
        assert!(t > now, "deadline in the past");
        now = t;
        i.handle_timeout(now);
        for t in drain(&mut i, now) {
            assert_eq!(arp_of(&t).target_protocol_addr, PEER);
            requests += 1;
        }
    }
    // ArpCacheConfig::default(): 3 requests, 1 s apart.
    assert_eq!(requests, 3);
    assert_eq!(i.stats().arp_requests_sent, 3);
    assert_eq!(i.arp_queue_len(), 0);
    assert_eq!(i.stats().drops(DropCause::NeighborUnreachable), 1);
}

#[test]
fn off_link_destinations_go_through_the_gateway() {
    let mut i = eth_iface();
    let now = Instant::from_secs(1);
    let far = Ipv4Address::new(8, 8, 8, 8);
    assert_eq!(i.route(PEER), Some(NextHop::Unicast(PEER)));
    assert_eq!(i.route(far), Some(NextHop::Unicast(GW)));
    i.receive(now, &arp_frame(ArpOperation::Request, (GW_MAC, GW), US));
    let _ = drain(&mut i, now);
    let s = i.udp_bind(SocketAddrV4::new(US.into(), 5000)).unwrap();
    i.udp_send_to(now, s, b"hi", SocketAddrV4::new(far.into(), 53))
        .unwrap();
    let out = drain(&mut i, now);
    assert_eq!(out.len(), 1);
    let f = parse(&out[0]);
    assert_eq!(f.ethernet.dst_addr, GW_MAC);
    match f.network {
        NetworkRepr::Ipv4 { ip, .. } => assert_eq!(ip.dst_addr, far),
        other => panic!("{other:?}"),
    }

    // Without a gateway there is no route: a typed error, nothing sent.
    let mut j = iface(InterfaceConfig::ethernet(US_MAC, US, MASK));
    let s = j.udp_bind(SocketAddrV4::new(US.into(), 5000)).unwrap();
    assert_eq!(
        j.udp_send_to(now, s, b"hi", SocketAddrV4::new(far.into(), 53)),
        Err(UdpSendError::NoRoute)
    );
    assert_eq!(
        j.tcp_connect(now, SocketAddrV4::new(far.into(), 80)),
        Err(IfaceConnectError::NoRoute)
    );
    assert!(drain(&mut j, now).is_empty());
}

#[test]
fn bad_configurations_are_refused() {
    use synack_host::iface::ConfigError;
    let e = || Engine::with_seed(Config::default(), 1);
    let bad_mask = InterfaceConfig::ethernet(US_MAC, US, Ipv4Address::new(255, 0, 255, 0));
    assert_eq!(
        Interface::new(bad_mask, e()).err(),
        Some(ConfigError::BadNetmask)
    );
    let far_gw =
        InterfaceConfig::ethernet(US_MAC, US, MASK).with_gateway(Ipv4Address::new(10, 0, 0, 1));
    assert_eq!(
        Interface::new(far_gw, e()).err(),
        Some(ConfigError::GatewayNotOnLink)
    );
    let mcast_mac = InterfaceConfig::ethernet(EthernetAddress([1, 0, 0, 0, 0, 1]), US, MASK);
    assert_eq!(
        Interface::new(mcast_mac, e()).err(),
        Some(ConfigError::MacNotUnicast)
    );
    let mut small = InterfaceConfig::ip(US, MASK);
    small.mtu = 1400;
    assert_eq!(
        Interface::new(small, e()).err(),
        Some(ConfigError::EngineMtuTooLarge)
    );
    let bcast = InterfaceConfig::ip(Ipv4Address::BROADCAST, MASK);
    assert_eq!(
        Interface::new(bcast, e()).err(),
        Some(ConfigError::AddressNotUnicast)
    );
}

/// Two raw-IPv4 interfaces joined back to back on a virtual clock; `fabric`
/// plays the fabric's TX checksum insertion for frames whose metadata asks.
struct Net {
    a: Interface,
    b: Interface,
    now: Instant,
    frames: Vec<Transmit>,
}

impl Net {
    fn new(caps_a: ChecksumCapabilities) -> Net {
        let a = iface(InterfaceConfig::ip(US, MASK).with_caps(caps_a));
        let b = Interface::new(
            InterfaceConfig::ip(PEER, MASK),
            Engine::with_seed(Config::default(), 10),
        )
        .unwrap();
        Net {
            a,
            b,
            now: Instant::from_secs(1),
            frames: Vec::new(),
        }
    }

    fn fabric(t: &Transmit) -> Vec<u8> {
        let mut f = t.frame.clone();
        if t.meta.fabric_ipv4_checksum || t.meta.fabric_l4_checksum {
            let l3 = usize::from(t.meta.l3_offset.unwrap());
            let mut ip = Ipv4Packet::new_unchecked(&mut f[l3..]);
            let (src, dst, proto) = (ip.src_addr(), ip.dst_addr(), ip.protocol());
            if t.meta.fabric_ipv4_checksum {
                ip.fill_checksum();
            }
            if t.meta.fabric_l4_checksum {
                let l4 = usize::from(t.meta.l4_offset.unwrap());
                match proto {
                    IpProtocol::Tcp => {
                        TcpPacket::new_unchecked(&mut f[l4..]).fill_checksum(&src, &dst)
                    }
                    IpProtocol::Udp => {
                        UdpPacket::new_unchecked(&mut f[l4..]).fill_checksum(&src, &dst)
                    }
                    _ => {}
                }
            }
        }
        f
    }

    fn run(&mut self) {
        for _ in 0..10_000 {
            let mut moved = false;
            while let Some(t) = self.a.poll_transmit(self.now) {
                let wire = Self::fabric(&t);
                self.frames.push(t);
                self.b.receive(self.now, &wire);
                moved = true;
            }
            while let Some(t) = self.b.poll_transmit(self.now) {
                self.a.receive(self.now, &t.frame);
                moved = true;
            }
            if !moved {
                return;
            }
        }
        panic!("no quiescence");
    }
}

#[test]
fn tcp_between_two_interfaces_carries_df_and_fits_the_mtu() {
    let mut n = Net::new(ChecksumCapabilities::software());
    let l = n.b.tcp_listen(80, 4).unwrap();
    let c =
        n.a.tcp_connect(n.now, SocketAddrV4::new(PEER.into(), 80))
            .unwrap();
    n.run();
    assert_eq!(n.a.engine_mut().poll_event(), Some(Event::Connected(c)));
    let (s, _) = n.b.engine_mut().accept(l).unwrap();
    let data = vec![0x5a; 20_000];
    assert_eq!(n.a.engine_mut().write(n.now, c, &data), Ok(data.len()));
    n.run();
    let mut got = vec![0; 30_000];
    let k = n.b.engine_mut().read(n.now, s, &mut got).unwrap();
    assert!(k > 0 && got[..k].iter().all(|&x| x == 0x5a));
    assert!(!n.frames.is_empty());
    for t in &n.frames {
        assert!(t.frame.len() <= 1500, "{} bytes", t.frame.len());
        let ip = Ipv4Packet::new_checked(&t.frame[..]).unwrap();
        assert!(ip.dont_frag(), "SPEC W2: DF on TCP");
        assert!(!ip.more_frags() && ip.frag_offset() == 0);
        assert!(ip.verify_checksum());
        assert!(!t.meta.fabric_ipv4_checksum && !t.meta.fabric_l4_checksum);
    }
    assert!(
        n.frames.iter().any(|t| t.frame.len() == 1500),
        "full-sized segments"
    );
    assert_eq!(n.a.stats().total_drops() + n.b.stats().total_drops(), 0);
    assert_eq!(n.b.engine().state(s), State::Established);
}

#[test]
fn tx_offload_leaves_checksums_zero_and_flags_each_frame() {
    let mut n = Net::new(ChecksumCapabilities::offloaded());
    let l = n.b.tcp_listen(80, 4).unwrap();
    let c =
        n.a.tcp_connect(n.now, SocketAddrV4::new(PEER.into(), 80))
            .unwrap();
    n.run();
    // The peer verifies in software, so the handshake completing proves the
    // fabric stand-in filled the right fields at the given offsets.
    assert_eq!(n.a.engine_mut().poll_event(), Some(Event::Connected(c)));
    assert!(n.b.engine_mut().accept(l).is_ok());
    let u = n.a.udp_bind(SocketAddrV4::new(US.into(), 7)).unwrap();
    let v = n.b.udp_bind(SocketAddrV4::new(PEER.into(), 7)).unwrap();
    n.a.udp_send_to(n.now, u, b"offloaded", SocketAddrV4::new(PEER.into(), 7))
        .unwrap();
    n.run();
    let mut buf = [0; 32];
    let r = n.b.udp_recv_from(v, &mut buf).unwrap();
    assert_eq!(&buf[..r.len], b"offloaded");
    for t in &n.frames {
        assert!(t.meta.fabric_ipv4_checksum && t.meta.fabric_l4_checksum);
        assert_eq!((t.meta.l3_offset, t.meta.l4_offset), (Some(0), Some(20)));
        let ip = Ipv4Packet::new_checked(&t.frame[..]).unwrap();
        assert_eq!(ip.checksum(), 0);
        let l4 = &t.frame[20..];
        let csum = match ip.protocol() {
            IpProtocol::Tcp => TcpPacket::new_checked(l4).unwrap().checksum(),
            IpProtocol::Udp => UdpPacket::new_checked(l4).unwrap().checksum(),
            p => panic!("{p:?}"),
        };
        assert_eq!(csum, 0);
    }
    assert_eq!(n.b.stats().drops(DropCause::BadChecksum), 0);
}

#[test]
fn ethernet_frames_from_tcp_are_addressed_after_arp() {
    let mut i = eth_iface();
    let now = Instant::from_secs(1);
    let h = i
        .tcp_connect(now, SocketAddrV4::new(Ipv4Addr::new(192, 168, 1, 20), 80))
        .unwrap();
    let out = drain(&mut i, now);
    // The SYN waits for ARP: only the request goes out.
    assert_eq!(out.len(), 1);
    assert_eq!(arp_of(&out[0]).target_protocol_addr, PEER);
    i.receive(now, &arp_frame(ArpOperation::Reply, (PEER_MAC, PEER), US));
    let out = drain(&mut i, now);
    assert_eq!(out.len(), 1);
    let f = EthernetFrame::new_checked(&out[0].frame[..]).unwrap();
    assert_eq!(f.dst_addr(), PEER_MAC);
    assert_eq!(
        (out[0].meta.l3_offset, out[0].meta.l4_offset),
        (Some(14), Some(34))
    );
    match parse(&out[0]).network {
        NetworkRepr::Ipv4 {
            ip,
            transport: TransportRepr::Tcp(t),
        } => {
            assert!(ip.dont_frag);
            assert!(t.flags.syn());
            assert_eq!(t.max_seg_size, Some(1460));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(i.engine().state(h), State::SynSent);
}

#[test]
fn minimum_size_padding_is_ignored() {
    // SPEC F1: the fabric pads short frames to 60 bytes; upper layers trust
    // their own length fields, so the padding is neither data nor an error.
    let mut i = eth_iface();
    let now = Instant::from_secs(1);
    let mut req = arp_frame(ArpOperation::Request, (PEER_MAC, PEER), US);
    assert_eq!(req.len(), 42);
    req.resize(60, 0xee);
    i.receive(now, &req);
    let out = drain(&mut i, now);
    assert_eq!(out.len(), 1);
    assert_eq!(arp_of(&out[0]).operation, ArpOperation::Reply);

    let l = i.tcp_listen(80, 4).unwrap();
    let syn = FrameRepr {
        ethernet: EthernetRepr {
            src_addr: PEER_MAC,
            dst_addr: US_MAC,
            ethertype: EtherType::Ipv4,
        },
        network: NetworkRepr::Ipv4 {
            ip: synack_host::wire::Ipv4Repr {
                src_addr: PEER,
                dst_addr: US,
                protocol: IpProtocol::Tcp,
                payload_len: 0,
                ttl: 64,
                ident: 7,
                dont_frag: true,
            },
            transport: TransportRepr::Tcp(synack_host::wire::TcpRepr {
                src_port: 40000,
                dst_port: 80,
                seq_number: 100,
                ack_number: 0,
                flags: synack_host::wire::TcpFlags::SYN,
                window_len: 8192,
                urgent_pointer: 0,
                max_seg_size: None,
                window_scale: None,
                sack_permitted: false,
                sack_ranges: [None; 4],
                timestamp: None,
                payload: &[],
            }),
        },
    };
    let mut b = vec![0; syn.buffer_len()];
    syn.emit(&mut b, &ChecksumCapabilities::software());
    assert_eq!(b.len(), 54);
    b.resize(60, 0xee);
    i.receive(now, &b);
    assert_eq!(i.stats().total_drops(), 0);
    let out = drain(&mut i, now);
    assert_eq!(out.len(), 1);
    match parse(&out[0]).network {
        NetworkRepr::Ipv4 {
            transport: TransportRepr::Tcp(t),
            ..
        } => {
            // SYN-ACK acknowledging exactly the SYN: no padding byte was taken as data.
            assert!(t.flags.syn() && t.flags.ack());
            assert_eq!(t.ack_number, 101);
            // Our own MSS option: MTU − 40 (SPEC W5, H6).
            assert_eq!(t.max_seg_size, Some(1460));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        i.engine_mut().accept(l).is_err(),
        "not before the third segment"
    );
}
