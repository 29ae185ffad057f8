//! Path-MTU discovery through the interface (RFC 1191): a router between
//! two stacks whose next hop carries at most 1280 bytes drops every larger
//! packet with DF set and answers "fragmentation needed"; the sender
//! narrows its segments (the segmenter's as well as the software cut) and
//! the stream arrives whole. etherparse reads every packet.

mod common;

use common::stream::stream;
use etherparse::{NetSlice, SlicedPacket};
use synack_host::iface::{Interface, InterfaceConfig};
use synack_host::tcp::{Config, Engine};
use synack_host::wire::{
    ChecksumCapabilities, IcmpPacket, IcmpRepr, IpProtocol, Ipv4Address, Ipv4Packet, Ipv4Repr,
};

const MASK: Ipv4Address = Ipv4Address::new(255, 255, 255, 0);
const US: Ipv4Address = Ipv4Address::new(192, 168, 1, 10);
const PEER: Ipv4Address = Ipv4Address::new(192, 168, 1, 20);
const ROUTER: Ipv4Address = Ipv4Address::new(192, 168, 1, 1);
const NEXT_HOP_MTU: usize = 1280;

/// The router's "fragmentation needed" about `packet`, quoting its IP
/// header and first 8 data bytes.
fn frag_needed(packet: &[u8]) -> Vec<u8> {
    let repr = IcmpRepr::DstUnreachable {
        code: 4,
        next_hop_mtu: NEXT_HOP_MTU as u16,
        invoking: &packet[..28],
    };
    let mut icmp = vec![0u8; repr.buffer_len()];
    repr.emit(&mut IcmpPacket::new_unchecked(&mut icmp[..]));
    let ip = Ipv4Repr {
        src_addr: ROUTER,
        dst_addr: US,
        protocol: IpProtocol::Icmp,
        payload_len: icmp.len(),
        ttl: 64,
        ident: 1,
        dont_frag: false,
    };
    let mut b = vec![0u8; 20 + icmp.len()];
    ip.emit(
        &mut Ipv4Packet::new_unchecked(&mut b[..]),
        &ChecksumCapabilities::software(),
    );
    b[20..].copy_from_slice(&icmp);
    b
}

/// A sends `data` to B through the router; returns how many packets the
/// router refused and the largest it passed.
fn through_narrow_router(tso: bool, data: &[u8]) -> (usize, usize) {
    let mut cfg = InterfaceConfig::ip(US, MASK);
    if tso {
        cfg.caps = ChecksumCapabilities::offloaded();
        cfg.tso_max_len = Some(64 * 1024);
    }
    let mut a = Interface::new(cfg, Engine::with_seed(Config::default(), 9)).unwrap();
    let mut b = Interface::new(
        InterfaceConfig::ip(PEER, MASK),
        Engine::with_seed(Config::default(), 10),
    )
    .unwrap();
    let (mut refused, mut largest) = (0usize, 0);
    // When the router's first errors went back, and packets passed since at that instant.
    let (mut reported_at, mut passed_at_once) = (None, 0);
    stream(&mut a, &mut b, 80, data, data.len(), |now, p| {
        let sliced = SlicedPacket::from_ip(p).expect("etherparse reads the packet");
        let Some(NetSlice::Ipv4(ip)) = sliced.net else {
            panic!("not IPv4");
        };
        assert!(ip.header().dont_fragment(), "DF is set on TCP (SPEC W2)");
        if p.len() > NEXT_HOP_MTU {
            refused += 1;
            reported_at.get_or_insert(now);
            return Some(frag_needed(p));
        }
        largest = largest.max(p.len());
        if reported_at == Some(now) {
            passed_at_once += 1;
        }
        None
    });
    assert_eq!(
        a.engine().stats().pmtu_reductions,
        1,
        "one report narrows it"
    );
    // Linux `tcp_simple_retransmit`: the refused window is resent in pieces
    // as soon as the report comes, not after a retransmission timeout.
    assert!(passed_at_once >= 10, "{passed_at_once} packets at once");
    // The refused 1448-byte segments (one run) are resent once, re-cut into
    // 1228-byte segments; nothing waits for an RTO to be resent again.
    assert_eq!(
        a.engine().stats().retransmits as usize,
        (refused * 1448).div_ceil(1228),
        "the refused bytes resent once, at the new MSS"
    );
    (refused, largest)
}

fn data() -> Vec<u8> {
    (0..200_000u32).map(|i| (i % 251) as u8).collect()
}

#[test]
fn a_narrow_path_is_learnt_from_the_router_and_the_stream_arrives_whole_with_tso() {
    let (refused, largest) = through_narrow_router(true, &data());
    assert_eq!(refused, 10, "the initial window, then nothing too large");
    // 1280 − 20 − 20 − 12 (timestamps): 1228-byte segments fill the path.
    assert_eq!(largest, NEXT_HOP_MTU);
}

#[test]
fn a_narrow_path_is_learnt_from_the_router_and_the_stream_arrives_whole_cut_in_software() {
    let (refused, largest) = through_narrow_router(false, &data());
    assert_eq!(refused, 10, "the initial window, then nothing too large");
    assert_eq!(largest, NEXT_HOP_MTU);
}
