use super::*;

const SRC: Ipv4Address = Ipv4Address::new(10, 0, 0, 1);
const DST: Ipv4Address = Ipv4Address::new(10, 0, 0, 2);

fn syn() -> TcpRepr<'static> {
    TcpRepr {
        src_port: 40000,
        dst_port: 80,
        seq_number: 0x0102_0304,
        ack_number: 0,
        flags: TcpFlags::SYN,
        window_len: 64240,
        urgent_pointer: 0,
        max_seg_size: Some(1460),
        window_scale: Some(7),
        sack_permitted: true,
        sack_ranges: [None; MAX_SACK_BLOCKS],
        timestamp: Some(TcpTimestamp {
            tsval: 0xaabb_ccdd,
            tsecr: 0,
        }),
        payload: &[],
    }
}

fn emit(repr: &TcpRepr<'_>, caps: &ChecksumCapabilities) -> Vec<u8> {
    let mut b = vec![0u8; repr.buffer_len()];
    repr.emit(&mut TcpPacket::new_unchecked(&mut b[..]), &SRC, &DST, caps);
    b
}

fn parse(b: &[u8]) -> Result<TcpRepr<'_>> {
    let p = TcpPacket::new_checked(b)?;
    TcpRepr::parse(&p, &SRC, &DST, &ChecksumCapabilities::default())
}

/// A segment with the given raw option bytes (a multiple of 4) and payload.
fn with_options(options: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8; 20];
    b[0..2].copy_from_slice(&1234u16.to_be_bytes());
    b[2..4].copy_from_slice(&80u16.to_be_bytes());
    b[12] = (((20 + options.len()) / 4) as u8) << 4;
    b[13] = TcpFlags::ACK.0;
    b.extend_from_slice(options);
    b.extend_from_slice(payload);
    TcpPacket::new_unchecked(&mut b[..]).fill_checksum(&SRC, &DST);
    b
}

#[test]
fn syn_options_use_linux_layout() {
    let b = emit(&syn(), &ChecksumCapabilities::default());
    // Linux SYN: mss, sackOK + TS, nop, wscale = 20 option bytes.
    assert_eq!(b.len(), 40);
    assert_eq!(b[12] >> 4, 10);
    assert_eq!(
        &b[20..40],
        &[
            2, 4, 0x05, 0xb4, // MSS 1460
            4, 2, // SACK permitted
            8, 10, 0xaa, 0xbb, 0xcc, 0xdd, 0, 0, 0, 0, // timestamps
            1, 3, 3, 7, // NOP, window scale 7
        ]
    );
    assert_eq!(parse(&b), Ok(syn()));
}

#[test]
fn header_fields() {
    let mut repr = syn();
    repr.flags = TcpFlags::ACK | TcpFlags::PSH | TcpFlags::URG | TcpFlags::ECE | TcpFlags::CWR;
    repr.ack_number = 0xdead_beef;
    repr.urgent_pointer = 3;
    repr.payload = b"abcdef";
    let b = emit(&repr, &ChecksumCapabilities::default());
    let p = TcpPacket::new_checked(&b[..]).unwrap();
    assert_eq!(p.src_port(), 40000);
    assert_eq!(p.dst_port(), 80);
    assert_eq!(p.seq_number(), 0x0102_0304);
    assert_eq!(p.ack_number(), 0xdead_beef);
    assert_eq!(p.header_len(), 40);
    assert_eq!(p.window_len(), 64240);
    assert_eq!(p.urgent_pointer(), 3);
    assert!(p.flags().ece() && p.flags().cwr() && p.flags().urg());
    assert!(!p.flags().syn() && !p.flags().fin() && !p.flags().rst());
    assert_eq!(p.payload(), b"abcdef");
    assert!(p.verify_checksum(&SRC, &DST));
    assert_eq!(parse(&b), Ok(repr));
    assert_eq!(repr.segment_len(), 6);
}

#[test]
fn payload_length_is_segment_minus_header() {
    // SPEC W4: the buffer is the IP payload; data = buffer − TCP header.
    let b = with_options(&[1, 1, 1, 0], &[7; 100]);
    let p = TcpPacket::new_checked(&b[..]).unwrap();
    assert_eq!(p.header_len(), 24);
    assert_eq!(p.payload().len(), b.len() - 24);
    assert_eq!(parse(&b).unwrap().payload.len(), 100);
}

