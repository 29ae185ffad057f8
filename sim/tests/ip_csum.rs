//! Checksum offload in Verilator (SPEC F3, F4). Every expected checksum comes
//! from `etherparse`, an implementation independent of the fabric: packets
//! are built with it, checksums and all, and the inserter must reproduce
//! them from garbage; the verifier must accept them and reject any one
//! corrupted byte. Sources idle and sinks stall at random.
use etherparse::{
    EtherType, Ethernet2Header, IpFragOffset, IpNumber, Ipv4Header, TcpHeader, UdpHeader,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use synack_abi::ring::rx_csum::{IP_OK, IPV4, L4_OK, TCP, UDP};
use synack_sim::testbench::csum_insert::{CsumInsertBench, CsumInsertBenchConfig};
use synack_sim::testbench::csum_verify::CsumVerifyBench;

const ETH_LEN: usize = 14;
/// Largest Ethernet frame without FCS.
const MAX_FRAME: usize = 1514;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum L4 {
    Tcp,
    Udp,
}

/// A frame built by etherparse with right checksums, and where they are.
#[derive(Clone, Debug)]
struct Packet {
    frame: Vec<u8>,
    l4: L4,
    /// Offset of the L4 header in the frame.
    l4_start: usize,
    /// One past the IP packet's last byte (padding may follow).
    ip_end: usize,
}

impl Packet {
    fn ip_csum_range(&self) -> std::ops::Range<usize> {
        ETH_LEN + 10..ETH_LEN + 12
    }

    fn l4_csum_range(&self) -> std::ops::Range<usize> {
        let at = self.l4_start
            + match self.l4 {
                L4::Tcp => 16,
                L4::Udp => 6,
            };
        at..at + 2
    }

    fn l4_csum(&self) -> u16 {
        let r = self.l4_csum_range();
        u16::from_be_bytes([self.frame[r.start], self.frame[r.start + 1]])
    }

    /// The frame with both checksum fields overwritten by random bytes.
    fn with_garbage_checksums(&self, rng: &mut ChaCha8Rng) -> Vec<u8> {
        let mut f = self.frame.clone();
        for i in self.ip_csum_range().chain(self.l4_csum_range()) {
            f[i] = rng.random();
        }
        f
    }

    /// The expected result bits of the verifier for this (good) packet.
    fn good_bits(&self) -> u8 {
        IPV4 | IP_OK
            | L4_OK
            | match self.l4 {
                L4::Tcp => TCP,
                L4::Udp => UDP,
            }
    }
}

fn random_bytes(rng: &mut ChaCha8Rng, len: usize) -> Vec<u8> {
    (0..len).map(|_| rng.random()).collect()
}

/// Ethernet II + IPv4 (random options, addresses, DF, ID) + TCP (random
/// options, flags) or UDP, with `payload`, checksums by etherparse.
fn build(
    rng: &mut ChaCha8Rng,
    l4: L4,
    ip_options: usize,
    tcp_options: usize,
    payload: &[u8],
) -> Packet {
    let eth = Ethernet2Header {
        source: rng.random(),
        destination: rng.random(),
        ether_type: EtherType::IPV4,
    };
    let proto = match l4 {
        L4::Tcp => IpNumber::TCP,
        L4::Udp => IpNumber::UDP,
    };
    let mut ip = Ipv4Header::new(0, rng.random(), proto, rng.random(), rng.random()).unwrap();
    ip.identification = rng.random();
    ip.dont_fragment = rng.random();
    ip.options = random_bytes(rng, ip_options).as_slice().try_into().unwrap();
    let l4_bytes = match l4 {
        L4::Tcp => {
            let mut tcp = TcpHeader::new(rng.random(), rng.random(), rng.random(), rng.random());
            tcp.acknowledgment_number = rng.random();
            tcp.ack = rng.random();
            tcp.psh = rng.random();
            tcp.syn = rng.random();
            tcp.fin = rng.random();
            tcp.set_options_raw(&random_bytes(rng, tcp_options))
                .unwrap();
            ip.total_len = (ip.header_len() + tcp.header_len() + payload.len()) as u16;
            tcp.checksum = tcp.calc_checksum_ipv4(&ip, payload).unwrap();
            tcp.to_bytes().to_vec()
        }
        L4::Udp => {
            let udp =
                UdpHeader::with_ipv4_checksum(rng.random(), rng.random(), &ip, payload).unwrap();
            ip.total_len = (ip.header_len() + 8 + payload.len()) as u16;
            udp.to_bytes().to_vec()
        }
    };
    ip.header_checksum = ip.calc_header_checksum();
    let mut frame = eth.to_bytes().to_vec();
    frame.extend_from_slice(&ip.to_bytes());
    let l4_start = frame.len();
    frame.extend_from_slice(&l4_bytes);
    frame.extend_from_slice(payload);
    let ip_end = frame.len();
    Packet {
        frame,
        l4,
        l4_start,
        ip_end,
    }
}

/// A random TCP or UDP packet: random IP and TCP option lengths, a payload
/// of 0..=1472 bytes (cut so the frame stays within 1514).
fn random_packet(rng: &mut ChaCha8Rng) -> Packet {
    let l4 = if rng.random() { L4::Tcp } else { L4::Udp };
    let ip_options = 4 * rng.random_range(0..=10);
    let tcp_options = if l4 == L4::Tcp {
        4 * rng.random_range(0..=10)
    } else {
        0
    };
    let l4_header = if l4 == L4::Tcp { 20 + tcp_options } else { 8 };
    let room = MAX_FRAME - ETH_LEN - 20 - ip_options - l4_header;
    let len = rng.random_range(0..=1472usize).min(room);
    let payload = random_bytes(rng, len);
    build(rng, l4, ip_options, tcp_options, &payload)
}

/// A short packet padded to 60 bytes with nonzero bytes, which must never be
/// summed (the L4 sum ends at the IP total length).
fn padded_packet(rng: &mut ChaCha8Rng) -> Packet {
    let l4 = if rng.random() { L4::Tcp } else { L4::Udp };
    let len = match l4 {
        L4::Tcp => rng.random_range(0..6),
        L4::Udp => rng.random_range(0..18),
    };
    let payload = random_bytes(rng, len);
    let mut p = build(rng, l4, 0, 0, &payload);
    while p.frame.len() < 60 {
        p.frame.push(rng.random_range(1..=255));
    }
    p
}

/// A packet whose checksum computes to 0: the payload's last word is chosen
/// so the sum is 0xFFFF. etherparse then gives 0 for TCP and 0xFFFF for UDP.
fn zero_checksum_packet(rng: &mut ChaCha8Rng, l4: L4) -> Packet {
    let len = 2 * rng.random_range(1..=100);
    let mut payload = random_bytes(rng, len);
    payload[len - 2..].fill(0);
    let seed: u64 = rng.random();
    let probe = build(&mut ChaCha8Rng::seed_from_u64(seed), l4, 0, 0, &payload);
    let sum_complement = probe.l4_csum();
    // UDP reports a computed 0 as 0xFFFF: both stand for ~sum = 0 here.
    let word = if sum_complement == 0xFFFF && l4 == L4::Udp {
        0
    } else {
        sum_complement
    };
    payload[len - 2..].copy_from_slice(&word.to_be_bytes());
    build(&mut ChaCha8Rng::seed_from_u64(seed), l4, 0, 0, &payload)
}

fn arp_frame(rng: &mut ChaCha8Rng) -> Vec<u8> {
    let mut f = vec![0xFF; 6];
    f.extend(random_bytes(rng, 6));
    f.extend([0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01]);
    f.extend(random_bytes(rng, 20));
    f.resize(60, 0);
    f
}

/// A fragment (MF set or a nonzero offset) of a UDP datagram.
fn fragment(rng: &mut ChaCha8Rng) -> Vec<u8> {
    let len = rng.random_range(8..200) * 8;
    let payload = random_bytes(rng, len);
    let p = build(rng, L4::Udp, 0, 0, &payload);
    let mut ip = Ipv4Header::from_slice(&p.frame[ETH_LEN..]).unwrap().0;
    if rng.random() {
        ip.more_fragments = true;
    } else {
        ip.fragment_offset = IpFragOffset::try_new(rng.random_range(1..0x2000)).unwrap();
        ip.more_fragments = rng.random();
    }
    ip.header_checksum = ip.calc_header_checksum();
    let mut f = p.frame.clone();
    f[ETH_LEN..ETH_LEN + 20].copy_from_slice(&ip.to_bytes());
    f
}

/// IPv4 carrying neither TCP nor UDP (ICMP, or another random protocol).
fn other_protocol(rng: &mut ChaCha8Rng) -> Vec<u8> {
    let len = rng.random_range(8..300);
    let payload = random_bytes(rng, len);
    let p = build(rng, L4::Udp, 0, 0, &payload);
    let mut ip = Ipv4Header::from_slice(&p.frame[ETH_LEN..]).unwrap().0;
    ip.protocol = IpNumber(loop {
        let n = if rng.random() { 1 } else { rng.random() };
        if n != 6 && n != 17 {
            break n;
        }
    });
    ip.header_checksum = ip.calc_header_checksum();
    let mut f = p.frame.clone();
    f[ETH_LEN..ETH_LEN + 20].copy_from_slice(&ip.to_bytes());
    f
}

fn insert_bench(seed: u64, idle: f64, backpressure: f64) -> CsumInsertBench {
    CsumInsertBench::new(CsumInsertBenchConfig {
        seed,
        idle,
        backpressure,
    })
}

fn budget(frames: &[(Vec<u8>, Vec<u8>)], slowdown: f64) -> u64 {
    let bytes: usize = frames.iter().map(|(i, _)| i.len() + 10).sum();
    (bytes as f64 * slowdown) as u64 + 10_000
}

/// Sends (input, expected output) pairs with csum set, checks every output.
fn check_insert(seed: u64, idle: f64, backpressure: f64, cases: &[(Vec<u8>, Vec<u8>, bool)]) {
    let mut bench = insert_bench(seed, idle, backpressure);
    for (input, _, csum) in cases {
        bench.send(input.clone(), *csum);
    }
    let pairs: Vec<(Vec<u8>, Vec<u8>)> = cases
        .iter()
        .map(|(i, e, _)| (i.clone(), e.clone()))
        .collect();
    let slowdown = 1.0 / ((1.0 - idle) * (1.0 - backpressure)) * 2.0;
    assert!(
        bench.run_until_done(budget(&pairs, slowdown)),
        "frames stuck in the inserter"
    );
    let out = bench.take_received();
    assert_eq!(out.len(), cases.len(), "frames out");
    for (i, (o, (input, expected, _))) in out.iter().zip(cases).enumerate() {
        assert_eq!(o.len(), expected.len(), "frame {i}: length");
        if o != expected {
            let diff: Vec<(usize, u8, u8, u8)> = (0..o.len())
                .filter(|&k| o[k] != expected[k])
                .map(|k| (k, input[k], o[k], expected[k]))
                .collect();
            panic!("frame {i}: (offset, in, out, expected) differ at {diff:x?}");
        }
    }
}

#[test]
fn random_tcp_and_udp_packets_get_etherparse_checksums() {
    let mut rng = ChaCha8Rng::seed_from_u64(100);
    let cases: Vec<(Vec<u8>, Vec<u8>, bool)> = (0..60)
        .map(|_| {
            let p = random_packet(&mut rng);
            (p.with_garbage_checksums(&mut rng), p.frame, true)
        })
        .collect();
    check_insert(101, 0.0, 0.0, &cases);
    check_insert(102, 0.3, 0.5, &cases);
}

#[test]
fn padded_short_frames_sum_only_up_to_the_ip_total_length() {
    let mut rng = ChaCha8Rng::seed_from_u64(110);
    let cases: Vec<(Vec<u8>, Vec<u8>, bool)> = (0..60)
        .map(|_| {
            let p = padded_packet(&mut rng);
            (p.with_garbage_checksums(&mut rng), p.frame, true)
        })
        .collect();
    check_insert(111, 0.2, 0.3, &cases);
}

#[test]
fn udp_computing_zero_is_sent_as_ffff_and_tcp_as_zero() {
    let mut rng = ChaCha8Rng::seed_from_u64(120);
    let mut cases = Vec::new();
    for _ in 0..8 {
        let udp = zero_checksum_packet(&mut rng, L4::Udp);
        assert_eq!(udp.l4_csum(), 0xFFFF, "etherparse: RFC 768 all ones");
        let tcp = zero_checksum_packet(&mut rng, L4::Tcp);
        assert_eq!(tcp.l4_csum(), 0, "etherparse: TCP sends a computed 0");
        for p in [udp, tcp] {
            cases.push((p.with_garbage_checksums(&mut rng), p.frame, true));
        }
    }
    check_insert(121, 0.2, 0.2, &cases);
}

#[test]
fn a_udp_datagram_without_payload_ending_on_its_checksum_keeps_tlast() {
    let mut rng = ChaCha8Rng::seed_from_u64(125);
    let p = build(&mut rng, L4::Udp, 0, 0, &[]);
    assert_eq!(p.frame.len(), 42);
    let q = build(&mut rng, L4::Udp, 8, 0, &[1, 2, 3]);
    let cases = vec![
        (p.with_garbage_checksums(&mut rng), p.frame.clone(), true),
        (q.with_garbage_checksums(&mut rng), q.frame.clone(), true),
    ];
    check_insert(126, 0.0, 0.0, &cases);
}

/// Frames that must leave exactly as they came, with csum requested.
fn untouchable_frames(rng: &mut ChaCha8Rng) -> Vec<(&'static str, Vec<u8>)> {
    let mut frames = Vec::new();
    let garbage = |rng: &mut ChaCha8Rng| {
        let p = random_packet(rng);
        p.with_garbage_checksums(rng)
    };
    frames.push(("arp", arp_frame(rng)));
    frames.push(("fragment", {
        let mut f = fragment(rng);
        f[ETH_LEN + 10] ^= 0x5A;
        f
    }));
    frames.push(("other protocol", {
        let mut f = other_protocol(rng);
        f[ETH_LEN + 11] ^= 0x33;
        f
    }));
    frames.push(("IHL < 5", {
        let mut f = garbage(rng);
        f[ETH_LEN] = 0x44;
        f
    }));
    frames.push(("version 6 in an IPv4 ethertype", {
        let mut f = garbage(rng);
        f[ETH_LEN] = 0x65;
        f
    }));
    frames.push(("IPv6 ethertype", {
        let mut f = garbage(rng);
        f[12..14].copy_from_slice(&[0x86, 0xDD]);
        f
    }));
    frames.push(("total length beyond the frame", {
        let p = random_packet(rng);
        let mut f = p.with_garbage_checksums(rng);
        f.truncate(p.ip_end - 1);
        f
    }));
    frames.push(("TCP length shorter than its header", {
        let p = build(rng, L4::Tcp, 0, 0, &[]);
        let mut f = p.with_garbage_checksums(rng);
        f[ETH_LEN + 2..ETH_LEN + 4].copy_from_slice(&(20u16 + 17).to_be_bytes());
        f
    }));
    frames.push(("UDP length shorter than its header", {
        let p = build(rng, L4::Udp, 0, 0, &[9; 10]);
        let mut f = p.with_garbage_checksums(rng);
        f[ETH_LEN + 2..ETH_LEN + 4].copy_from_slice(&(20u16 + 7).to_be_bytes());
        f
    }));
    for len in [1usize, 2, 13, 14, 15, 20, 33, 34, 41] {
        let mut f = garbage(rng);
        f.truncate(len);
        frames.push(("a runt of an IP frame", f));
    }
    frames.push(("random bytes", random_bytes(rng, 400)));
    frames
}

#[test]
fn non_tcp_udp_fragments_arp_and_malformed_frames_pass_unchanged() {
    let mut rng = ChaCha8Rng::seed_from_u64(130);
    let mut cases = Vec::new();
    for _ in 0..3 {
        for (_, f) in untouchable_frames(&mut rng) {
            cases.push((f.clone(), f, true));
            // Interleave good packets so no state leaks from one frame to the next.
            let p = padded_packet(&mut rng);
            cases.push((p.with_garbage_checksums(&mut rng), p.frame, true));
        }
    }
    check_insert(131, 0.2, 0.4, &cases);
}

#[test]
fn frames_without_the_csum_flag_pass_unchanged() {
    let mut rng = ChaCha8Rng::seed_from_u64(140);
    let mut cases = Vec::new();
    for i in 0..30 {
        let p = random_packet(&mut rng);
        let garbled = p.with_garbage_checksums(&mut rng);
        if i % 2 == 0 {
            cases.push((garbled.clone(), garbled, false));
        } else {
            cases.push((garbled, p.frame, true));
        }
    }
    check_insert(141, 0.3, 0.3, &cases);
}

#[test]
fn a_frame_longer_than_the_fifo_cuts_through_unchanged_and_the_next_is_fine() {
    let mut rng = ChaCha8Rng::seed_from_u64(150);
    let mut long = random_packet(&mut rng).with_garbage_checksums(&mut rng);
    long.extend(random_bytes(&mut rng, 3000 - long.len()));
    let exactly_fifo = {
        let payload = random_bytes(&mut rng, 2048 - 42);
        let p = build(&mut rng, L4::Udp, 0, 0, &payload);
        (p.with_garbage_checksums(&mut rng), p.frame, true)
    };
    let p = random_packet(&mut rng);
    let cases = vec![
        (long.clone(), long, true),
        (p.with_garbage_checksums(&mut rng), p.frame, true),
        exactly_fifo,
    ];
    check_insert(151, 0.1, 0.6, &cases);
}

#[test]
fn back_to_back_frames_stream_at_one_byte_per_cycle_plus_a_few_per_frame() {
    let mut rng = ChaCha8Rng::seed_from_u64(160);
    let mut bench = insert_bench(161, 0.0, 0.0);
    let packets: Vec<Packet> = (0..40).map(|_| random_packet(&mut rng)).collect();
    for p in &packets {
        bench.send(p.with_garbage_checksums(&mut rng), true);
    }
    let bytes: u64 = packets.iter().map(|p| p.frame.len() as u64).sum();
    assert!(bench.run_until_done(bytes * 2 + 10_000));
    let out = bench.take_received();
    assert_eq!(
        out,
        packets.iter().map(|p| p.frame.clone()).collect::<Vec<_>>()
    );
    // Store-and-forward: the last frame leaves after it is all in, so the
    // total is the bytes in, 4 patch cycles per frame, and one last frame out.
    let last = packets.last().unwrap().frame.len() as u64;
    let limit = bytes + 4 * packets.len() as u64 + last + 16;
    assert!(
        bench.cycles() <= limit,
        "{} cycles, limit {limit}",
        bench.cycles()
    );
}

// ---- verification (SPEC F3) ----

fn check_verify(seed: u64, idle: f64, frames: &[(Vec<u8>, u8, String)]) {
    let mut bench = CsumVerifyBench::new(seed, idle);
    for (f, _, _) in frames {
        bench.send(f.clone());
    }
    let bytes: usize = frames.iter().map(|(f, _, _)| f.len()).sum();
    assert!(bench.run_until_done((bytes as f64 / (1.0 - idle)) as u64 * 2 + 1000));
    let results = bench.take_results();
    assert_eq!(results.len(), frames.len(), "one result per frame");
    assert_eq!(bench.spurious_results(), 0, "result_valid without a frame");
    for (i, (r, (_, want, what))) in results.iter().zip(frames).enumerate() {
        assert_eq!(
            r.latency, 1,
            "frame {i} ({what}): result the cycle after tlast"
        );
        assert_eq!(
            r.bits, *want,
            "frame {i} ({what}): got {:#07b}, want {want:#07b}",
            r.bits
        );
    }
}

#[test]
fn good_packets_verify_ok() {
    let mut rng = ChaCha8Rng::seed_from_u64(200);
    let mut frames = Vec::new();
    for _ in 0..50 {
        let p = random_packet(&mut rng);
        frames.push((p.frame.clone(), p.good_bits(), "random".to_string()));
        let p = padded_packet(&mut rng);
        frames.push((p.frame.clone(), p.good_bits(), "padded".to_string()));
    }
    for _ in 0..4 {
        for l4 in [L4::Tcp, L4::Udp] {
            let p = zero_checksum_packet(&mut rng, l4);
            frames.push((
                p.frame.clone(),
                p.good_bits(),
                format!("{l4:?} computing 0"),
            ));
        }
    }
    check_verify(201, 0.0, &frames);
    check_verify(202, 0.4, &frames);
}

#[test]
fn udp_without_checksum_verifies_ok() {
    let mut rng = ChaCha8Rng::seed_from_u64(210);
    let frames: Vec<_> = (0..20)
        .map(|_| {
            let payload = random_bytes(&mut rng, 100);
            let mut p = build(&mut rng, L4::Udp, 0, 0, &payload);
            let r = p.l4_csum_range();
            p.frame[r].fill(0);
            (p.frame.clone(), p.good_bits(), "UDP checksum 0".to_string())
        })
        .collect();
    check_verify(211, 0.2, &frames);
}

#[test]
fn one_corrupted_byte_in_the_ip_header_clears_ip_ok() {
    let mut rng = ChaCha8Rng::seed_from_u64(220);
    let mut frames = Vec::new();
    for _ in 0..80 {
        let p = if rng.random() {
            random_packet(&mut rng)
        } else {
            padded_packet(&mut rng)
        };
        let mut f = p.frame.clone();
        let at = rng.random_range(ETH_LEN..p.l4_start);
        f[at] ^= rng.random_range(1..=255u8);
        frames.push((f, at));
    }
    let mut bench = CsumVerifyBench::new(221, 0.3);
    for (f, _) in &frames {
        bench.send(f.clone());
    }
    assert!(bench.run_until_done(400_000));
    let results = bench.take_results();
    assert_eq!(results.len(), frames.len());
    for (r, (_, at)) in results.iter().zip(&frames) {
        assert_eq!(
            r.bits & IP_OK,
            0,
            "byte {at} of the IP header corrupted: {:#07b}",
            r.bits
        );
    }
}

#[test]
fn one_corrupted_byte_in_the_l4_header_or_payload_clears_l4_ok() {
    let mut rng = ChaCha8Rng::seed_from_u64(230);
    let mut frames = Vec::new();
    for i in 0..100 {
        let p = if i % 2 == 0 {
            random_packet(&mut rng)
        } else {
            padded_packet(&mut rng)
        };
        let mut f = p.frame.clone();
        loop {
            let at = if rng.random() {
                rng.random_range(p.l4_start..(p.l4_start + 20).min(p.ip_end))
            } else {
                rng.random_range(p.l4_start..p.ip_end)
            };
            let mut g = f.clone();
            g[at] ^= rng.random_range(1..=255u8);
            let r = p.l4_csum_range();
            // A UDP checksum field turned to 0 means "none", which is fine.
            if p.l4 == L4::Udp && g[r.start] == 0 && g[r.start + 1] == 0 {
                continue;
            }
            f = g;
            break;
        }
        frames.push((f, p.good_bits() & !L4_OK, format!("packet {i}")));
    }
    check_verify(231, 0.3, &frames);
}

#[test]
fn corrupted_padding_does_not_matter() {
    let mut rng = ChaCha8Rng::seed_from_u64(240);
    let frames: Vec<_> = (0..40)
        .map(|_| {
            let mut p = padded_packet(&mut rng);
            for b in &mut p.frame[p.ip_end..] {
                *b = rng.random();
            }
            (p.frame.clone(), p.good_bits(), "padding".to_string())
        })
        .collect();
    check_verify(241, 0.1, &frames);
}

#[test]
fn non_ip_fragments_other_protocols_and_malformed_frames_are_classified() {
    let mut rng = ChaCha8Rng::seed_from_u64(250);
    let mut frames = Vec::new();
    for _ in 0..4 {
        frames.push((arp_frame(&mut rng), 0, "arp".to_string()));
        frames.push((fragment(&mut rng), IPV4 | IP_OK, "fragment".to_string()));
        frames.push((
            other_protocol(&mut rng),
            IPV4 | IP_OK,
            "other protocol".to_string(),
        ));
        let p = random_packet(&mut rng);
        let mut f = p.frame.clone();
        f[12..14].copy_from_slice(&[0x86, 0xDD]);
        frames.push((f, 0, "IPv6 ethertype".to_string()));
        let mut f = p.frame.clone();
        f.truncate(p.ip_end - 1);
        frames.push((f, 0, "total length beyond the frame".to_string()));
        let mut f = p.frame.clone();
        f[ETH_LEN] = 0x44;
        frames.push((f, 0, "IHL < 5".to_string()));
        let mut f = p.frame.clone();
        f[ETH_LEN] = (f[ETH_LEN] & 0x0F) | 0x60;
        frames.push((f, 0, "version 6".to_string()));
        let mut f = p.frame.clone();
        let ihl4 = ((f[ETH_LEN] & 0xF) as u16) * 4;
        f[ETH_LEN + 2..ETH_LEN + 4].copy_from_slice(&(ihl4 - 1).to_be_bytes());
        frames.push((f, 0, "total length < IHL·4".to_string()));
        frames.push((vec![0x08; 1], 0, "one byte".to_string()));
        frames.push((
            p.frame[..30].to_vec(),
            0,
            "cut in the IP header".to_string(),
        ));
        // A good packet after each batch: nothing leaks across frames.
        frames.push((p.frame.clone(), p.good_bits(), "good".to_string()));
    }
    check_verify(251, 0.25, &frames);
}

#[test]
fn inserted_checksums_verify_ok() {
    // End to end through both blocks: garbage in, inserter, verifier.
    let mut rng = ChaCha8Rng::seed_from_u64(260);
    let packets: Vec<Packet> = (0..20).map(|_| random_packet(&mut rng)).collect();
    let mut ins = insert_bench(261, 0.1, 0.1);
    for p in &packets {
        ins.send(p.with_garbage_checksums(&mut rng), true);
    }
    assert!(ins.run_until_done(200_000));
    let mut ver = CsumVerifyBench::new(262, 0.1);
    for f in ins.take_received() {
        ver.send(f);
    }
    assert!(ver.run_until_done(200_000));
    let bits: Vec<u8> = ver.take_results().iter().map(|r| r.bits).collect();
    assert_eq!(
        bits,
        packets.iter().map(Packet::good_bits).collect::<Vec<_>>()
    );
}
