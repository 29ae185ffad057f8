use super::*;

/// A 20-byte header + 4 bytes of payload, checksum computed by hand:
/// 10.0.0.1 → 10.0.0.2, TCP, ID 0x1234, DF, TTL 64, total length 24.
fn sample() -> Vec<u8> {
    let mut b = vec![
        0x45, 0x00, 0x00, 0x18, // ver/ihl, tos, total length 24
        0x12, 0x34, 0x40, 0x00, // ident, DF
        0x40, 0x06, 0x00, 0x00, // ttl 64, tcp, checksum (filled below)
        10, 0, 0, 1, // src
        10, 0, 0, 2, // dst
        0xde, 0xad, 0xbe, 0xef,
    ];
    let sum = checksum::data(&b[..20]);
    b[10..12].copy_from_slice(&(!sum).to_be_bytes());
    b
}

fn repr() -> Ipv4Repr {
    Ipv4Repr {
        src_addr: Ipv4Address::new(10, 0, 0, 1),
        dst_addr: Ipv4Address::new(10, 0, 0, 2),
        protocol: IpProtocol::Tcp,
        payload_len: 4,
        ttl: 64,
        ident: 0x1234,
        dont_frag: true,
    }
}

#[test]
fn parse_fields() {
    let b = sample();
    let p = Ipv4Packet::new_checked(&b[..]).unwrap();
    assert_eq!(p.version(), 4);
    assert_eq!(p.header_len(), 20);
    assert_eq!(p.total_len(), 24);
    assert_eq!(p.ident(), 0x1234);
    assert!(p.dont_frag());
    assert!(!p.more_frags());
    assert_eq!(p.frag_offset(), 0);
    assert_eq!(p.ttl(), 64);
    assert_eq!(p.protocol(), IpProtocol::Tcp);
    assert!(p.verify_checksum());
    assert_eq!(p.payload(), &[0xde, 0xad, 0xbe, 0xef]);
    assert_eq!(
        Ipv4Repr::parse(&p, &ChecksumCapabilities::default()),
        Ok(repr())
    );
}

#[test]
fn emit_matches_hand_built() {
    let r = repr();
    let mut b = vec![0u8; r.buffer_len() + r.payload_len];
    let mut p = Ipv4Packet::new_unchecked(&mut b[..]);
    r.emit(&mut p, &ChecksumCapabilities::default());
    p.payload_mut().copy_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
    assert_eq!(b, sample());
}

#[test]
fn emit_with_tx_offload_leaves_checksum_zero() {
    let r = repr();
    let mut b = [0u8; 24];
    r.emit(
        &mut Ipv4Packet::new_unchecked(&mut b[..]),
        &ChecksumCapabilities::offloaded(),
    );
    assert_eq!(&b[10..12], &[0, 0]);
}

#[test]
fn payload_excludes_link_padding() {
    let mut b = sample();
    b.extend_from_slice(&[0; 22]); // Ethernet pads short frames to 60 bytes
    let p = Ipv4Packet::new_checked(&b[..]).unwrap();
    assert_eq!(p.payload().len(), 4);
    assert_eq!(
        Ipv4Repr::parse(&p, &ChecksumCapabilities::default())
            .unwrap()
            .payload_len,
        4
    );
}

#[test]
fn options_are_skipped_by_ihl() {
    // IHL 6: one 4-byte option word (NOP NOP NOP EOL).
    let mut b = vec![
        0x46, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1, 1, 0, 9, 9, 9, 9,
    ];
    let sum = checksum::data(&b[..24]);
    b[10..12].copy_from_slice(&(!sum).to_be_bytes());
    let p = Ipv4Packet::new_checked(&b[..]).unwrap();
    assert_eq!(p.options(), &[1, 1, 1, 0]);
    assert_eq!(p.payload(), &[9, 9, 9, 9]);
    let r = Ipv4Repr::parse(&p, &ChecksumCapabilities::default()).unwrap();
    assert_eq!(r.payload_len, 4);
    assert_eq!(r.protocol, IpProtocol::Udp);
}

#[test]
fn error_truncated_below_header() {
    let b = sample();
    assert_eq!(Ipv4Packet::new_checked(&b[..19]), Err(Error::Truncated));
}

#[test]
fn error_truncated_below_total_length() {
    let b = sample();
    assert_eq!(Ipv4Packet::new_checked(&b[..23]), Err(Error::Truncated));
}

#[test]
fn error_truncated_below_ihl() {
    let mut b = sample();
    b[0] = 0x4f; // 60-byte header in a 24-byte buffer
    assert_eq!(Ipv4Packet::new_checked(&b[..]), Err(Error::Truncated));
}

#[test]
fn error_malformed_ihl_below_five() {
    let mut b = sample();
    b[0] = 0x44;
    assert_eq!(Ipv4Packet::new_checked(&b[..]), Err(Error::Malformed));
}

#[test]
fn error_malformed_total_length_below_header() {
    let mut b = sample();
    b[2..4].copy_from_slice(&19u16.to_be_bytes());
    assert_eq!(Ipv4Packet::new_checked(&b[..]), Err(Error::Malformed));
}

#[test]
fn error_malformed_version() {
    let mut b = sample();
    b[0] = 0x65;
    let p = Ipv4Packet::new_checked(&b[..]).unwrap();
    assert_eq!(
        Ipv4Repr::parse(&p, &ChecksumCapabilities::offloaded()),
        Err(Error::Malformed)
    );
}

