//! `NicCore` in Verilator (SPEC F3–F8): descriptors in host memory, registers
//! over AXI4-Lite, frames on MII. Frames on the wire are checked with
//! `etherparse`, an independent implementation.
use etherparse::{PacketBuilder, SlicedPacket, TransportSlice};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use synack_abi::regs::{self, control, stat, stat_offset};
use synack_abi::ring::{PHASE, RxDesc, TxDesc, rx_csum, tx_flags, tx_status};
use synack_sim::axi_memory::{AxiMemory, AxiMemoryConfig};
use synack_sim::testbench::nic::{Fidelity, NicBench, NicBenchConfig, RingLayout};

const TX: RingLayout = RingLayout {
    desc_base: 0x1000,
    cpl_base: 0x2000,
    log2: 3,
};
const RX: RingLayout = RingLayout {
    desc_base: 0x3000,
    cpl_base: 0x4000,
    log2: 3,
};
const TX_BUFFERS: u32 = 0x1_0000;
const RX_BUFFERS: u32 = 0x8_0000;

fn bench(loopback: bool, seed: u64) -> NicBench {
    let mut config = NicBenchConfig {
        loopback,
        ..Default::default()
    };
    config.memory.seed = seed;
    NicBench::new(config)
}

/// An IPv4/TCP frame with the checksums left zero for the fabric.
fn tcp_frame(seq: u32, payload: &[u8], fin: bool) -> (Vec<u8>, usize) {
    let mut builder = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
        .ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64)
        .tcp(40000, 80, seq, 64240)
        .ack(12345)
        .psh();
    if fin {
        builder = builder.fin();
    }
    let mut frame = Vec::new();
    builder.write(&mut frame, payload).unwrap();
    // Zero both checksums: the fabric must insert them.
    frame[24] = 0;
    frame[25] = 0;
    frame[14 + 20 + 16] = 0;
    frame[14 + 20 + 17] = 0;
    (frame, 14 + 20 + 20)
}

fn udp_frame(payload: &[u8]) -> Vec<u8> {
    let builder = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
        .ipv4([192, 168, 7, 1], [192, 168, 7, 2], 64)
        .udp(40001, 40002);
    let mut frame = Vec::new();
    builder.write(&mut frame, payload).unwrap();
    frame[24] = 0;
    frame[25] = 0;
    frame[14 + 20 + 6] = 0;
    frame[14 + 20 + 7] = 0;
    frame
}

/// Checks both checksums of an IPv4 TCP/UDP frame with etherparse.
fn assert_checksums_valid(frame: &[u8]) {
    let packet = SlicedPacket::from_ethernet(frame).expect("etherparse parses the frame");
    let Some(etherparse::NetSlice::Ipv4(ip)) = &packet.net else {
        panic!("not IPv4")
    };
    let header = ip.header().to_header();
    assert_eq!(
        header.header_checksum,
        header.calc_header_checksum(),
        "IPv4 header checksum"
    );
    match &packet.transport {
        Some(TransportSlice::Tcp(tcp)) => {
            let expected = tcp
                .to_header()
                .calc_checksum_ipv4(&header, tcp.payload())
                .unwrap();
            assert_eq!(tcp.checksum(), expected, "TCP checksum");
        }
        Some(TransportSlice::Udp(udp)) => {
            let expected = udp
                .to_header()
                .calc_checksum_ipv4(&header, udp.payload())
                .unwrap();
            assert_eq!(udp.checksum(), expected, "UDP checksum");
        }
        other => panic!("not TCP/UDP: {other:?}"),
    }
}

/// Posts `frame` as TX descriptor `index` and rings the doorbell.
fn send(b: &mut NicBench, index: u32, frame: &[u8], flags: u8, mss: u16, hdr_len: u8) {
    let addr = TX_BUFFERS + (index % 8) * 0x1_2000 % 0x6_0000;
    b.mem.bytes_mut()[addr as usize..addr as usize + frame.len()].copy_from_slice(frame);
    let desc = TxDesc {
        addr: addr as u64,
        len: frame.len() as u32,
        mss,
        hdr_len,
        flags,
    };
    b.write_tx_desc(TX, index, &desc);
    b.write_reg(regs::TX_PRODUCER, index + 1);
}