#[test]
fn sack_blocks_round_trip_and_are_limited_by_space() {
    let mut repr = syn();
    repr.flags = TcpFlags::ACK;
    repr.max_seg_size = None;
    repr.window_scale = None;
    repr.sack_permitted = false;
    repr.sack_ranges = [Some((1, 2)), Some((3, 4)), Some((5, 6)), Some((7, 8))];
    // With timestamps (12 bytes) only 3 blocks fit: 12 + 4 + 24 = 40.
    let b = emit(&repr, &ChecksumCapabilities::default());
    assert_eq!(b.len(), 60);
    let parsed = parse(&b).unwrap();
    assert_eq!(
        parsed.sack_ranges,
        [Some((1, 2)), Some((3, 4)), Some((5, 6)), None]
    );
    // Without timestamps all 4 fit: 4 + 32 = 36.
    repr.timestamp = None;
    let b = emit(&repr, &ChecksumCapabilities::default());
    assert_eq!(b.len(), 56);
    assert_eq!(parse(&b).unwrap(), repr);
}

#[test]
fn every_option_combination_round_trips() {
    for bits in 0..32u8 {
        let mut repr = syn();
        repr.flags = TcpFlags::ACK;
        repr.max_seg_size = (bits & 1 != 0).then_some(536);
        repr.window_scale = (bits & 2 != 0).then_some(14);
        repr.sack_permitted = bits & 4 != 0;
        repr.timestamp = (bits & 8 != 0).then_some(TcpTimestamp { tsval: 9, tsecr: 8 });
        repr.sack_ranges = [None; MAX_SACK_BLOCKS];
        if bits & 16 != 0 {
            repr.sack_ranges[0] = Some((100, 200));
        }
        repr.payload = b"x";
        let b = emit(&repr, &ChecksumCapabilities::default());
        assert_eq!(repr.options_len() % 4, 0, "bits {bits}");
        assert!(repr.options_len() <= MAX_OPTIONS_LEN);
        assert_eq!(parse(&b), Ok(repr), "bits {bits}");
    }
}

#[test]
fn unknown_options_are_skipped_by_length() {
    // Kind 30 (MPTCP) with 4 data bytes, then MSS, then EOL padding.
    let b = with_options(&[30, 6, 1, 2, 3, 4, 2, 4, 0x02, 0x18, 0, 0], b"");
    let r = parse(&b).unwrap();
    assert_eq!(r.max_seg_size, Some(536));
    let (rest, opt) = TcpOption::parse(&b[20..]).unwrap();
    assert_eq!(
        opt,
        TcpOption::Unknown {
            kind: 30,
            data: &[1, 2, 3, 4]
        }
    );
    assert_eq!(rest.len(), 6);
}

#[test]
fn end_of_list_stops_parsing() {
    // After EOL, garbage that would be a bad option is padding.
    let b = with_options(&[0, 2, 9, 9], b"");
    assert_eq!(parse(&b).unwrap().max_seg_size, None);
}

#[test]
fn reserved_bits_do_not_confuse_header_len() {
    let mut b = with_options(&[], b"data");
    b[12] |= 0x0f;
    TcpPacket::new_unchecked(&mut b[..]).fill_checksum(&SRC, &DST);
    let p = TcpPacket::new_checked(&b[..]).unwrap();
    assert_eq!(p.header_len(), 20);
    assert_eq!(p.reserved_bits(), 0x0f);
    assert_eq!(&parse(&b).unwrap().payload[..], b"data");
}

#[test]
fn error_truncated_header() {
    let b = with_options(&[], b"");
    assert_eq!(TcpPacket::new_checked(&b[..19]), Err(Error::Truncated));
}

#[test]
fn error_truncated_data_offset_past_end() {
    let mut b = with_options(&[], b"");
    b[12] = 6 << 4; // claims 24 bytes of header in 20
    assert_eq!(TcpPacket::new_checked(&b[..]), Err(Error::Truncated));
}

#[test]
fn error_malformed_data_offset_below_five() {
    let mut b = with_options(&[], b"payload");
    b[12] = 4 << 4;
    assert_eq!(TcpPacket::new_checked(&b[..]), Err(Error::Malformed));
}

#[test]
fn error_malformed_port_zero() {
    for at in [0usize, 2] {
        let mut b = with_options(&[], b"");
        b[at] = 0;
        b[at + 1] = 0;
        TcpPacket::new_unchecked(&mut b[..]).fill_checksum(&SRC, &DST);
        assert_eq!(parse(&b), Err(Error::Malformed));
    }
}

