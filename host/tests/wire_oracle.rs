//! `synack_host::wire` checked against an independent implementation,
//! etherparse: frames etherparse builds must parse to the same fields here,
//! and frames emitted here must parse to the same fields there, with
//! checksums that both agree on.

use etherparse::{
    ArpEthIpv4Packet, Ethernet2Header, IpDscp, IpEcn, IpFragOffset, IpNumber, Ipv4Header,
    NetHeaders, PacketHeaders, TcpHeader, TcpOptionElement, TransportHeader, UdpHeader,
};
use proptest::prelude::*;
use synack_host::wire::{
    ArpOperation, ArpRepr, ChecksumCapabilities, EtherType, EthernetAddress, EthernetRepr,
    FrameRepr, IpProtocol, Ipv4Address, Ipv4Repr, NetworkRepr, TcpFlags, TcpRepr, TcpTimestamp,
    TransportRepr, UdpRepr,
};

const CAPS: ChecksumCapabilities = ChecksumCapabilities::software();

/// Fields of a TCP segment, generated for both directions.
#[derive(Debug, Clone)]
struct Seg {
    src_mac: [u8; 6],
    dst_mac: [u8; 6],
    src_ip: [u8; 4],
    dst_ip: [u8; 4],
    ident: u16,
    dont_frag: bool,
    ttl: u8,
    src_port: u16,
    dst_port: u16,
    seq: u32,
    ack: u32,
    flags: u8,
    window: u16,
    urgent: u16,
    mss: Option<u16>,
    wscale: Option<u8>,
    sack_perm: bool,
    ts: Option<(u32, u32)>,
    sacks: Vec<(u32, u32)>,
    payload: Vec<u8>,
}

fn seg() -> impl Strategy<Value = Seg> {
    (
        (
            any::<[u8; 6]>(),
            any::<[u8; 6]>(),
            any::<[u8; 4]>(),
            any::<[u8; 4]>(),
        ),
        (any::<u16>(), any::<bool>(), any::<u8>()),
        (
            1..=u16::MAX,
            1..=u16::MAX,
            any::<u32>(),
            any::<u32>(),
            any::<u8>(),
            any::<u16>(),
            any::<u16>(),
        ),
        (
            proptest::option::of(any::<u16>()),
            proptest::option::of(0u8..=14),
            any::<bool>(),
            proptest::option::of(any::<(u32, u32)>()),
            proptest::collection::vec(any::<(u32, u32)>(), 0..=2),
        ),
        proptest::collection::vec(any::<u8>(), 0..1460),
    )
        .prop_map(|(a, i, t, o, payload)| Seg {
            src_mac: a.0,
            dst_mac: a.1,
            src_ip: a.2,
            dst_ip: a.3,
            ident: i.0,
            dont_frag: i.1,
            ttl: i.2,
            src_port: t.0,
            dst_port: t.1,
            seq: t.2,
            ack: t.3,
            flags: t.4,
            window: t.5,
            urgent: t.6,
            mss: o.0,
            wscale: o.1,
            sack_perm: o.2,
            ts: o.3,
            sacks: o.4,
            payload,
        })
}