fn wait_tx_consumer(b: &mut NicBench, value: u32, max: u64) {
    assert!(
        b.run_until(max, |b| !b.read_requested()
            && b.read_reg(regs::TX_CONSUMER) == value),
        "TX consumer did not reach {value}"
    );
}

#[test]
fn a_tx_descriptor_goes_out_with_checksums_inserted_and_completes_with_phase() {
    let mut b = bench(false, 1);
    b.setup_rings(TX, RX, control::TX_ENABLE);
    let (frame, _) = tcp_frame(1000, b"hello, synack", false);
    send(&mut b, 0, &frame, tx_flags::CSUM, 0, 0);
    let udp = udp_frame(&[0xAB; 333]);
    send(&mut b, 1, &udp, tx_flags::CSUM, 0, 0);
    wait_tx_consumer(&mut b, 2, 200_000);
    assert!(b.run_until_wire_frames(2, 100_000));
    let wire: Vec<Vec<u8>> = b
        .take_wire_frames()
        .iter()
        .map(|w| w.payload().unwrap())
        .collect();
    assert_eq!(wire.len(), 2);
    assert_eq!(wire[0].len(), frame.len().max(60));
    assert_checksums_valid(&wire[0]);
    assert_checksums_valid(&wire[1]);
    assert_eq!(&wire[1][42..], &[0xAB; 333][..]);
    for i in 0..2 {
        let cpl = b.tx_completion(TX, i);
        assert_eq!(
            (cpl.frames, cpl.status, cpl.flags & PHASE),
            (1, tx_status::OK, PHASE)
        );
    }
    assert_eq!(b.read_reg(stat_offset(stat::TX_FRAMES)), 2);
}

fn check_tso(seed: u64, len: usize, mss: u16) {
    let mut b = bench(false, seed);
    b.setup_rings(TX, RX, control::TX_ENABLE);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let payload: Vec<u8> = (0..len).map(|_| rng.random()).collect();
    let seq0 = 0xFFFF_F000u32.wrapping_add(rng.random_range(0..0x2000));
    let (mut frame, hdr_len) = tcp_frame(seq0, &[], true);
    frame.extend_from_slice(&payload);
    send(
        &mut b,
        0,
        &frame,
        tx_flags::TSO | tx_flags::CSUM,
        mss,
        hdr_len as u8,
    );
    let segments = len.div_ceil(mss as usize);
    let budget = (segments as u64 * (mss as u64 + 100) * 8 + 20_000) * 2;
    wait_tx_consumer(&mut b, 1, budget);
    assert!(
        b.run_until_wire_frames(segments, budget),
        "segments on the wire"
    );
    b.run(2_000);
    let wire = b.take_wire_frames();
    assert_eq!(
        wire.len(),
        segments,
        "segments for {len} bytes at MSS {mss}"
    );
    let mut joined = Vec::new();
    let ip_id0 = u16::from_be_bytes([frame[18], frame[19]]);
    for (k, w) in wire.iter().enumerate() {
        let bytes = w.payload().unwrap();
        assert_checksums_valid(&bytes);
        let p = SlicedPacket::from_ethernet(&bytes).unwrap();
        let Some(etherparse::NetSlice::Ipv4(ip)) = &p.net else {
            panic!()
        };
        let Some(TransportSlice::Tcp(tcp)) = &p.transport else {
            panic!()
        };
        let last = k + 1 == segments;
        let this_len = if last {
            len - k * mss as usize
        } else {
            mss as usize
        };
        assert_eq!(
            ip.header().total_len() as usize,
            40 + this_len,
            "IP total length, segment {k}"
        );
        assert_eq!(
            ip.header().identification(),
            ip_id0.wrapping_add(k as u16),
            "IP ID, segment {k}"
        );
        assert_eq!(
            tcp.sequence_number(),
            seq0.wrapping_add((k * mss as usize) as u32),
            "seq {k}"
        );
        assert_eq!(
            (tcp.fin(), tcp.psh()),
            (last, last),
            "FIN/PSH only on the last, segment {k}"
        );
        assert!(tcp.ack(), "ACK on every segment");
        joined.extend_from_slice(tcp.payload());
    }
    assert!(
        joined == payload,
        "the segments' payloads concatenate to the input"
    );
    let cpl = b.tx_completion(TX, 0);
    assert_eq!((cpl.frames as usize, cpl.status), (segments, tx_status::OK));
    assert_eq!(
        b.read_reg(stat_offset(stat::TX_TSO_SEGMENTS)) as usize,
        segments
    );
}

