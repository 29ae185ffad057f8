//! TCP segmentation offload in Verilator (SPEC F5, W4, W5): header templates
//! built with `etherparse` (an independent implementation of the formats),
//! random IPv4 and TCP options, sequence numbers near 2^32 and IP IDs near
//! 65,535 so both wrap, random payload sizes and MSS, random idle on the input
//! and backpressure on the output. Every frame out is parsed with etherparse
//! and its header compared byte for byte with one etherparse serialises from
//! the template and the rules of F5.
use etherparse::{
    EtherType, Ethernet2Header, IpNumber, Ipv4Header, NetHeaders, PacketHeaders, TcpHeader,
    TcpOptionElement, TransportHeader,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use synack_sim::testbench::tso::{CmdReport, TsoBench, TsoBenchConfig, TsoCommand};

const MSS_CHOICES: [u16; 3] = [536, 1000, 1460];

/// A header template as the host driver would write it for a TSO send.
#[derive(Clone, Debug)]
struct Template {
    eth: Ethernet2Header,
    ip: Ipv4Header,
    tcp: TcpHeader,
}

impl Template {
    fn hdr_len(&self) -> usize {
        Ethernet2Header::LEN + self.ip.header_len() + self.tcp.header_len()
    }

    fn bytes(&self) -> Vec<u8> {
        let mut v = self.eth.to_bytes().to_vec();
        v.extend_from_slice(&self.ip.to_bytes());
        v.extend_from_slice(&self.tcp.to_bytes());
        v
    }

    /// SPEC F5: the header of segment `k` carrying `seg_len` payload bytes,
    /// serialised by etherparse. Checksums are zero: ip_csum_insert fills them.
    fn segment_header(&self, k: usize, seg_len: usize, mss: u16, last: bool) -> Vec<u8> {
        let mut ip = self.ip.clone();
        ip.total_len = (self.ip.header_len() + self.tcp.header_len() + seg_len) as u16;
        ip.identification = self.ip.identification.wrapping_add(k as u16);
        ip.header_checksum = 0;
        let mut tcp = self.tcp.clone();
        tcp.sequence_number = self
            .tcp
            .sequence_number
            .wrapping_add((k as u32).wrapping_mul(mss as u32));
        tcp.fin &= last;
        tcp.psh &= last;
        tcp.checksum = 0;
        Template {
            eth: self.eth.clone(),
            ip,
            tcp,
        }
        .bytes()
    }
}

/// A random IPv4/TCP template: IP options of 0–40 bytes, TCP options with
/// timestamps (and sometimes MSS, window scale, SACK-permitted), a sequence
/// number within 200,000 of 2^32, an IP ID within 40 of 65,535, FIN|PSH|ACK.
fn random_template(rng: &mut ChaCha8Rng) -> Template {
    let eth = Ethernet2Header {
        source: rng.random(),
        destination: rng.random(),
        ether_type: EtherType::IPV4,
    };
    let ip_opt_words = rng.random_range(0..=10usize);
    let ip_options: Vec<u8> = (0..ip_opt_words * 4).map(|_| rng.random()).collect();
    let mut ip = Ipv4Header::new(0, 64, IpNumber::TCP, rng.random(), rng.random()).unwrap();
    ip.options = ip_options.as_slice().try_into().unwrap();
    // Whatever the host left in these fields, each segment gets its own.
    ip.total_len = rng.random();
    ip.header_checksum = rng.random();
    ip.identification = u16::MAX - rng.random_range(0..40);
    ip.time_to_live = rng.random_range(1..=255);
    let seq = u32::MAX - rng.random_range(0..200_000);
    let mut tcp = TcpHeader::new(rng.random(), rng.random(), seq, rng.random());
    tcp.acknowledgment_number = rng.random();
    tcp.ack = true;
    tcp.psh = true;
    tcp.fin = true;
    tcp.urg = rng.random_bool(0.3);
    tcp.ece = rng.random_bool(0.3);
    tcp.cwr = rng.random_bool(0.3);
    tcp.urgent_pointer = if tcp.urg { rng.random() } else { 0 };
    tcp.checksum = rng.random();
    let mut options = vec![
        TcpOptionElement::Noop,
        TcpOptionElement::Noop,
        TcpOptionElement::Timestamp(rng.random(), rng.random()),
    ];
    if rng.random_bool(0.5) {
        options.push(TcpOptionElement::MaximumSegmentSize(rng.random()));
    }
    if rng.random_bool(0.5) {
        options.push(TcpOptionElement::WindowScale(rng.random_range(0..15)));
        options.push(TcpOptionElement::SelectiveAcknowledgementPermitted);
    }
    if rng.random_bool(0.3) {
        // Pads the options to the 40-byte maximum.
        let used: usize = options
            .iter()
            .map(|o| match o {
                TcpOptionElement::Noop => 1,
                TcpOptionElement::Timestamp(..) => 10,
                TcpOptionElement::MaximumSegmentSize(_) => 4,
                TcpOptionElement::WindowScale(_) => 3,
                TcpOptionElement::SelectiveAcknowledgementPermitted => 2,
                _ => unreachable!(),
            })
            .sum();
        options.extend((used..40).map(|_| TcpOptionElement::Noop));
    }
    tcp.set_options(&options).unwrap();
    Template { eth, ip, tcp }
}

fn random_payload(rng: &mut ChaCha8Rng, len: usize) -> Vec<u8> {
    (0..len).map(|_| rng.random()).collect()
}

/// Payload sizes over 1–65,535 bytes: mostly uniform, sometimes on a log
/// scale, so that sends within one MSS and of a few segments come up too.
fn random_payload_len(rng: &mut ChaCha8Rng) -> usize {
    if rng.random_bool(0.3) {
        let exp: f64 = rng.random_range(0.0..16.0);
        (2f64.powf(exp) as usize).clamp(1, 65_535)
    } else {
        rng.random_range(1..=65_535)
    }
}

fn tso_command(t: &Template, payload: &[u8], mss: u16) -> TsoCommand {
    let mut buf = t.bytes();
    buf.extend_from_slice(payload);
    TsoCommand {
        buf,
        hdr_len: t.hdr_len() as u8,
        mss,
        tso: true,
        csum: false,
    }
}

/// Every frame of a TSO send against SPEC F5, through etherparse.
fn check_tso_send(case: &str, t: &Template, payload: &[u8], mss: u16, r: &CmdReport) {
    let hdr_len = t.hdr_len();
    let expected_frames = payload.len().div_ceil(mss as usize).max(1);
    assert!(!r.cmd_error, "{case}: cmd_error on a good command");
    if payload.is_empty() {
        // A TSO send without payload goes out unchanged, checksummed.
        assert_eq!(
            (r.frames.len(), r.cmd_frames, r.seg_done),
            (1, 1, 1),
            "{case}: one frame"
        );
        let f = &r.frames[0];
        assert!(
            f.csum && f.csum_steady,
            "{case}: m_axis_csum must be 1 with TSO"
        );
        assert_eq!(
            &f.bytes[..hdr_len],
            &t.bytes()[..],
            "{case}: header changed"
        );
        assert!(&f.bytes[hdr_len..] == payload, "{case}: payload changed");
        return;
    }
    assert_eq!(r.frames.len(), expected_frames, "{case}: frames out");
    assert_eq!(r.cmd_frames as usize, expected_frames, "{case}: cmd_frames");
    assert_eq!(r.seg_done, expected_frames, "{case}: seg_done pulses");
    let mut joined = Vec::with_capacity(payload.len());
    for (k, f) in r.frames.iter().enumerate() {
        let last = k + 1 == expected_frames;
        let seg_len = if last {
            payload.len() - k * mss as usize
        } else {
            mss as usize
        };
        let at = format!("{case}: segment {k} of {expected_frames}");
        assert!(
            f.csum && f.csum_steady,
            "{at}: m_axis_csum must be 1 with TSO"
        );
        assert_eq!(f.bytes.len(), hdr_len + seg_len, "{at}: frame length");

        let parsed = PacketHeaders::from_ethernet_slice(&f.bytes)
            .unwrap_or_else(|e| panic!("{at}: etherparse rejects the frame: {e:?}"));
        let Some(NetHeaders::Ipv4(ip, _)) = &parsed.net else {
            panic!("{at}: not IPv4: {:?}", parsed.net)
        };
        let Some(TransportHeader::Tcp(tcp)) = &parsed.transport else {
            panic!("{at}: not TCP: {:?}", parsed.transport)
        };
        // W4: payload length = IP total length − IP header − TCP header.
        assert_eq!(
            ip.total_len as usize,
            f.bytes.len() - Ethernet2Header::LEN,
            "{at}: IPv4 total length"
        );
        assert_eq!(
            ip.identification,
            t.ip.identification.wrapping_add(k as u16),
            "{at}: IPv4 ID"
        );
        assert_eq!(
            tcp.sequence_number,
            t.tcp.sequence_number.wrapping_add(k as u32 * mss as u32),
            "{at}: TCP sequence number"
        );
        assert_eq!(
            (tcp.fin, tcp.psh),
            (last, last),
            "{at}: FIN and PSH only on the last segment"
        );
        assert_eq!(
            (tcp.ack, tcp.urg, tcp.ece, tcp.cwr, tcp.syn, tcp.rst),
            (t.tcp.ack, t.tcp.urg, t.tcp.ece, t.tcp.cwr, false, false),
            "{at}: other flags as in the template"
        );
        assert_eq!(
            (ip.header_checksum, tcp.checksum),
            (0, 0),
            "{at}: checksums are left to ip_csum_insert"
        );
        assert_eq!(
            ip.options.as_slice(),
            t.ip.options.as_slice(),
            "{at}: IP options"
        );
        assert_eq!(
            tcp.options.as_slice(),
            t.tcp.options.as_slice(),
            "{at}: TCP options"
        );
        // Every other header byte as in the template.
        assert_eq!(
            &f.bytes[..hdr_len],
            &t.segment_header(k, seg_len, mss, last)[..],
            "{at}: header bytes"
        );
        assert_eq!(
            parsed.payload.slice().len(),
            seg_len,
            "{at}: payload length"
        );
        joined.extend_from_slice(parsed.payload.slice());
    }
    assert!(
        joined == payload,
        "{case}: the payloads joined differ from the send"
    );
}

/// Cycle budget for a batch of commands: every byte in and out, with slack
/// for idle and backpressure.
fn budget(cmds: &[TsoCommand], cfg: &TsoBenchConfig) -> u64 {
    let bytes: u64 = cmds
        .iter()
        .map(|c| {
            let segs = if c.mss == 0 {
                1
            } else {
                (c.buf.len() as u64 / c.mss as u64) + 1
            };
            c.buf.len() as u64 + segs * (c.hdr_len as u64 + 8) + 64
        })
        .sum();
    let slow = 1.0 / (1.0 - cfg.in_idle.max(cfg.out_backpressure));
    (bytes as f64 * slow * 2.0) as u64 + 10_000
}

fn run(cfg: TsoBenchConfig, cmds: &[TsoCommand]) -> Vec<CmdReport> {
    let mut bench = TsoBench::new(cfg);
    for c in cmds {
        bench.submit(c.clone());
    }
    let limit = budget(cmds, &cfg);
    assert!(
        bench.run_until_reports(cmds.len(), limit),
        "the segmenter stalled: {} of {} commands done after {limit} cycles",
        bench.take_reports().len(),
        cmds.len()
    );
    let reports = bench.take_reports();
    assert_eq!(reports.len(), cmds.len());
    reports
}

fn random_tso_batch(seed: u64, count: usize, cfg: TsoBenchConfig) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut sends = Vec::new();
    for i in 0..count {
        let t = random_template(&mut rng);
        let mss = MSS_CHOICES[rng.random_range(0..MSS_CHOICES.len())];
        // The first of each batch is the largest send there is.
        let len = if i == 0 {
            65_535
        } else {
            random_payload_len(&mut rng)
        };
        let payload = random_payload(&mut rng, len);
        sends.push((t, payload, mss));
    }
    let cmds: Vec<TsoCommand> = sends
        .iter()
        .map(|(t, p, mss)| tso_command(t, p, *mss))
        .collect();
    let reports = run(cfg, &cmds);
    for (i, ((t, p, mss), r)) in sends.iter().zip(&reports).enumerate() {
        let case = format!(
            "seed {seed} send {i} (payload {}, mss {mss}, hdr {})",
            p.len(),
            t.hdr_len()
        );
        check_tso_send(&case, t, p, *mss, r);
    }
}

