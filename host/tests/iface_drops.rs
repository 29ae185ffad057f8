//! Bad input is dropped and counted by cause, never panics (SPEC preamble).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use synack_host::iface::{DropCause, HwChecksum, Interface, InterfaceConfig};
use synack_host::tcp::{Config, Engine, State};
use synack_host::time::Instant;
use synack_host::wire::{
    ChecksumCapabilities, EtherType, EthernetAddress, EthernetRepr, FrameRepr, IpProtocol,
    Ipv4Address, Ipv4Repr, NetworkRepr, TcpFlags, TcpRepr, TransportRepr, UdpRepr,
};

const MASK: Ipv4Address = Ipv4Address::new(255, 255, 255, 0);
const US: Ipv4Address = Ipv4Address::new(10, 1, 0, 1);
const PEER: Ipv4Address = Ipv4Address::new(10, 1, 0, 2);
const US_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 1, 1]);
const PEER_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 1, 2]);

fn eth(caps: ChecksumCapabilities) -> Interface {
    Interface::new(
        InterfaceConfig::ethernet(US_MAC, US, MASK).with_caps(caps),
        Engine::with_seed(Config::default(), 3),
    )
    .unwrap()
}

fn tcp_syn() -> TcpRepr<'static> {
    TcpRepr {
        src_port: 40000,
        dst_port: 80,
        seq_number: 1,
        ack_number: 0,
        flags: TcpFlags::SYN,
        window_len: 1000,
        urgent_pointer: 0,
        max_seg_size: Some(1460),
        window_scale: None,
        sack_permitted: false,
        sack_ranges: [None; 4],
        timestamp: None,
        payload: &[],
    }
}

fn frame(dst_ip: Ipv4Address, transport: TransportRepr<'_>) -> Vec<u8> {
    let f = FrameRepr {
        ethernet: EthernetRepr {
            src_addr: PEER_MAC,
            dst_addr: US_MAC,
            ethertype: EtherType::Ipv4,
        },
        network: NetworkRepr::Ipv4 {
            ip: Ipv4Repr {
                src_addr: PEER,
                dst_addr: dst_ip,
                protocol: IpProtocol::Tcp,
                payload_len: 0,
                ttl: 64,
                ident: 1,
                dont_frag: true,
            },
            transport,
        },
    };
    let mut b = vec![0; f.buffer_len()];
    f.emit(&mut b, &ChecksumCapabilities::software());
    b
}

fn only_drop(i: &Interface, cause: DropCause) {
    for c in DropCause::ALL {
        let want = u64::from(c == cause);
        assert_eq!(i.stats().drops(c), want, "{c} (expected one {cause})");
    }
}

fn check(bytes: &[u8], cause: DropCause) {
    let mut i = eth(ChecksumCapabilities::software());
    i.receive(Instant::from_secs(1), bytes);
    only_drop(&i, cause);
    assert!(
        i.poll_transmit(Instant::from_secs(1)).is_none(),
        "{cause}: nothing is answered"
    );
}

#[test]
fn a_valid_syn_reaches_the_engine_and_is_answered() {
    let mut i = eth(ChecksumCapabilities::software());
    let now = Instant::from_secs(1);
    // No listener: the engine answers RST; the frame waits for ARP.
    i.receive(now, &frame(US, TransportRepr::Tcp(tcp_syn())));
    assert_eq!(i.stats().total_drops(), 0);
    assert_eq!(i.stats().rx_tcp_segments, 1);
    // SPEC H8: the segment waits in the bounded backlog until processed.
    assert_eq!(i.engine().backlog_len(), 1);
    assert_eq!(i.engine().stats().segments_in, 0);
    i.process_backlog(now);
    assert_eq!(i.engine().backlog_len(), 0);
    assert_eq!(i.engine().stats().segments_in, 1);
}

#[test]
fn received_segments_beyond_netdev_max_backlog_are_dropped_and_counted() {
    // SPEC H8: the receive path from the NIC is a bounded queue.
    let mut i = eth(ChecksumCapabilities::software());
    i.engine_mut().config_mut().netdev_max_backlog = 3;
    let now = Instant::from_secs(1);
    for _ in 0..5 {
        i.receive(now, &frame(US, TransportRepr::Tcp(tcp_syn())));
    }
    assert_eq!(i.engine().backlog_len(), 3);
    assert_eq!(i.engine().stats().rx_backlog_drops, 2);
    // The next transmit poll handles what waits: three SYNs, three RSTs
    // (queued behind ARP resolution of the sender).
    let _ = i.poll_transmit(now);
    assert_eq!(i.engine().backlog_len(), 0);
    assert_eq!(i.engine().stats().segments_in, 3);
    assert_eq!(i.engine().stats().resets_sent, 3);
}