#[test]
fn tso_cuts_a_send_into_mss_segments_with_seq_id_length_flags_and_checksums() {
    check_tso(1, 4000, 1460);
    check_tso(2, 1, 536);
    check_tso(3, 1000, 1000);
    check_tso(4, 7777, 1000);
}

#[test]
fn tso_of_64k_at_every_mss() {
    for (seed, mss) in [(5, 536u16), (6, 1000), (7, 1460)] {
        check_tso(seed, 65_535, mss);
    }
}

fn post_rx_buffers(b: &mut NicBench, from: u32, count: u32, size: u32) {
    for i in from..from + count {
        let desc = RxDesc {
            addr: (RX_BUFFERS + (i % 8) * 0x800) as u64,
            len: size,
            reserved: 0,
        };
        b.write_rx_desc(RX, i, &desc);
    }
    b.write_reg(regs::RX_PRODUCER, from + count);
}

#[test]
fn received_frames_land_in_posted_buffers_with_checksum_verdicts() {
    let mut b = bench(true, 8);
    b.setup_rings(TX, RX, control::TX_ENABLE | control::RX_ENABLE);
    post_rx_buffers(&mut b, 0, 4, 2048);
    let (tcp, _) = tcp_frame(77, &[0x11; 500], false);
    let udp = udp_frame(&[0x22; 100]);
    send(&mut b, 0, &tcp, tx_flags::CSUM, 0, 0);
    send(&mut b, 1, &udp, tx_flags::CSUM, 0, 0);
    assert!(
        b.run_until(400_000, |b| b.read_reg(regs::RX_CONSUMER) == 2),
        "two frames received"
    );
    let sent_bytes = (tcp.len() + udp.len()) as u32;
    let received_bytes = (tcp.len().max(60) + udp.len().max(60)) as u32;
    for (i, sent) in [tcp, udp].iter().enumerate() {
        let cpl = b.rx_completion(RX, i as u32);
        let expected_len = sent.len().max(60);
        assert_eq!(cpl.len as usize, expected_len, "length of frame {i}");
        assert_eq!(cpl.flags & PHASE, PHASE);
        let l4 = if i == 0 { rx_csum::TCP } else { rx_csum::UDP };
        assert_eq!(
            cpl.csum,
            rx_csum::IPV4 | rx_csum::IP_OK | l4 | rx_csum::L4_OK,
            "frame {i}"
        );
        let at = (RX_BUFFERS + i as u32 * 0x800) as usize;
        let got = &b.mem.bytes()[at..at + sent.len()];
        assert_eq!(&got[..14], &sent[..14], "Ethernet header of frame {i}");
        assert_checksums_valid(&b.mem.bytes()[at..at + cpl.len as usize]);
    }
    // Every counter, read through the register window (SPEC F8): TX bytes
    // before padding, RX bytes as received (padded, without FCS).
    let mut expected = [0u32; stat::COUNT as usize];
    expected[stat::TX_FRAMES as usize] = 2;
    expected[stat::TX_BYTES as usize] = sent_bytes;
    expected[stat::RX_FRAMES as usize] = 2;
    expected[stat::RX_BYTES as usize] = received_bytes;
    expected[stat::TX_TSO_SEGMENTS as usize] = 2;
    for (i, name) in stat::NAMES.iter().enumerate() {
        assert_eq!(
            b.read_reg(stat_offset(i as u32)),
            expected[i],
            "counter {name}"
        );
    }
}

