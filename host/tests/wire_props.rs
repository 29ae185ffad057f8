//! Property tests for `synack_host::wire`: no byte sequence panics a parser,
//! corruption is caught, and emit → parse returns what was emitted.

use proptest::prelude::*;
use synack_host::wire::{
    ArpOperation, ArpPacket, ArpRepr, ChecksumCapabilities, EtherType, EthernetAddress,
    EthernetFrame, EthernetRepr, FrameRepr, IpProtocol, Ipv4Address, Ipv4Packet, Ipv4Repr,
    NetworkRepr, TcpFlags, TcpOption, TcpPacket, TcpRepr, TcpTimestamp, TransportRepr, UdpPacket,
    UdpRepr, checksum,
};

const SOFTWARE: ChecksumCapabilities = ChecksumCapabilities::software();
const OFFLOADED: ChecksumCapabilities = ChecksumCapabilities::offloaded();

/// Run every parser over `bytes`, at every layer boundary a frame could
/// have. Returns how many reprs parsed, so the work is not optimised away.
fn parse_everything(bytes: &[u8]) -> usize {
    let src = Ipv4Address::new(10, 0, 0, 1);
    let dst = Ipv4Address::new(10, 0, 0, 2);
    let mut ok = 0;
    for caps in [SOFTWARE, OFFLOADED] {
        ok += usize::from(FrameRepr::parse(bytes, &caps).is_ok());
        if let Ok(f) = EthernetFrame::new_checked(bytes) {
            ok += usize::from(EthernetRepr::parse(&f).is_ok());
            let _ = f.payload();
        }
        if let Ok(p) = ArpPacket::new_checked(bytes) {
            ok += usize::from(ArpRepr::parse(&p).is_ok());
            let _ = (p.source_hardware_addr(), p.target_protocol_addr());
        }
        if let Ok(p) = Ipv4Packet::new_checked(bytes) {
            ok += usize::from(Ipv4Repr::parse(&p, &caps).is_ok());
            let _ = (p.options(), p.payload(), p.verify_checksum());
        }
        if let Ok(p) = UdpPacket::new_checked(bytes) {
            ok += usize::from(UdpRepr::parse(&p, &src, &dst, &caps).is_ok());
        }
        if let Ok(p) = TcpPacket::new_checked(bytes) {
            ok += usize::from(TcpRepr::parse(&p, &src, &dst, &caps).is_ok());
            let _ = (p.options(), p.payload());
        }
    }
    let mut rest = bytes;
    while let Ok((r, _)) = TcpOption::parse(rest) {
        if r.len() == rest.len() {
            break;
        }
        rest = r;
    }
    ok
}

fn mac() -> impl Strategy<Value = EthernetAddress> {
    any::<[u8; 6]>().prop_map(EthernetAddress)
}

fn ip() -> impl Strategy<Value = Ipv4Address> {
    any::<[u8; 4]>().prop_map(Ipv4Address)
}

/// Owned fields of a TCP segment; `repr()` borrows the payload.
#[derive(Debug, Clone)]
struct TcpSpec {
    header: (u16, u16, u32, u32, u8, u16, u16),
    mss: Option<u16>,
    wscale: Option<u8>,
    sack_perm: bool,
    ts: Option<(u32, u32)>,
    sacks: Vec<(u32, u32)>,
    payload: Vec<u8>,
}

impl TcpSpec {
    fn repr(&self) -> TcpRepr<'_> {
        let h = self.header;
        let mut sack_ranges = [None; 4];
        for (slot, r) in sack_ranges.iter_mut().zip(&self.sacks) {
            *slot = Some(*r);
        }
        TcpRepr {
            src_port: h.0,
            dst_port: h.1,
            seq_number: h.2,
            ack_number: h.3,
            flags: TcpFlags(h.4),
            window_len: h.5,
            urgent_pointer: h.6,
            max_seg_size: self.mss,
            window_scale: self.wscale,
            sack_permitted: self.sack_perm,
            sack_ranges,
            timestamp: self.ts.map(|(tsval, tsecr)| TcpTimestamp { tsval, tsecr }),
            payload: &self.payload,
        }
    }
}