#[test]
fn error_bad_checksum_unless_offloaded() {
    let mut b = emit(&syn(), &ChecksumCapabilities::default());
    b[4] ^= 0x80;
    assert_eq!(parse(&b), Err(Error::BadChecksum));
    let p = TcpPacket::new_checked(&b[..]).unwrap();
    assert!(TcpRepr::parse(&p, &SRC, &DST, &ChecksumCapabilities::offloaded()).is_ok());
}

#[test]
fn emit_with_tx_offload_leaves_checksum_zero() {
    let b = emit(&syn(), &ChecksumCapabilities::offloaded());
    assert_eq!(TcpPacket::new_unchecked(&b[..]).checksum(), 0);
}

#[test]
fn error_bad_option_lengths() {
    let cases: &[(&str, &[u8])] = &[
        ("length below 2", &[30, 1, 0, 0]),
        ("length 0", &[30, 0, 0, 0]),
        ("runs past header", &[30, 8, 0, 0]),
        ("missing length byte", &[1, 1, 1, 30]),
        ("MSS length 3", &[2, 3, 0, 0]),
        ("window scale length 4", &[3, 4, 7, 0]),
        ("SACK-permitted length 3", &[4, 3, 0, 0]),
        ("timestamps length 8", &[8, 8, 0, 0, 0, 0, 0, 0]),
        ("SACK length not 2 + 8n", &[5, 6, 0, 0, 0, 0, 0, 0]),
        ("SACK with no block", &[5, 2, 0, 0]),
    ];
    for (what, options) in cases {
        let b = with_options(options, b"");
        assert_eq!(parse(&b), Err(Error::BadOption), "{what}");
    }
    // Outside a header (the option parser on its own): more than 4 SACK
    // blocks cannot fit in 40 option bytes.
    let mut five = vec![5u8, 42];
    five.extend_from_slice(&[0; 40]);
    assert_eq!(TcpOption::parse(&five), Err(Error::BadOption));
    assert_eq!(TcpOption::parse(&[]), Err(Error::BadOption));
}

#[test]
fn bad_option_after_good_ones_still_rejects_the_segment() {
    // MSS is fine, then an option whose length runs past the header.
    let b = with_options(&[2, 4, 0x05, 0xb4, 1, 30, 9, 0], b"data");
    assert_eq!(parse(&b), Err(Error::BadOption));
}

#[test]
fn option_emit_parse_each_kind() {
    let options = [
        TcpOption::EndOfList,
        TcpOption::NoOperation,
        TcpOption::MaxSegmentSize(1460),
        TcpOption::WindowScale(3),
        TcpOption::SackPermitted,
        TcpOption::SackRange([Some((1, 2)), Some((3, 4)), None, None]),
        TcpOption::Timestamp(TcpTimestamp { tsval: 1, tsecr: 2 }),
        TcpOption::Unknown {
            kind: 253,
            data: &[0xfe, 0xed],
        },
    ];
    for option in options {
        let mut buf = [0xaau8; 40];
        let rest_len = option.emit(&mut buf).len();
        assert_eq!(rest_len, 40 - option.buffer_len());
        let (rest, parsed) = TcpOption::parse(&buf[..option.buffer_len()]).unwrap();
        assert!(rest.is_empty());
        assert_eq!(parsed, option);
    }
}

#[test]
fn flags_debug_is_tcpdump_style() {
    assert_eq!(format!("{:?}", TcpFlags::SYN | TcpFlags::ACK), "[S.]");
    assert_eq!(format!("{:?}", TcpFlags::RST), "[R]");
    assert_eq!(format!("{:?}", TcpFlags::ACK), "[.]");
    assert_eq!(format!("{:?}", TcpFlags::NONE), "[none]");
}

#[test]
fn display_is_tcpdump_style() {
    assert_eq!(
        syn().to_string(),
        "40000 > 80: Flags [S], seq 16909060, win 64240, \
         options [mss 1460,sackOK,TS val 2864434397 ecr 0,wscale 7], length 0"
    );
    let mut data = syn();
    data.flags = TcpFlags::ACK | TcpFlags::PSH;
    data.ack_number = 5;
    data.max_seg_size = None;
    data.window_scale = None;
    data.sack_permitted = false;
    data.timestamp = None;
    data.sack_ranges[0] = Some((10, 20));
    data.payload = b"hello";
    assert_eq!(
        data.to_string(),
        "40000 > 80: Flags [P.], seq 16909060:16909065, ack 5, win 64240, \
         options [sack 1 {10:20}], length 5"
    );
}