/// Build the frame with etherparse, options in the order given.
fn build_with_etherparse(s: &Seg) -> Vec<u8> {
    let mut tcp = TcpHeader::new(s.src_port, s.dst_port, s.seq, s.window);
    tcp.acknowledgment_number = s.ack;
    tcp.fin = s.flags & 0x01 != 0;
    tcp.syn = s.flags & 0x02 != 0;
    tcp.rst = s.flags & 0x04 != 0;
    tcp.psh = s.flags & 0x08 != 0;
    tcp.ack = s.flags & 0x10 != 0;
    tcp.urg = s.flags & 0x20 != 0;
    tcp.ece = s.flags & 0x40 != 0;
    tcp.cwr = s.flags & 0x80 != 0;
    tcp.urgent_pointer = s.urgent;
    let mut opts = Vec::new();
    if let Some(m) = s.mss {
        opts.push(TcpOptionElement::MaximumSegmentSize(m));
    }
    if let Some(w) = s.wscale {
        opts.push(TcpOptionElement::WindowScale(w));
    }
    if s.sack_perm {
        opts.push(TcpOptionElement::SelectiveAcknowledgementPermitted);
    }
    if let Some((v, e)) = s.ts {
        opts.push(TcpOptionElement::Timestamp(v, e));
    }
    if let Some((&first, rest)) = s.sacks.split_first() {
        let mut more = [None; 3];
        for (slot, r) in more.iter_mut().zip(rest) {
            *slot = Some(*r);
        }
        opts.push(TcpOptionElement::SelectiveAcknowledgement(first, more));
    }
    tcp.set_options(&opts).expect("options fit");

    let mut ip = Ipv4Header::new(
        (tcp.header_len() + s.payload.len()) as u16,
        s.ttl,
        IpNumber::TCP,
        s.src_ip,
        s.dst_ip,
    )
    .unwrap();
    ip.identification = s.ident;
    ip.dont_fragment = s.dont_frag;
    ip.header_checksum = ip.calc_header_checksum();
    tcp.checksum = tcp.calc_checksum_ipv4(&ip, &s.payload).unwrap();

    let eth = Ethernet2Header {
        source: s.src_mac,
        destination: s.dst_mac,
        ether_type: etherparse::EtherType::IPV4,
    };
    let mut out = Vec::new();
    out.extend_from_slice(&eth.to_bytes());
    out.extend_from_slice(&ip.to_bytes());
    out.extend_from_slice(&tcp.to_bytes());
    out.extend_from_slice(&s.payload);
    out
}

fn our_tcp_repr(s: &Seg) -> TcpRepr<'_> {
    let mut sack_ranges = [None; 4];
    for (slot, r) in sack_ranges.iter_mut().zip(&s.sacks) {
        *slot = Some(*r);
    }
    TcpRepr {
        src_port: s.src_port,
        dst_port: s.dst_port,
        seq_number: s.seq,
        ack_number: s.ack,
        flags: TcpFlags(s.flags),
        window_len: s.window,
        urgent_pointer: s.urgent,
        max_seg_size: s.mss,
        window_scale: s.wscale,
        sack_permitted: s.sack_perm,
        sack_ranges,
        timestamp: s.ts.map(|(tsval, tsecr)| TcpTimestamp { tsval, tsecr }),
        payload: &s.payload,
    }
}

fn our_frame(s: &Seg) -> FrameRepr<'_> {
    FrameRepr {
        ethernet: EthernetRepr {
            src_addr: EthernetAddress(s.src_mac),
            dst_addr: EthernetAddress(s.dst_mac),
            ethertype: EtherType::Ipv4,
        },
        network: NetworkRepr::Ipv4 {
            ip: Ipv4Repr {
                src_addr: Ipv4Address(s.src_ip),
                dst_addr: Ipv4Address(s.dst_ip),
                protocol: IpProtocol::Tcp,
                payload_len: 0, // derived by emit
                ttl: s.ttl,
                ident: s.ident,
                dont_frag: s.dont_frag,
            },
            transport: TransportRepr::Tcp(our_tcp_repr(s)),
        },
    }
}