#[test]
fn tso_cuts_random_sends_into_mss_segments_with_per_segment_headers() {
    random_tso_batch(
        11,
        8,
        TsoBenchConfig {
            seed: 11,
            in_idle: 0.0,
            out_backpressure: 0.0,
        },
    );
}

#[test]
fn tso_cuts_random_sends_under_random_idle_and_backpressure() {
    random_tso_batch(
        12,
        8,
        TsoBenchConfig {
            seed: 12,
            in_idle: 0.3,
            out_backpressure: 0.3,
        },
    );
    random_tso_batch(
        13,
        8,
        TsoBenchConfig {
            seed: 13,
            in_idle: 0.6,
            out_backpressure: 0.1,
        },
    );
    random_tso_batch(
        14,
        8,
        TsoBenchConfig {
            seed: 14,
            in_idle: 0.05,
            out_backpressure: 0.7,
        },
    );
}

#[test]
fn tso_edge_sizes_and_wrapping_seq_and_id() {
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let mut sends = Vec::new();
    for (payload_len, mss) in [
        (1461, 1460),
        (2920, 1460),
        (2919, 1460),
        (3 * 536 + 1, 536),
        (1001, 1000),
        (2, 1),
        (300, 1),
        (65_535, 65_000),
    ] {
        let mut t = random_template(&mut rng);
        if mss == 1 {
            // 300 one-byte segments: the IP ID passes 65,535 → 0 and the
            // sequence number passes 2^32 → 0 mid-send.
            t.ip.identification = 65_400;
            t.tcp.sequence_number = u32::MAX - 100;
        }
        sends.push((t, random_payload(&mut rng, payload_len), mss));
    }
    // Smallest and largest headers: no options, then 40 bytes of each.
    let mut t = random_template(&mut rng);
    t.ip.options = [].into();
    t.tcp.set_options(&[]).unwrap();
    assert_eq!(t.hdr_len(), 54);
    sends.push((t, random_payload(&mut rng, 5000), 1000));
    let mut t = random_template(&mut rng);
    t.ip.options = [1u8; 40].into();
    t.tcp
        .set_options(&vec![TcpOptionElement::Noop; 40])
        .unwrap();
    assert_eq!(t.hdr_len(), 134);
    sends.push((t, random_payload(&mut rng, 5000), 536));

    let cmds: Vec<TsoCommand> = sends
        .iter()
        .map(|(t, p, mss)| tso_command(t, p, *mss))
        .collect();
    let cfg = TsoBenchConfig {
        seed: 21,
        in_idle: 0.2,
        out_backpressure: 0.2,
    };
    for (i, ((t, p, mss), r)) in sends.iter().zip(&run(cfg, &cmds)).enumerate() {
        let case = format!("edge send {i} (payload {}, mss {mss})", p.len());
        check_tso_send(&case, t, p, *mss, r);
    }
}

