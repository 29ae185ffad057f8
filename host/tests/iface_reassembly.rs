//! IPv4 fragments reassembled on the interface (RFC 791 §3.2, RFC 1122
//! §3.3.2), bounded and timed out as Linux does; the whole datagram then
//! takes the ordinary receive path.

mod common;

use core::time::Duration;

use etherparse::{Icmpv4Type, NetSlice, SlicedPacket, TransportSlice};
use synack_host::iface::{DropCause, Interface, InterfaceConfig};
use synack_host::tcp::{Config, Engine};
use synack_host::time::Instant;
use synack_host::wire::{ChecksumCapabilities, IpProtocol, Ipv4Address, Ipv4Packet, Ipv4Repr};

const MASK: Ipv4Address = Ipv4Address::new(255, 255, 255, 0);
const US: Ipv4Address = Ipv4Address::new(10, 3, 0, 1);
const PEER: Ipv4Address = Ipv4Address::new(10, 3, 0, 2);

/// A raw-IPv4 interface (no ARP to wait for), checksums as `caps` say.
fn iface(caps: ChecksumCapabilities) -> Interface {
    let cfg = InterfaceConfig::ip(US, MASK).with_caps(caps);
    Interface::new(cfg, Engine::with_seed(Config::default(), 9)).unwrap()
}

/// A UDP datagram (IP payload) from the peer to `port`.
fn udp(port: u16, data: &[u8]) -> Vec<u8> {
    common::udp_bytes(PEER, US, 40000, port, data)
}

/// `payload` (an IP payload of `protocol`) cut into fragments of at most
/// `size` bytes (a multiple of 8) of datagram `ident`.
fn fragments(protocol: IpProtocol, ident: u16, payload: &[u8], size: usize) -> Vec<Vec<u8>> {
    payload
        .chunks(size)
        .enumerate()
        .map(|(i, chunk)| {
            let ip = Ipv4Repr {
                src_addr: PEER,
                dst_addr: US,
                protocol,
                payload_len: chunk.len(),
                ttl: 64,
                ident,
                dont_frag: false,
            };
            let mut b = vec![0u8; 20 + chunk.len()];
            let mut p = Ipv4Packet::new_unchecked(&mut b[..]);
            ip.emit(&mut p, &ChecksumCapabilities::software());
            let offset = i * size;
            p.set_flags_and_frag_offset(false, offset + chunk.len() < payload.len(), offset as u16);
            p.fill_checksum();
            b[20..].copy_from_slice(chunk);
            b
        })
        .collect()
}

#[test]
fn a_fragmented_datagram_is_delivered_whole_in_any_order() {
    let mut i = iface(ChecksumCapabilities::software());
    let now = Instant::from_secs(1);
    let s = i.udp_bind(synack_host::iface::any_addr(9000)).unwrap();
    let data: Vec<u8> = (0..4000u32).map(|x| (x * 7) as u8).collect();
    let mut frags = fragments(IpProtocol::Udp, 77, &udp(9000, &data), 1480);
    frags.reverse();
    for f in &frags {
        i.receive(now, f);
    }
    let mut buf = vec![0u8; 8192];
    let r = i.udp_recv_from(s, &mut buf).unwrap();
    assert_eq!(&buf[..r.len], &data[..]);
    let st = i.stats();
    assert_eq!(
        (st.rx_fragments, st.rx_reassembled, st.rx_udp_datagrams),
        (3, 1, 1)
    );
    assert_eq!(st.total_drops(), 0);
    assert_eq!(i.reassembly_footprint(), (0, 0));
}

#[test]
fn with_checksum_offload_a_reassembled_datagram_is_still_verified_in_software() {
    // The fabric checks no fragment's TCP/UDP checksum: software must, whatever caps say.
    let mut i = iface(ChecksumCapabilities::offloaded());
    let now = Instant::from_secs(1);
    let s = i.udp_bind(synack_host::iface::any_addr(9000)).unwrap();
    let mut d = udp(9000, &[5u8; 3000]);
    d[2000] ^= 1;
    for f in fragments(IpProtocol::Udp, 1, &d, 1000) {
        i.receive(now, &f);
    }
    assert_eq!(i.stats().drops(DropCause::BadChecksum), 1);
    assert!(i.udp_recv_from(s, &mut [0u8; 16]).is_err());
}