#[test]
fn each_bad_frame_is_counted_under_its_cause() {
    let good = frame(US, TransportRepr::Tcp(tcp_syn()));

    check(&good[..10], DropCause::Truncated);
    check(&good[..14 + 30], DropCause::Truncated);

    let mut bad_ip_csum = good.clone();
    bad_ip_csum[14 + 10] ^= 0xff;
    check(&bad_ip_csum, DropCause::BadChecksum);

    let mut bad_tcp_csum = good.clone();
    let last = bad_tcp_csum.len() - 1;
    bad_tcp_csum[last] ^= 0x01; // last option byte (MSS low byte)
    check(&bad_tcp_csum, DropCause::BadChecksum);

    let mut version6 = good.clone();
    version6[14] = 0x65;
    check(&version6, DropCause::Malformed);

    let mut wrong_mac = good.clone();
    wrong_mac[5] = 0x99;
    check(&wrong_mac, DropCause::NotForUs);

    check(
        &frame(Ipv4Address::new(10, 1, 0, 9), TransportRepr::Tcp(tcp_syn())),
        DropCause::NotForUs,
    );
    // RFC 1122 §4.2.3.10: TCP to a broadcast address is discarded.
    check(
        &frame(
            Ipv4Address::new(10, 1, 0, 255),
            TransportRepr::Tcp(tcp_syn()),
        ),
        DropCause::NotForUs,
    );

    let mut ipv6 = good.clone();
    ipv6[12..14].copy_from_slice(&[0x86, 0xdd]);
    check(&ipv6, DropCause::Unsupported);

    // An IP protocol this stack does not speak (99: "any private encryption scheme").
    let mut other = frame(US, TransportRepr::Other(&[0; 8]));
    other[14 + 9] = 99;
    let mut p = synack_host::wire::Ipv4Packet::new_unchecked(&mut other[14..]);
    p.fill_checksum();
    check(&other, DropCause::UnsupportedProtocol);

    // ICMP: an echo request whose checksum does not verify, and one cut short.
    let icmp = |message: &[u8]| {
        let mut b = frame(US, TransportRepr::Other(message));
        b[14 + 9] = 1;
        let mut p = synack_host::wire::Ipv4Packet::new_unchecked(&mut b[14..]);
        p.fill_checksum();
        b
    };
    check(
        &icmp(&[8, 0, 0xf7, 0xfe, 0, 0, 0, 0]),
        DropCause::BadChecksum,
    );
    check(&icmp(&[8, 0, 0xf7, 0xff, 0, 0, 0]), DropCause::Truncated);

    // A fragment is taken into reassembly (host/tests/iface_reassembly.rs);
    // an empty one is refused and counted.
    let mut fragment = good.clone();
    fragment[14 + 6] = 0x20; // MF
    fragment[14 + 2..14 + 4].copy_from_slice(&20u16.to_be_bytes());
    let mut p = synack_host::wire::Ipv4Packet::new_unchecked(&mut fragment[14..]);
    p.fill_checksum();
    check(&fragment, DropCause::Fragmented);

    let mut bad_option = tcp_syn();
    bad_option.max_seg_size = None;
    let mut b = frame(
        US,
        TransportRepr::Tcp(TcpRepr {
            payload: &[],
            ..bad_option
        }),
    );
    // Data offset 6 with an option of length 1: rebuild checksum-consistently.
    let tcp_at = 14 + 20;
    b.extend_from_slice(&[2, 1, 0, 0]);
    b[tcp_at + 12] = 6 << 4;
    let total = (b.len() - 14) as u16;
    b[14 + 2..14 + 4].copy_from_slice(&total.to_be_bytes());
    let mut p = synack_host::wire::Ipv4Packet::new_unchecked(&mut b[14..]);
    p.fill_checksum();
    let mut t = synack_host::wire::TcpPacket::new_unchecked(&mut b[tcp_at..]);
    t.fill_checksum(&PEER, &US);
    check(&b, DropCause::BadOption);

    let mut martian = frame(US, TransportRepr::Tcp(tcp_syn()));
    martian[14 + 12..14 + 16].copy_from_slice(&[224, 0, 0, 1]);
    check(&martian, DropCause::BadChecksum); // checksum first, then the source
    let mut i = eth(ChecksumCapabilities::offloaded());
    i.receive(Instant::from_secs(1), &martian);
    only_drop(&i, DropCause::MartianSource);

    let udp = UdpRepr {
        src_port: 1,
        dst_port: 9,
        payload: b"nobody",
    };
    // Counted as a drop, and answered with port unreachable (which waits
    // for the peer's address: an ARP request leaves).
    let mut i = eth(ChecksumCapabilities::software());
    let now = Instant::from_secs(1);
    i.receive(now, &frame(US, TransportRepr::Udp(udp)));
    only_drop(&i, DropCause::NoUdpSocket);
    assert_eq!(i.stats().icmp_unreachables_sent, 1);
    let t = i.poll_transmit(now).expect("an ARP request for the peer");
    assert_eq!(&t.frame[12..14], &[0x08, 0x06]);
    assert_eq!(i.arp_queue_len(), 1);
}