#[test]
fn non_tso_commands_and_sends_within_one_mss_pass_through_byte_identical() {
    let mut rng = ChaCha8Rng::seed_from_u64(31);
    let mut cmds = Vec::new();
    // Without TSO: any bytes at all (not even IPv4), any descriptor fields.
    for _ in 0..12 {
        let len = rng.random_range(1..=1514);
        cmds.push(TsoCommand {
            buf: random_payload(&mut rng, len),
            hdr_len: rng.random(),
            mss: rng.random(),
            tso: false,
            csum: rng.random_bool(0.5),
        });
    }
    // With TSO but no payload: one frame, unchanged.
    for payload_len in [0usize] {
        let t = random_template(&mut rng);
        let payload = random_payload(&mut rng, payload_len);
        cmds.push(tso_command(&t, &payload, 1460));
    }
    let cfg = TsoBenchConfig {
        seed: 31,
        in_idle: 0.3,
        out_backpressure: 0.3,
    };
    for (i, (c, r)) in cmds.iter().zip(&run(cfg, &cmds)).enumerate() {
        assert!(!r.cmd_error, "command {i}: cmd_error");
        assert_eq!(
            (r.frames.len(), r.cmd_frames, r.seg_done),
            (1, 1, 1),
            "command {i}: one frame"
        );
        let f = &r.frames[0];
        assert!(
            f.bytes == c.buf,
            "command {i}: the frame differs from the buffer"
        );
        assert!(f.csum_steady, "command {i}: m_axis_csum changed mid-frame");
        assert_eq!(f.csum, c.csum || c.tso, "command {i}: m_axis_csum");
    }
}