#[test]
fn disabling_rx_while_a_buffer_waits_for_a_frame_returns_the_engine_to_index_zero() {
    // A driver that stops and starts again (a second session on the board,
    // a driver reload) must find the RX engine idle at index 0, even when
    // it had fetched a descriptor and was waiting for a frame.
    let mut b = bench(true, 12);
    b.setup_rings(TX, RX, control::TX_ENABLE | control::RX_ENABLE);
    post_rx_buffers(&mut b, 0, 4, 2048);
    let udp = udp_frame(&[0x33; 80]);
    send(&mut b, 0, &udp, tx_flags::CSUM, 0, 0);
    assert!(
        b.run_until(400_000, |b| b.read_reg(regs::RX_CONSUMER) == 1),
        "one frame received"
    );
    // Buffer 1's descriptor is fetched; the engine waits for a frame.
    b.run(2_000);
    b.write_reg(regs::CONTROL, 0);
    assert!(
        b.run_until(10_000, |b| b.read_reg(regs::RX_CONSUMER) == 0
            && b.read_reg(regs::STATUS) & regs::status::RX_BUSY == 0),
        "disabled, the RX engine is idle at index 0 (consumer {})",
        b.read_reg(regs::RX_CONSUMER)
    );
    // Started again from index 0 (as the driver does), it fills buffer 0 again.
    b.write_reg(regs::TX_PRODUCER, 0);
    b.write_reg(regs::TX_CPL_HEAD, 0);
    b.write_reg(regs::RX_CPL_HEAD, 0);
    b.write_reg(regs::CONTROL, control::TX_ENABLE | control::RX_ENABLE);
    send(&mut b, 0, &udp, tx_flags::CSUM, 0, 0);
    assert!(
        b.run_until(400_000, |b| b.read_reg(regs::RX_CONSUMER) == 1),
        "the frame after the restart lands in buffer 0"
    );
}

#[test]
fn bad_checksums_are_reported_and_counted() {
    let mut b = bench(true, 9);
    b.setup_rings(TX, RX, control::TX_ENABLE | control::RX_ENABLE);
    post_rx_buffers(&mut b, 0, 4, 2048);
    let (mut tcp, _) = tcp_frame(5, &[0x33; 200], false);
    tcp[24] = 0x12; // a wrong IP header checksum, sent as is (no CSUM flag)
    tcp[25] = 0x34;
    send(&mut b, 0, &tcp, 0, 0, 0);
    assert!(b.run_until(300_000, |b| b.read_reg(regs::RX_CONSUMER) == 1));
    let cpl = b.rx_completion(RX, 0);
    assert_eq!(cpl.csum & (rx_csum::IPV4 | rx_csum::IP_OK), rx_csum::IPV4);
    assert_eq!(cpl.csum & rx_csum::L4_OK, 0, "TCP checksum was left zero");
    assert_eq!(b.read_reg(stat_offset(stat::RX_IP_CSUM_BAD)), 1);
    assert_eq!(b.read_reg(stat_offset(stat::RX_L4_CSUM_BAD)), 1);
}

#[test]
fn rings_wrap_many_times_with_the_phase_bit_flipping_each_pass() {
    let mut b = bench(true, 10);
    b.setup_rings(TX, RX, control::TX_ENABLE | control::RX_ENABLE);
    let total = 8 * 4 + 3;
    let mut rx_posted = 0;
    for i in 0..total {
        // Keep RX buffers posted ahead of the frames.
        while rx_posted < i + 4 {
            post_rx_buffers(&mut b, rx_posted, 1, 2048);
            rx_posted += 1;
        }
        let frame = udp_frame(&[i as u8; 80]);
        send(&mut b, i, &frame, tx_flags::CSUM, 0, 0);
        assert!(
            b.run_until(200_000, |b| b.read_reg(regs::RX_CONSUMER) == i + 1),
            "frame {i}"
        );
        let pass_phase = if (i / 8) % 2 == 0 { PHASE } else { 0 };
        assert_eq!(
            b.tx_completion(TX, i).flags & PHASE,
            pass_phase,
            "TX phase at {i}"
        );
        let cpl = b.rx_completion(RX, i);
        assert_eq!(cpl.flags & PHASE, pass_phase, "RX phase at {i}");
        let at = (RX_BUFFERS + (i % 8) * 0x800) as usize;
        assert_eq!(b.mem.bytes()[at + 42], i as u8, "payload of frame {i}");
    }
}

