//! One test per drop cause, through the whole-frame parser the receive path
//! uses, so each `wire::Error` variant the stack counts is reachable from
//! frame bytes and names the right cause.

use synack_host::wire::{
    ChecksumCapabilities, Error, EtherType, EthernetAddress, EthernetRepr, FrameRepr, IpProtocol,
    Ipv4Address, Ipv4Repr, NetworkRepr, TcpFlags, TcpRepr, TransportRepr,
};

const SOFTWARE: ChecksumCapabilities = ChecksumCapabilities::software();

/// A valid Ethernet/IPv4/TCP frame with an MSS option and 4 bytes of data.
/// Offsets: Ethernet 0..14, IPv4 14..34, TCP 34..58, data 58..62.
fn frame() -> Vec<u8> {
    let tcp = TcpRepr {
        src_port: 1234,
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
        payload: b"data",
    };
    let f = FrameRepr {
        ethernet: EthernetRepr {
            src_addr: EthernetAddress([2, 0, 0, 0, 0, 1]),
            dst_addr: EthernetAddress([2, 0, 0, 0, 0, 2]),
            ethertype: EtherType::Ipv4,
        },
        network: NetworkRepr::Ipv4 {
            ip: Ipv4Repr {
                src_addr: Ipv4Address::new(10, 0, 0, 1),
                dst_addr: Ipv4Address::new(10, 0, 0, 2),
                protocol: IpProtocol::Tcp,
                payload_len: 0,
                ttl: 64,
                ident: 7,
                dont_frag: true,
            },
            transport: TransportRepr::Tcp(tcp),
        },
    };
    let mut b = vec![0u8; f.buffer_len()];
    f.emit(&mut b, &SOFTWARE);
    assert_eq!(b.len(), 62);
    b
}

/// Recompute the IPv4 header checksum after editing the header.
fn fix_ip_checksum(b: &mut [u8]) {
    let ihl = usize::from(b[14] & 0x0f) * 4;
    b[24] = 0;
    b[25] = 0;
    let sum = synack_host::wire::checksum::data(&b[14..14 + ihl]);
    b[24..26].copy_from_slice(&(!sum).to_be_bytes());
}

#[test]
fn valid_frame_parses() {
    assert!(FrameRepr::parse(&frame(), &SOFTWARE).is_ok());
}

#[test]
fn truncated() {
    let b = frame();
    for len in [0, 13, 20, 33, 40, 61] {
        assert_eq!(
            FrameRepr::parse(&b[..len], &SOFTWARE),
            Err(Error::Truncated),
            "len {len}"
        );
    }
}

#[test]
fn malformed() {
    let mut b = frame();
    b[14] = 0x65; // IP version 6 in an IPv4 EtherType
    fix_ip_checksum(&mut b);
    assert_eq!(FrameRepr::parse(&b, &SOFTWARE), Err(Error::Malformed));

    let mut b = frame();
    b[46] = 0x40 | (b[46] & 0x0f); // TCP data offset 4
    assert_eq!(FrameRepr::parse(&b, &SOFTWARE), Err(Error::Malformed));
}

#[test]
fn bad_checksum() {
    let mut b = frame();
    b[22] = 1; // TTL
    assert_eq!(FrameRepr::parse(&b, &SOFTWARE), Err(Error::BadChecksum));
    let mut b = frame();
    b[60] ^= 0xff; // TCP data
    assert_eq!(FrameRepr::parse(&b, &SOFTWARE), Err(Error::BadChecksum));
    // The fabric verified (SPEC F3): not software's business.
    assert!(FrameRepr::parse(&b, &ChecksumCapabilities::offloaded()).is_ok());
}

#[test]
fn bad_option() {
    let mut b = frame();
    b[55] = 3; // MSS option length 3
    assert_eq!(
        FrameRepr::parse(&b, &ChecksumCapabilities::offloaded()),
        Err(Error::BadOption)
    );
}

#[test]
fn fragmented() {
    let mut b = frame();
    b[20] |= 0x20; // MF
    fix_ip_checksum(&mut b);
    assert_eq!(FrameRepr::parse(&b, &SOFTWARE), Err(Error::Fragmented));
}

#[test]
fn unsupported() {
    let mut b = frame();
    b[12..14].copy_from_slice(&0x86ddu16.to_be_bytes()); // IPv6
    assert_eq!(FrameRepr::parse(&b, &SOFTWARE), Err(Error::Unsupported));
    b[12..14].copy_from_slice(&0x0040u16.to_be_bytes()); // 802.3 length
    assert_eq!(FrameRepr::parse(&b, &SOFTWARE), Err(Error::Unsupported));
}

#[test]
fn ethernet_padding_is_not_payload() {
    // A 62-byte frame cut to its headers (no data) and padded to the 60-byte
    // minimum with zeros, as the fabric delivers short frames: the padding
    // must not become TCP data (it would also break the checksum).
    let mut b = frame();
    b.truncate(58);
    b[16..18].copy_from_slice(&44u16.to_be_bytes()); // IP total length 20 + 24
    fix_ip_checksum(&mut b);
    b[50] = 0; // TCP checksum: recompute below
    b[51] = 0;
    let sum = synack_host::wire::checksum::combine(&[
        synack_host::wire::checksum::pseudo_header(
            &Ipv4Address::new(10, 0, 0, 1),
            &Ipv4Address::new(10, 0, 0, 2),
            IpProtocol::Tcp,
            24,
        ),
        synack_host::wire::checksum::data(&b[34..58]),
    ]);
    b[50..52].copy_from_slice(&(!sum).to_be_bytes());
    b.resize(60, 0);
    let f = FrameRepr::parse(&b, &SOFTWARE).unwrap();
    let NetworkRepr::Ipv4 {
        ip,
        transport: TransportRepr::Tcp(tcp),
    } = f.network
    else {
        panic!("not TCP: {f:?}");
    };
    assert_eq!(ip.payload_len, 24);
    assert!(tcp.payload.is_empty());
    assert_eq!(tcp.max_seg_size, Some(1460));
}