#[test]
fn tiny_tcp_fragments_make_a_segment_the_engine_answers() {
    // A SYN to a closed port cut into 8-byte fragments: reassembled, it is
    // answered with RST|ACK like any SYN.
    let mut i = iface(ChecksumCapabilities::software());
    let now = Instant::from_secs(1);
    let mut syn = [0u8; 20];
    syn[..4].copy_from_slice(&[0x9c, 0x40, 0x1f, 0x90]);
    syn[4..8].copy_from_slice(&1000u32.to_be_bytes());
    syn[12] = 5 << 4;
    syn[13] = 0x02;
    syn[14..16].copy_from_slice(&1024u16.to_be_bytes());
    let mut t = synack_host::wire::TcpPacket::new_unchecked(&mut syn[..]);
    t.fill_checksum(&PEER, &US);
    for f in fragments(IpProtocol::Tcp, 5, &syn, 8) {
        i.receive(now, &f);
    }
    let out = i.poll_transmit(now).expect("an answer");
    let p = SlicedPacket::from_ip(&out.frame).unwrap();
    let Some(TransportSlice::Tcp(tcp)) = p.transport else {
        panic!("{:?}", p.transport)
    };
    assert!(tcp.rst() && tcp.ack());
    assert_eq!(tcp.acknowledgment_number(), 1001);
    assert_eq!(i.stats().rx_fragments, 3);
}

#[test]
fn a_datagram_missing_a_fragment_times_out_with_icmp_time_exceeded() {
    let mut i = iface(ChecksumCapabilities::software());
    let t = Instant::from_secs(1);
    let frags = fragments(IpProtocol::Udp, 42, &udp(9000, &[1u8; 3000]), 1480);
    i.receive(t, &frags[0]);
    i.receive(t, &frags[2]);
    assert!(i.poll_transmit(t).is_none());
    assert_eq!(i.poll_timeout(), Some(t + Duration::from_secs(30)));
    i.handle_timeout(t + Duration::from_secs(30));
    let out = i
        .poll_transmit(t + Duration::from_secs(30))
        .expect("ICMP time exceeded");
    let p = SlicedPacket::from_ip(&out.frame).unwrap();
    let Some(NetSlice::Ipv4(ip)) = &p.net else {
        panic!()
    };
    assert_eq!(ip.header().destination(), PEER.0);
    let Some(TransportSlice::Icmpv4(icmp)) = &p.transport else {
        panic!()
    };
    assert!(matches!(
        icmp.icmp_type(),
        Icmpv4Type::TimeExceeded(
            etherparse::icmpv4::TimeExceededCode::FragmentReassemblyTimeExceeded
        )
    ));
    // The quote is the first fragment, from its IP header on.
    assert_eq!(icmp.payload(), &frags[0][..548]);
    let st = i.stats();
    assert_eq!((st.reassembly_timeouts, st.icmp_time_exceeded_sent), (1, 1));
    assert_eq!(i.reassembly_footprint(), (0, 0));

    // Without its first fragment a datagram times out silently.
    i.receive(t + Duration::from_secs(31), &frags[1]);
    i.handle_timeout(t + Duration::from_secs(61));
    assert!(i.poll_transmit(t + Duration::from_secs(61)).is_none());
    assert_eq!(i.stats().reassembly_timeouts, 2);
}

#[test]
fn an_overlapping_fragment_discards_its_datagram_and_is_counted() {
    let mut i = iface(ChecksumCapabilities::software());
    let now = Instant::from_secs(1);
    let frags = fragments(IpProtocol::Udp, 3, &udp(9000, &[2u8; 3000]), 1480);
    let overlapping = fragments(IpProtocol::Udp, 3, &udp(9000, &[2u8; 3000]), 1000);
    i.receive(now, &frags[0]);
    i.receive(now, &overlapping[1]);
    assert_eq!(i.stats().drops(DropCause::Fragmented), 1);
    assert_eq!(i.stats().reassembly_failures, 1);
    assert_eq!(i.reassembly_footprint(), (0, 0));
    // The rest no longer completes anything: it waits, then times out.
    i.receive(now, &frags[1]);
    i.receive(now, &frags[2]);
    assert_eq!(i.stats().rx_reassembled, 0);
}