/// Options whose total fits in 40 bytes under both layouts.
fn fits(s: &Seg) -> bool {
    let linux = 4 * usize::from(s.mss.is_some())
        + if s.ts.is_some() {
            12
        } else {
            4 * usize::from(s.sack_perm)
        }
        + 4 * usize::from(s.wscale.is_some())
        + if s.sacks.is_empty() {
            0
        } else {
            4 + 8 * s.sacks.len()
        };
    linux <= 40
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn etherparse_built_tcp_frames_parse_here(s in seg()) {
        prop_assume!(fits(&s));
        let bytes = build_with_etherparse(&s);
        let frame = FrameRepr::parse(&bytes, &CAPS).expect("valid frame");
        prop_assert_eq!(frame.ethernet.src_addr, EthernetAddress(s.src_mac));
        prop_assert_eq!(frame.ethernet.dst_addr, EthernetAddress(s.dst_mac));
        let NetworkRepr::Ipv4 { ip, transport: TransportRepr::Tcp(tcp) } = frame.network else {
            panic!("not TCP/IPv4: {frame:?}");
        };
        prop_assert_eq!(ip.src_addr, Ipv4Address(s.src_ip));
        prop_assert_eq!(ip.dst_addr, Ipv4Address(s.dst_ip));
        prop_assert_eq!(ip.ident, s.ident);
        prop_assert_eq!(ip.dont_frag, s.dont_frag);
        prop_assert_eq!(ip.ttl, s.ttl);
        prop_assert_eq!(tcp, our_tcp_repr(&s));
    }

    #[test]
    fn tcp_frames_emitted_here_parse_in_etherparse(s in seg()) {
        prop_assume!(fits(&s));
        let repr = our_frame(&s);
        let mut bytes = vec![0u8; repr.buffer_len()];
        prop_assert_eq!(repr.emit(&mut bytes, &CAPS), bytes.len());
        let h = PacketHeaders::from_ethernet_slice(&bytes).expect("etherparse accepts");
        let eth = h.link.clone().unwrap().ethernet2().unwrap();
        prop_assert_eq!(eth.source, s.src_mac);
        prop_assert_eq!(eth.destination, s.dst_mac);
        let Some(NetHeaders::Ipv4(ip, _)) = &h.net else { panic!("no IPv4") };
        prop_assert_eq!(ip.source, s.src_ip);
        prop_assert_eq!(ip.destination, s.dst_ip);
        prop_assert_eq!(ip.identification, s.ident);
        prop_assert_eq!(ip.dont_fragment, s.dont_frag);
        prop_assert!(!ip.more_fragments);
        prop_assert_eq!(ip.time_to_live, s.ttl);
        prop_assert_eq!(ip.header_checksum, ip.calc_header_checksum());
        let Some(TransportHeader::Tcp(tcp)) = &h.transport else { panic!("no TCP") };
        prop_assert_eq!(tcp.source_port, s.src_port);
        prop_assert_eq!(tcp.destination_port, s.dst_port);
        prop_assert_eq!(tcp.sequence_number, s.seq);
        prop_assert_eq!(tcp.acknowledgment_number, s.ack);
        prop_assert_eq!(tcp.window_size, s.window);
        prop_assert_eq!(tcp.urgent_pointer, s.urgent);
        let flags = [tcp.fin, tcp.syn, tcp.rst, tcp.psh, tcp.ack, tcp.urg, tcp.ece, tcp.cwr];
        for (bit, set) in flags.iter().enumerate() {
            prop_assert_eq!(*set, s.flags & (1 << bit) != 0, "flag bit {}", bit);
        }
        prop_assert_eq!(h.payload.slice(), &s.payload[..]);
        prop_assert_eq!(tcp.checksum, tcp.calc_checksum_ipv4(ip, &s.payload).unwrap());

        let mut mss = None;
        let mut wscale = None;
        let mut sack_perm = false;
        let mut ts = None;
        let mut sacks = Vec::new();
        for o in tcp.options_iterator() {
            match o.expect("etherparse reads our options") {
                TcpOptionElement::Noop => {}
                TcpOptionElement::MaximumSegmentSize(m) => mss = Some(m),
                TcpOptionElement::WindowScale(w) => wscale = Some(w),
                TcpOptionElement::SelectiveAcknowledgementPermitted => sack_perm = true,
                TcpOptionElement::Timestamp(v, e) => ts = Some((v, e)),
                TcpOptionElement::SelectiveAcknowledgement(first, rest) => {
                    sacks.push(first);
                    sacks.extend(rest.iter().flatten());
                }
            }
        }
        prop_assert_eq!(mss, s.mss);
        prop_assert_eq!(wscale, s.wscale);
        prop_assert_eq!(sack_perm, s.sack_perm);
        prop_assert_eq!(ts, s.ts);
        prop_assert_eq!(sacks, s.sacks.clone());
    }

    #[test]
    fn udp_both_directions(
        src_ip in any::<[u8; 4]>(), dst_ip in any::<[u8; 4]>(),
        sp in any::<u16>(), dp in 1..=u16::MAX,
        payload in proptest::collection::vec(any::<u8>(), 0..1472),
    ) {
        // etherparse → here.
        let udp = UdpHeader::with_ipv4_checksum(
            sp, dp,
            &Ipv4Header::new((8 + payload.len()) as u16, 64, IpNumber::UDP, src_ip, dst_ip).unwrap(),
            &payload,
        ).unwrap();
        let mut bytes = udp.to_bytes().to_vec();
        bytes.extend_from_slice(&payload);
        let (src, dst) = (Ipv4Address(src_ip), Ipv4Address(dst_ip));
        let p = synack_host::wire::UdpPacket::new_checked(&bytes[..]).unwrap();
        let r = UdpRepr::parse(&p, &src, &dst, &CAPS).unwrap();
        prop_assert_eq!(r, UdpRepr { src_port: sp, dst_port: dp, payload: &payload });

        // here → etherparse: same bytes, checksum included.
        let mut ours = vec![0u8; r.buffer_len()];
        r.emit(&mut synack_host::wire::UdpPacket::new_unchecked(&mut ours[..]), &src, &dst, &CAPS);
        prop_assert_eq!(&ours, &bytes);
        let (theirs, rest) = UdpHeader::from_slice(&ours).unwrap();
        prop_assert_eq!(theirs.length as usize, ours.len());
        prop_assert_eq!(rest, &payload[..]);
    }

    #[test]
    fn arp_both_directions(
        op in prop_oneof![Just(1u16), Just(2u16)],
        sha in any::<[u8; 6]>(), spa in any::<[u8; 4]>(),
        tha in any::<[u8; 6]>(), tpa in any::<[u8; 4]>(),
    ) {
        let theirs = ArpEthIpv4Packet {
            operation: etherparse::ArpOperation(op),
            sender_mac: sha,
            sender_ipv4: spa,
            target_mac: tha,
            target_ipv4: tpa,
        };
        let bytes = theirs.to_bytes();
        let p = synack_host::wire::ArpPacket::new_checked(&bytes[..]).unwrap();
        let ours = ArpRepr::parse(&p).unwrap();
        prop_assert_eq!(ours, ArpRepr {
            operation: ArpOperation::from(op),
            source_hardware_addr: EthernetAddress(sha),
            source_protocol_addr: Ipv4Address(spa),
            target_hardware_addr: EthernetAddress(tha),
            target_protocol_addr: Ipv4Address(tpa),
        });
        let mut out = [0u8; 28];
        ours.emit(&mut synack_host::wire::ArpPacket::new_unchecked(&mut out[..]));
        prop_assert_eq!(out, bytes);
        let back = etherparse::ArpPacket::from_slice(&out).unwrap().try_eth_ipv4().unwrap();
        prop_assert_eq!(back, theirs);
    }

    #[test]
    fn ipv4_options_dscp_and_fragments_from_etherparse(
        words in 0usize..=10,
        dscp in 0u8..64, ecn in 0u8..4,
        more_frags in any::<bool>(), frag in 0u16..8192,
        payload in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut ip = Ipv4Header::new(payload.len() as u16, 64, IpNumber(253), [1, 2, 3, 4], [5, 6, 7, 8]).unwrap();
        ip.options = etherparse::Ipv4Options::try_from(&vec![1u8; 4 * words][..]).unwrap(); // NOPs
        ip.set_payload_len(payload.len()).unwrap(); // total length now counts the options
        ip.dscp = IpDscp::try_new(dscp).unwrap();
        ip.ecn = IpEcn::try_new(ecn).unwrap();
        ip.more_fragments = more_frags;
        ip.fragment_offset = IpFragOffset::try_new(frag).unwrap();
        ip.header_checksum = ip.calc_header_checksum();
        let mut bytes = ip.to_bytes().to_vec();
        bytes.extend_from_slice(&payload);
        let p = synack_host::wire::Ipv4Packet::new_checked(&bytes[..]).unwrap();
        prop_assert_eq!(usize::from(p.header_len()), 20 + 4 * words);
        prop_assert_eq!(p.dscp(), dscp);
        prop_assert_eq!(p.ecn(), ecn);
        prop_assert_eq!(p.frag_offset(), frag * 8);
        prop_assert!(p.verify_checksum());
        prop_assert_eq!(p.payload(), &payload[..]);
        let parsed = Ipv4Repr::parse(&p, &CAPS);
        if more_frags || frag != 0 {
            prop_assert_eq!(parsed, Err(synack_host::wire::Error::Fragmented));
        } else {
            let r = parsed.unwrap();
            prop_assert_eq!(r.payload_len, payload.len());
            prop_assert_eq!(r.protocol, IpProtocol::Unknown(253));
        }
    }
}