#[test]
fn tso_sends_within_one_mss_become_one_segment_with_its_header_rewritten() {
    let mut rng = ChaCha8Rng::seed_from_u64(33);
    let mut cases = Vec::new();
    for payload_len in [1usize, 2, 700, 1459, 1460] {
        let t = random_template(&mut rng);
        let payload = random_payload(&mut rng, payload_len);
        cases.push((t, payload));
    }
    let cmds: Vec<TsoCommand> = cases.iter().map(|(t, p)| tso_command(t, p, 1460)).collect();
    let cfg = TsoBenchConfig {
        seed: 33,
        in_idle: 0.2,
        out_backpressure: 0.2,
    };
    for (i, ((t, p), r)) in cases.iter().zip(&run(cfg, &cmds)).enumerate() {
        check_tso_send(&format!("send {i} of {} bytes", p.len()), t, p, 1460, r);
    }
}

#[test]
fn bad_commands_are_reported_and_do_not_stall_the_next() {
    let mut rng = ChaCha8Rng::seed_from_u64(41);
    let good_t = random_template(&mut rng);
    let good_payload = random_payload(&mut rng, 3000);
    let good = tso_command(&good_t, &good_payload, 1000);
    let t = random_template(&mut rng);
    let base = tso_command(&t, &random_payload(&mut rng, 4000), 1000);
    let ip_at = Ethernet2Header::LEN;

    let mut bad: Vec<(&str, TsoCommand)> = Vec::new();
    bad.push(("len 0", TsoCommand::default()));
    bad.push((
        "len 0 with TSO",
        TsoCommand {
            tso: true,
            mss: 1000,
            hdr_len: 54,
            ..Default::default()
        },
    ));
    let mut c = base.clone();
    c.hdr_len = 53;
    bad.push(("hdr_len 53", c));
    let mut c = base.clone();
    c.buf.truncate(base.hdr_len as usize - 1);
    bad.push(("hdr_len > len", c));
    let mut c = base.clone();
    c.mss = 0;
    bad.push(("mss 0", c));
    let mut c = tso_command(&t, &random_payload(&mut rng, 65_536), 1460);
    c.csum = true;
    bad.push(("payload 65,536", c));
    let mut big = random_template(&mut rng);
    big.ip.options = [1u8; 40].into();
    big.tcp
        .set_options(&vec![TcpOptionElement::Noop; 40])
        .unwrap();
    bad.push((
        "IP total length over 65,535",
        tso_command(&big, &random_payload(&mut rng, 65_535), 65_500),
    ));
    let mut c = base.clone();
    c.hdr_len += 4;
    bad.push(("hdr_len beyond the TCP header", c));
    let mut c = base.clone();
    c.hdr_len -= 4;
    bad.push(("hdr_len short of the TCP header", c));
    let mut c = base.clone();
    c.buf[12..14].copy_from_slice(&[0x86, 0xDD]);
    bad.push(("EtherType IPv6", c));
    let mut c = base.clone();
    c.buf[ip_at] = 0x44;
    bad.push(("IHL 4", c));
    let mut c = base.clone();
    c.buf[ip_at] = 0x65;
    bad.push(("IP version 6", c));
    let mut c = base.clone();
    c.buf[ip_at + 9] = 17;
    bad.push(("protocol UDP", c));

    let mut cmds = Vec::new();
    for (_, c) in &bad {
        cmds.push(c.clone());
        cmds.push(good.clone());
    }
    let cfg = TsoBenchConfig {
        seed: 41,
        in_idle: 0.2,
        out_backpressure: 0.2,
    };
    let reports = run(cfg, &cmds);
    for (i, (name, _)) in bad.iter().enumerate() {
        let r = &reports[2 * i];
        assert!(r.cmd_error, "{name}: cmd_error not reported");
        assert!(r.frames.is_empty(), "{name}: a bad command sent a frame");
        assert_eq!((r.cmd_frames, r.seg_done), (0, 0), "{name}: frames counted");
        check_tso_send(
            &format!("good send after {name}"),
            &good_t,
            &good_payload,
            1000,
            &reports[2 * i + 1],
        );
    }
}

#[test]
fn segments_stream_at_one_byte_per_cycle_with_short_gaps() {
    let mut rng = ChaCha8Rng::seed_from_u64(51);
    let t = random_template(&mut rng);
    let payload = random_payload(&mut rng, 20_000);
    let cmds = [
        tso_command(&t, &payload, 1460),
        tso_command(&t, &payload, 536),
    ];
    let reports = run(TsoBenchConfig::default(), &cmds);
    for (c, r) in cmds.iter().zip(&reports) {
        check_tso_send("back to back", &t, &payload, c.mss, r);
        for f in &r.frames {
            assert_eq!(
                f.last_cycle - f.first_cycle + 1,
                f.bytes.len() as u64,
                "a frame has a bubble"
            );
        }
        for w in r.frames.windows(2) {
            let gap = w[1].first_cycle - w[0].last_cycle - 1;
            assert!(gap <= 2, "{gap} idle cycles between segments");
        }
    }
    // Header capture, then the frames without pause: a handful of cycles
    // between one command's last beat and the next one's first.
    let gap = reports[1].frames[0].first_cycle - reports[0].frames.last().unwrap().last_cycle;
    assert!(
        gap <= t.hdr_len() as u64 + 8,
        "{gap} cycles between two commands"
    );
}