fn tcp_spec() -> impl Strategy<Value = TcpSpec> {
    (
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
            proptest::option::of(any::<u8>()),
            any::<bool>(),
            proptest::option::of(any::<(u32, u32)>()),
            proptest::collection::vec(any::<(u32, u32)>(), 0..=4),
        ),
        proptest::collection::vec(any::<u8>(), 0..300),
    )
        .prop_map(|(header, o, payload)| TcpSpec {
            header,
            mss: o.0,
            wscale: o.1,
            sack_perm: o.2,
            ts: o.3,
            sacks: o.4,
            payload,
        })
}

/// A valid TCP/IPv4 frame with software checksums, from random fields.
fn tcp_frame() -> impl Strategy<Value = Vec<u8>> {
    (tcp_spec(), mac(), mac(), ip(), ip(), any::<u16>()).prop_map(|(tcp, m1, m2, a1, a2, id)| {
        let f = FrameRepr {
            ethernet: EthernetRepr {
                src_addr: m1,
                dst_addr: m2,
                ethertype: EtherType::Ipv4,
            },
            network: NetworkRepr::Ipv4 {
                ip: Ipv4Repr {
                    src_addr: a1,
                    dst_addr: a2,
                    protocol: IpProtocol::Tcp,
                    payload_len: 0,
                    ttl: 64,
                    ident: id,
                    dont_frag: true,
                },
                transport: TransportRepr::Tcp(tcp.repr()),
            },
        };
        let mut b = vec![0u8; f.buffer_len()];
        f.emit(&mut b, &SOFTWARE);
        b
    })
}