#[test]
fn fabric_verified_checksums_are_not_rechecked() {
    let mut bad = frame(US, TransportRepr::Tcp(tcp_syn()));
    bad[14 + 10] ^= 0xff;
    let last = bad.len() - 1;
    bad[last] ^= 0x01;
    let mut i = eth(ChecksumCapabilities::offloaded());
    i.receive(Instant::from_secs(1), &bad);
    // SPEC F3: the fabric verified (and would have dropped) it; software trusts that.
    assert_eq!(i.stats().total_drops(), 0);
    assert_eq!(i.stats().rx_tcp_segments, 1);
}

#[test]
fn random_and_mutated_input_never_panics_and_is_always_accounted() {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let good = frame(US, TransportRepr::Tcp(tcp_syn()));
    for caps in [
        ChecksumCapabilities::software(),
        ChecksumCapabilities::offloaded(),
    ] {
        for medium_ip in [false, true] {
            let mut i = if medium_ip {
                Interface::new(
                    InterfaceConfig::ip(US, MASK).with_caps(caps),
                    Engine::with_seed(Config::default(), 3),
                )
                .unwrap()
            } else {
                eth(caps)
            };
            let mut now = Instant::from_secs(1);
            let n = 20_000;
            for k in 0..n {
                let bytes: Vec<u8> = if k % 2 == 0 {
                    let len = rng.random_range(0..200);
                    (0..len).map(|_| rng.random()).collect()
                } else {
                    let mut b = if medium_ip {
                        good[14..].to_vec()
                    } else {
                        good.clone()
                    };
                    for _ in 0..rng.random_range(1..4) {
                        let at = rng.random_range(0..b.len());
                        b[at] = rng.random();
                    }
                    if rng.random_bool(0.25) {
                        b.truncate(rng.random_range(0..=b.len()));
                    }
                    b
                };
                i.receive(now, &bytes);
                while i.poll_transmit(now).is_some() {}
                if i.poll_timeout().is_some_and(|t| t <= now) {
                    i.handle_timeout(now);
                }
                now += core::time::Duration::from_millis(1);
            }
            let s = i.stats();
            assert_eq!(s.rx_frames, n);
            // Every frame was either dropped with a cause or consumed, once.
            assert_eq!(
                s.rx_drops() + s.rx_consumed(),
                n + s.rx_reassembled,
                "{s:?}"
            );
            assert!(s.rx_drops() > n / 2, "most garbage is dropped: {s:?}");
            if caps == ChecksumCapabilities::offloaded() {
                // Without software checksums, mutated headers still reach the engine.
                assert!(s.rx_tcp_segments > 0, "some mutants still parse: {s:?}");
            }
        }
    }
}

#[test]
fn per_frame_fabric_verdicts_drop_bad_trust_good_and_check_the_unchecked() {
    let good = frame(US, TransportRepr::Tcp(tcp_syn()));
    let mut corrupt = good.clone();
    let last = corrupt.len() - 1;
    corrupt[last] ^= 0x01;
    // Software would verify on receive (the stack's caps): `Rx` for all three.
    let caps = ChecksumCapabilities {
        ipv4: synack_host::wire::Checksum::Rx,
        tcp: synack_host::wire::Checksum::Rx,
        udp: synack_host::wire::Checksum::Rx,
    };
    let hw = |ipv4, l4| HwChecksum { ipv4, l4 };
    let cases = [
        // (frame, fabric verdicts, dropped as bad checksum)
        (&good, hw(Some(true), Some(true)), false),
        (&corrupt, hw(Some(true), Some(true)), false), // the fabric's word is taken
        (&good, hw(Some(true), Some(false)), true),    // the fabric found it bad
        (&good, hw(Some(false), None), true),
        (&corrupt, hw(Some(true), None), true), // L4 unchecked: software checks it
        (&corrupt, HwChecksum::NONE, true),
        (&good, HwChecksum::NONE, false),
    ];
    for (k, (bytes, verdict, dropped)) in cases.into_iter().enumerate() {
        let mut i = eth(caps);
        i.receive_offloaded(Instant::from_secs(1), bytes, verdict);
        assert_eq!(
            i.stats().drops(DropCause::BadChecksum),
            u64::from(dropped),
            "case {k}"
        );
        assert_eq!(i.stats().rx_tcp_segments, u64::from(!dropped), "case {k}");
    }
}