#[test]
fn a_full_rx_ring_overwrites_no_buffer_and_counts_the_drops() {
    let mut b = bench(true, 11);
    b.setup_rings(TX, RX, control::TX_ENABLE | control::RX_ENABLE);
    post_rx_buffers(&mut b, 0, 2, 2048);
    for i in 0..5u32 {
        send(
            &mut b,
            i,
            &udp_frame(&[0x40 + i as u8; 64]),
            tx_flags::CSUM,
            0,
            0,
        );
    }
    wait_tx_consumer(&mut b, 5, 400_000);
    b.run(60_000);
    assert_eq!(
        b.read_reg(regs::RX_CONSUMER),
        2,
        "only the posted buffers are used"
    );
    assert_eq!(b.read_reg(stat_offset(stat::RX_DROP_NO_BUFFER)), 3);
    for i in 0..2u32 {
        let at = (RX_BUFFERS + i * 0x800) as usize;
        assert_eq!(
            b.mem.bytes()[at + 42],
            0x40 + i as u8,
            "buffer {i} holds frame {i}"
        );
    }
    let untouched = (RX_BUFFERS + 2 * 0x800) as usize;
    assert!(
        b.mem.bytes()[untouched..untouched + 0x800]
            .iter()
            .all(|&x| x == 0)
    );
}

#[test]
fn interrupt_coalesces_by_count_and_by_time_and_falls_when_heads_catch_up() {
    let mut b = bench(false, 12);
    b.setup_rings(TX, RX, control::TX_ENABLE | control::IRQ_ENABLE);
    b.write_reg(regs::IRQ_COALESCE_COUNT, 3);
    b.write_reg(regs::IRQ_COALESCE_USECS, 0);
    send(&mut b, 0, &udp_frame(&[1; 60]), tx_flags::CSUM, 0, 0);
    send(&mut b, 1, &udp_frame(&[2; 60]), tx_flags::CSUM, 0, 0);
    wait_tx_consumer(&mut b, 2, 200_000);
    b.run(1000);
    assert!(!b.irq(), "two pending, threshold three: no interrupt yet");
    send(&mut b, 2, &udp_frame(&[3; 60]), tx_flags::CSUM, 0, 0);
    wait_tx_consumer(&mut b, 3, 200_000);
    b.run(10);
    assert!(b.irq(), "three pending: interrupt");
    assert_eq!(b.read_reg(regs::IRQ_STATUS), 1);
    b.write_reg(regs::TX_CPL_HEAD, 3);
    b.run(10);
    assert!(!b.irq(), "the host caught up: the line falls");
    // By time: one pending completion waits 20 µs.
    b.write_reg(regs::IRQ_COALESCE_USECS, 20);
    send(&mut b, 3, &udp_frame(&[4; 60]), tx_flags::CSUM, 0, 0);
    wait_tx_consumer(&mut b, 4, 200_000);
    let start = b.core_cycles();
    assert!(!b.irq());
    assert!(
        b.run_until(10_000, |b| b.irq()),
        "the timer raises the interrupt"
    );
    let waited = b.core_cycles() - start;
    assert!(
        waited <= 2_000 + 16,
        "waited {waited} cycles for a 20 µs timer"
    );
}

/// A bench in `fidelity` whose memory never stalls and answers after a
/// fixed latency: runs in either fidelity, skipping or not, see the same
/// memory.
fn steady_bench(fidelity: Fidelity) -> NicBench {
    let config = AxiMemoryConfig {
        read_latency: (8, 8),
        stall: 0.0,
        ..AxiMemoryConfig::default()
    };
    let mem = AxiMemory::new(1 << 20, config).expect("memory");
    NicBench::with_fidelity(mem, false, fidelity)
}

/// The cycle at which the coalescing timer (20 µs) raises the interrupt
/// after one completion, and the cycles skipped meanwhile. The memory never
/// stalls and answers after a fixed latency, so skipping (which leaves out
/// the random draws of skipped cycles) changes nothing else.
fn interrupt_wait(fidelity: Fidelity, skipping: bool) -> (u64, u64) {
    let mut b = steady_bench(fidelity);
    b.set_skipping(skipping);
    b.setup_rings(TX, RX, control::TX_ENABLE | control::IRQ_ENABLE);
    b.write_reg(regs::IRQ_COALESCE_COUNT, 16);
    b.write_reg(regs::IRQ_COALESCE_USECS, 20);
    send(&mut b, 0, &udp_frame(&[4; 60]), tx_flags::CSUM, 0, 0);
    wait_tx_consumer(&mut b, 1, 200_000);
    assert!(b.run_until(10_000, |b| b.irq()), "no interrupt");
    (b.core_cycles(), b.quiescence_stats().skipped)
}