/// The repr `emit` actually sends: like Linux, only the SACK blocks that fit
/// in the 40 option bytes after the other options.
fn as_sent(mut r: TcpRepr<'_>) -> TcpRepr<'_> {
    let mut without_sacks = r;
    without_sacks.sack_ranges = [None; 4];
    let fit = (40 - without_sacks.options_len()).saturating_sub(4) / 8;
    for slot in r.sack_ranges.iter_mut().skip(fit) {
        *slot = None;
    }
    r
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1600)) {
        parse_everything(&bytes);
    }

    #[test]
    fn random_bytes_behind_valid_headers_never_panic(
        ethertype in prop_oneof![Just(0x0800u16), Just(0x0806u16)],
        ver_ihl in 0x40u8..0x50, proto in prop_oneof![Just(6u8), Just(17u8)],
        total in any::<u16>(),
        tail in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        // Push random bytes deep: a plausible Ethernet and IPv4 header first.
        let mut b = vec![0u8; 14];
        b[12..14].copy_from_slice(&ethertype.to_be_bytes());
        let mut ip = [0u8; 20];
        ip[0] = ver_ihl;
        ip[2..4].copy_from_slice(&total.to_be_bytes());
        ip[9] = proto;
        let sum = checksum::data(&ip);
        ip[10..12].copy_from_slice(&(!sum).to_be_bytes());
        b.extend_from_slice(&ip);
        b.extend_from_slice(&tail);
        parse_everything(&b);
        parse_everything(&b[14..]);
        parse_everything(&b[34..]);
    }

    #[test]
    fn mutated_frames_never_panic(
        frame in tcp_frame(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut b = frame;
        for (at, v) in edits {
            let i = at.index(b.len());
            b[i] = v;
        }
        parse_everything(&b);
        let end = cut.index(b.len() + 1);
        parse_everything(&b[..end]);
    }

    #[test]
    fn any_bit_flip_after_ethernet_is_caught(frame in tcp_frame(), bit in any::<prop::sample::Index>()) {
        prop_assert!(FrameRepr::parse(&frame, &SOFTWARE).is_ok());
        let mut b = frame;
        let i = 14 * 8 + bit.index((b.len() - 14) * 8);
        b[i / 8] ^= 1 << (i % 8);
        // The IP header checksum or the TCP checksum (RFC 1071: a single bit
        // error always changes the ones'-complement sum) rejects it, unless an
        // earlier check does.
        prop_assert!(FrameRepr::parse(&b, &SOFTWARE).is_err(), "flip at bit {}", i);
    }

    #[test]
    fn tcp_emit_parse_round_trip(spec in tcp_spec()) {
        let src = Ipv4Address::new(192, 168, 0, 1);
        let dst = Ipv4Address::new(192, 168, 0, 2);
        let repr = spec.repr();
        for caps in [SOFTWARE, OFFLOADED] {
            let mut b = vec![0u8; repr.buffer_len()];
            repr.emit(&mut TcpPacket::new_unchecked(&mut b[..]), &src, &dst, &caps);
            prop_assert!(repr.options_len() <= 40 && repr.options_len() % 4 == 0);
            let p = TcpPacket::new_checked(&b[..]).unwrap();
            let parsed = TcpRepr::parse(&p, &src, &dst, &caps).unwrap();
            prop_assert_eq!(parsed, as_sent(repr));
        }
    }

    #[test]
    fn udp_arp_ipv4_round_trip(
        sp in any::<u16>(), dp in 1..=u16::MAX,
        payload in proptest::collection::vec(any::<u8>(), 0..300),
        src in ip(), dst in ip(), ttl in any::<u8>(), ident in any::<u16>(), df in any::<bool>(),
        op in prop_oneof![Just(ArpOperation::Request), Just(ArpOperation::Reply)],
        m1 in mac(), m2 in mac(),
    ) {
        for caps in [SOFTWARE, OFFLOADED] {
            let udp = UdpRepr { src_port: sp, dst_port: dp, payload: &payload };
            let frame = FrameRepr {
                ethernet: EthernetRepr { src_addr: m1, dst_addr: m2, ethertype: EtherType::Ipv4 },
                network: NetworkRepr::Ipv4 {
                    ip: Ipv4Repr {
                        src_addr: src, dst_addr: dst, protocol: IpProtocol::Udp,
                        payload_len: udp.buffer_len(), ttl, ident, dont_frag: df,
                    },
                    transport: TransportRepr::Udp(udp),
                },
            };
            let mut b = vec![0u8; frame.buffer_len()];
            frame.emit(&mut b, &caps);
            prop_assert_eq!(FrameRepr::parse(&b, &caps), Ok(frame));

            let arp = ArpRepr {
                operation: op,
                source_hardware_addr: m1,
                source_protocol_addr: src,
                target_hardware_addr: m2,
                target_protocol_addr: dst,
            };
            let frame = FrameRepr {
                ethernet: EthernetRepr { src_addr: m1, dst_addr: m2, ethertype: EtherType::Arp },
                network: NetworkRepr::Arp(arp),
            };
            let mut b = vec![0u8; frame.buffer_len() + 18]; // padded to 60 as on the wire
            frame.emit(&mut b, &caps);
            prop_assert_eq!(FrameRepr::parse(&b, &caps), Ok(frame));
        }
    }

    #[test]
    fn checksum_matches_naive_sum(data in proptest::collection::vec(any::<u8>(), 0..3000), split in any::<prop::sample::Index>()) {
        let naive = {
            let mut acc: u64 = 0;
            for pair in data.chunks(2) {
                acc += u64::from(u16::from_be_bytes([pair[0], pair.get(1).copied().unwrap_or(0)]));
            }
            while acc > 0xffff {
                acc = (acc & 0xffff) + (acc >> 16);
            }
            acc as u16
        };
        prop_assert_eq!(checksum::data(&data), naive);
        let at = split.index(data.len() + 1) & !1; // even split
        prop_assert_eq!(
            checksum::combine(&[checksum::data(&data[..at]), checksum::data(&data[at..])]),
            naive
        );
    }
}