/// `frame` with IPv4 `options` (a multiple of 4 bytes) inserted after the
/// 20-byte header: IHL, total length and header checksum are fixed up, the
/// TCP segment (and its checksum) stays as it was.
fn with_ip_options(frame: &[u8], options: &[u8]) -> Vec<u8> {
    assert_eq!(options.len() % 4, 0);
    let ip = 14;
    let mut b = frame[..ip + 20].to_vec();
    b.extend_from_slice(options);
    b.extend_from_slice(&frame[ip + 20..]);
    b[ip] = 0x40 | ((20 + options.len()) / 4) as u8;
    let total = u16::from_be_bytes([b[ip + 2], b[ip + 3]]) + options.len() as u16;
    b[ip + 2..ip + 4].copy_from_slice(&total.to_be_bytes());
    b[ip + 10..ip + 12].copy_from_slice(&[0, 0]);
    let mut p = synack_host::wire::Ipv4Packet::new_unchecked(&mut b[ip..]);
    p.fill_checksum();
    b
}

#[test]
fn a_syn_with_malformed_ip_options_opens_nothing_and_is_counted() {
    // SPEC preamble, W2: Linux `ip_options_compile` refuses these before TCP sees them.
    let now = Instant::from_secs(1);
    let syn = frame(US, TransportRepr::Tcp(tcp_syn()));
    for (options, cause) in [
        (&[30u8, 0, 0, 0][..], DropCause::BadIpOption), // option length 0
        (&[30, 9, 0, 0][..], DropCause::BadIpOption),   // runs past the header
        (&[7, 3, 3, 0][..], DropCause::BadIpOption),    // record route pointer < 4
        (&[131, 3, 4, 0][..], DropCause::SourceRouted), // loose source route
    ] {
        let mut i = eth(ChecksumCapabilities::software());
        i.tcp_listen(80, 16).unwrap();
        i.receive(now, &with_ip_options(&syn, options));
        only_drop(&i, cause);
        let _ = i.poll_transmit(now);
        assert_eq!(i.engine().stats().segments_in, 0, "{options:?}");
        let half_open = i
            .engine()
            .sockets(now)
            .iter()
            .filter(|s| s.state == State::SynReceived)
            .count();
        assert_eq!(half_open, 0, "{options:?}");
    }
    // Well-formed options (a router alert, padding) are no reason to drop.
    let mut i = eth(ChecksumCapabilities::software());
    i.tcp_listen(80, 16).unwrap();
    i.receive(now, &with_ip_options(&syn, &[148, 4, 0, 0, 1, 1, 1, 0]));
    assert_eq!(i.stats().total_drops(), 0);
    let _ = i.poll_transmit(now);
    assert_eq!(i.engine().stats().segments_in, 1);
}

#[test]
fn a_syn_from_a_source_with_no_route_back_opens_nothing() {
    // Linux frees the request when the SYN-ACK cannot be routed: a spoofed
    // off-link source with no gateway leaves no SYN-queue record.
    let far = Ipv4Address::new(198, 51, 100, 7);
    let mut from_far = frame(US, TransportRepr::Tcp(tcp_syn()));
    from_far[14 + 12..14 + 16].copy_from_slice(&far.0);
    let mut p = synack_host::wire::Ipv4Packet::new_unchecked(&mut from_far[14..]);
    p.fill_checksum();
    let mut t = synack_host::wire::TcpPacket::new_unchecked(&mut from_far[14 + 20..]);
    t.fill_checksum(&far, &US);
    let now = Instant::from_secs(1);
    for gateway in [None, Some(Ipv4Address::new(10, 1, 0, 254))] {
        let mut cfg = InterfaceConfig::ethernet(US_MAC, US, MASK);
        cfg.gateway = gateway;
        let mut i = Interface::new(cfg, Engine::with_seed(Config::default(), 3)).unwrap();
        i.tcp_listen(80, 16).unwrap();
        i.receive(now, &from_far);
        i.process_backlog(now);
        match gateway {
            None => {
                only_drop(&i, DropCause::UnroutableSource);
                assert_eq!(i.engine().footprint().syn_queue, 0);
            }
            Some(_) => {
                assert_eq!(i.stats().total_drops(), 0);
                assert_eq!(i.engine().footprint().syn_queue, 1);
            }
        }
    }
}