#[test]
fn the_fast_fidelity_skips_an_interrupt_wait_yet_raises_the_line_on_the_same_cycle() {
    let (full, _) = interrupt_wait(Fidelity::FullRtl, true);
    let (clocked, none) = interrupt_wait(Fidelity::Frames, false);
    let (skipped_through, skipped) = interrupt_wait(Fidelity::Frames, true);
    assert_eq!(none, 0);
    assert!(skipped > 1_000, "{skipped} of the 2000 cycles skipped");
    assert_eq!(skipped_through, clocked, "skipping moved the interrupt");
    assert_eq!(clocked, full, "the fidelities disagree on the interrupt");
}

fn tshark(pcap: &std::path::Path, filter: &str) -> Vec<String> {
    synack_sim::pcap::tshark_matching(pcap, filter)
        .expect("tshark runs (scripts/setup.sh installs it)")
}

#[test]
fn a_capture_of_the_wire_reads_clean_in_tshark_with_every_checksum_good() {
    use synack_sim::pcap::PcapRecorder;
    let mut b = bench(false, 13);
    b.setup_rings(TX, RX, control::TX_ENABLE);
    let (tcp, _) = tcp_frame(4242, &[0x61; 300], false);
    send(&mut b, 0, &tcp, tx_flags::CSUM, 0, 0);
    send(&mut b, 1, &udp_frame(&[0x62; 77]), tx_flags::CSUM, 0, 0);
    let (mut tso, hdr_len) = tcp_frame(0xFFFF_FF00, &[], true);
    tso.extend((0..10_000u32).map(|i| i as u8));
    send(
        &mut b,
        2,
        &tso,
        tx_flags::TSO | tx_flags::CSUM,
        1460,
        hdr_len as u8,
    );
    let frames = 2 + 10_000usize.div_ceil(1460);
    assert!(b.run_until_wire_frames(frames, 600_000));
    let path = std::env::temp_dir().join(format!("synack-wire-{}.pcap", std::process::id()));
    let mut recorder = PcapRecorder::new(std::fs::File::create(&path).unwrap()).unwrap();
    for w in b.take_wire_frames() {
        recorder
            .record(w.start * 40, &w.payload().unwrap())
            .unwrap();
    }
    drop(recorder);
    let all = tshark(&path, "frame");
    assert_eq!(all.len(), frames, "tshark reads every frame");
    let checked = tshark(
        &path,
        "ip.checksum.status == 1 && (tcp.checksum.status == 1 || udp.checksum.status == 1)",
    );
    assert_eq!(
        checked.len(),
        frames,
        "tshark verified every checksum as good:\n{}",
        all.join("\n")
    );
    let bad = tshark(&path, "_ws.malformed || _ws.expert.severity >= error");
    assert!(
        bad.is_empty(),
        "tshark reports problems:\n{}",
        bad.join("\n")
    );
    std::fs::remove_file(&path).ok();
}

/// When one frame sent on an idle link ends on the wire, in each fidelity
/// ([`NicBench::frame_end_ns`], the time the co-simulation's wire uses).
fn wire_end(fidelity: Fidelity, len: usize) -> u64 {
    let mut b = steady_bench(fidelity);
    b.setup_rings(TX, RX, control::TX_ENABLE);
    send(&mut b, 0, &udp_frame(&vec![4; len]), tx_flags::CSUM, 0, 0);
    assert!(b.run_until_wire_frames(1, 100_000));
    let frame = b.take_wire_frames().remove(0);
    b.frame_end_ns(&frame)
}

#[test]
fn a_frame_ends_on_the_wire_at_the_same_time_in_both_fidelities() {
    for len in [18, 500, 1472] {
        let (full, fast) = (
            wire_end(Fidelity::FullRtl, len),
            wire_end(Fidelity::Frames, len),
        );
        // The frame MAC folds the crossings into constant latencies: two
        // nibbles either way (see sim/tests/frame_mac.rs).
        assert!(
            full.abs_diff(fast) <= 80,
            "a {len}-byte datagram ends at {full} ns in full RTL, {fast} ns with the frame MAC"
        );
    }
}