#[test]
fn error_bad_checksum_unless_offloaded() {
    let mut b = sample();
    b[8] = 63; // TTL changed, checksum not updated
    let p = Ipv4Packet::new_checked(&b[..]).unwrap();
    assert!(!p.verify_checksum());
    assert_eq!(
        Ipv4Repr::parse(&p, &ChecksumCapabilities::default()),
        Err(Error::BadChecksum)
    );
    // The fabric verified it (SPEC F3): software does not look.
    assert!(Ipv4Repr::parse(&p, &ChecksumCapabilities::offloaded()).is_ok());
}

#[test]
fn error_fragmented() {
    for (mf, off) in [(true, 0u16), (false, 8), (true, 1480)] {
        let mut b = sample();
        let mut p = Ipv4Packet::new_unchecked(&mut b[..]);
        p.set_flags_and_frag_offset(false, mf, off);
        p.fill_checksum();
        let p = Ipv4Packet::new_checked(&b[..]).unwrap();
        assert_eq!(p.more_frags(), mf);
        assert_eq!(p.frag_offset(), off);
        assert_eq!(
            Ipv4Repr::parse(&p, &ChecksumCapabilities::default()),
            Err(Error::Fragmented)
        );
    }
}

#[test]
fn cidr_on_link_by_mask() {
    let me = Ipv4Cidr::new(Ipv4Address::new(192, 168, 1, 10), 24).unwrap();
    assert_eq!(me.netmask(), Ipv4Address::new(255, 255, 255, 0));
    assert_eq!(me.network(), Ipv4Address::new(192, 168, 1, 0));
    assert_eq!(me.broadcast(), Some(Ipv4Address::new(192, 168, 1, 255)));
    assert!(me.is_on_link(&Ipv4Address::new(192, 168, 1, 200)));
    assert!(!me.is_on_link(&Ipv4Address::new(192, 168, 2, 1)));
    assert!(!me.contains(&Ipv4Address::new(8, 8, 8, 8)));

    let slash20 = Ipv4Cidr::new(Ipv4Address::new(10, 1, 17, 5), 20).unwrap();
    assert!(slash20.contains(&Ipv4Address::new(10, 1, 31, 255)));
    assert!(!slash20.contains(&Ipv4Address::new(10, 1, 32, 0)));

    let all = Ipv4Cidr::new(Ipv4Address::new(1, 2, 3, 4), 0).unwrap();
    assert!(all.contains(&Ipv4Address::new(200, 1, 1, 1)));
    assert_eq!(all.netmask(), Ipv4Address::UNSPECIFIED);
    let host = Ipv4Cidr::new(Ipv4Address::new(1, 2, 3, 4), 32).unwrap();
    assert!(host.contains(&Ipv4Address::new(1, 2, 3, 4)));
    assert!(!host.contains(&Ipv4Address::new(1, 2, 3, 5)));
    assert_eq!(host.broadcast(), None);
    assert_eq!(Ipv4Cidr::new(Ipv4Address::new(1, 2, 3, 4), 33), None);
}

#[test]
fn cidr_from_netmask_and_text() {
    let a = Ipv4Address::new(172, 16, 5, 4);
    assert_eq!(
        Ipv4Cidr::from_netmask(a, Ipv4Address::new(255, 255, 0, 0)),
        Ipv4Cidr::new(a, 16)
    );
    assert_eq!(
        Ipv4Cidr::from_netmask(a, Ipv4Address::new(255, 0, 255, 0)),
        None
    );
    assert_eq!(
        Ipv4Cidr::from_netmask(a, Ipv4Address::BROADCAST),
        Ipv4Cidr::new(a, 32)
    );
    assert_eq!(
        Ipv4Cidr::from_netmask(a, Ipv4Address::UNSPECIFIED),
        Ipv4Cidr::new(a, 0)
    );
    let c: Ipv4Cidr = "172.16.5.4/16".parse().unwrap();
    assert_eq!(c.to_string(), "172.16.5.4/16");
    assert!("172.16.5.4/33".parse::<Ipv4Cidr>().is_err());
    assert!("172.16.5.4".parse::<Ipv4Cidr>().is_err());
}

#[test]
fn address_classes() {
    assert!(Ipv4Address::UNSPECIFIED.is_unspecified());
    assert!(Ipv4Address::BROADCAST.is_broadcast());
    assert!(Ipv4Address::new(224, 0, 0, 1).is_multicast());
    assert!(Ipv4Address::new(127, 0, 0, 1).is_loopback());
    assert!(Ipv4Address::new(10, 0, 0, 1).is_unicast());
    assert!(!Ipv4Address::new(239, 0, 0, 1).is_unicast());
    assert_eq!(Ipv4Address::from_u32(0x0a000001).to_string(), "10.0.0.1");
    let std: core::net::Ipv4Addr = Ipv4Address::new(1, 2, 3, 4).into();
    assert_eq!(Ipv4Address::from(std), Ipv4Address::new(1, 2, 3, 4));
    assert_eq!(IpProtocol::from(99), IpProtocol::Unknown(99));
    assert_eq!(u8::from(IpProtocol::Unknown(99)), 99);
}
