//! NicCore benchmark: one 64 KiB TSO send at MSS 1460 from host memory,
//! through descriptor fetch, TSO, checksum insertion and the MAC, onto MII.
//! Prints (a) goodput in simulated time against the 100 Mb/s line: each
//! 1460-byte payload occupies 1538 byte times on the wire (8 preamble/SFD +
//! 14 Ethernet + 20 IPv4 + 20 TCP + 1460 + 4 FCS + 12 gap), so the ceiling is
//! 1460 / 1538 × 100 = 94.93 Mb/s; (b) Verilator speed for NicCore in core
//! cycles per wall second.
//!
//! `cargo bench -p synack-sim --bench nic_core`
use std::time::Instant;
use synack_abi::regs::{self, control};
use synack_abi::ring::{TxDesc, tx_flags};
use synack_sim::testbench::nic::{NicBench, NicBenchConfig, RingLayout};

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
const PAYLOAD: usize = 65_535;
const MSS: usize = 1460;

/// Ethernet + IPv4 + TCP headers of the send's template (checksums left to the fabric).
fn template() -> Vec<u8> {
    let mut h = vec![0u8; 54];
    h[..6].copy_from_slice(&[2, 0, 0, 0, 0, 2]);
    h[6..12].copy_from_slice(&[2, 0, 0, 0, 0, 1]);
    h[12..14].copy_from_slice(&[0x08, 0x00]);
    h[14] = 0x45;
    h[20] = 0x40; // DF
    h[22] = 64;
    h[23] = 6;
    h[26..30].copy_from_slice(&[10, 0, 0, 1]);
    h[30..34].copy_from_slice(&[10, 0, 0, 2]);
    h[34..36].copy_from_slice(&40000u16.to_be_bytes());
    h[36..38].copy_from_slice(&80u16.to_be_bytes());
    h[38..42].copy_from_slice(&1u32.to_be_bytes());
    h[42..46].copy_from_slice(&1u32.to_be_bytes());
    h[46] = 0x50;
    h[47] = 0x18; // ACK | PSH
    h[48..50].copy_from_slice(&64240u16.to_be_bytes());
    h
}

fn main() {
    let mut config = NicBenchConfig::default();
    config.memory.stall = 0.0;
    let mut b = NicBench::new(config);
    b.setup_rings(TX, RX, control::TX_ENABLE);
    let mut buffer = template();
    buffer.extend((0..PAYLOAD).map(|i| (i * 31 % 251) as u8));
    let addr = 0x1_0000usize;
    b.mem.bytes_mut()[addr..addr + buffer.len()].copy_from_slice(&buffer);
    let desc = TxDesc {
        addr: addr as u64,
        len: buffer.len() as u32,
        mss: MSS as u16,
        hdr_len: 54,
        flags: tx_flags::TSO | tx_flags::CSUM,
    };
    b.write_tx_desc(TX, 0, &desc);
    let segments = PAYLOAD.div_ceil(MSS);
    let wall = Instant::now();
    let cycles0 = b.core_cycles();
    b.write_reg(regs::TX_PRODUCER, 1);
    assert!(
        b.run_until_wire_frames(segments, 2_000_000),
        "all segments on the wire"
    );
    let elapsed = wall.elapsed().as_secs_f64();
    let cycles = b.core_cycles() - cycles0;
    let wire = b.take_wire_frames();
    assert_eq!(wire.len(), segments);
    for w in &wire {
        w.payload().expect("every segment has a good FCS");
    }
    // Wire time: from the first segment's first nibble to the end of the last
    // segment plus its inter-frame gap, in 40 ns nibble times.
    let first = wire[0].start;
    let last = wire.last().unwrap();
    let end = last.start + last.nibbles.len() as u64 + 24;
    let seconds = (end - first) as f64 * 40e-9;
    let goodput = PAYLOAD as f64 * 8.0 / seconds / 1e6;
    let full: f64 = (segments - 1) as f64 * 1538.0;
    let tail = (8 + 54 + (PAYLOAD - (segments - 1) * MSS) + 4 + 12) as f64;
    let ideal = PAYLOAD as f64 * 8.0 / ((full + tail) * 8.0 / 100e6) / 1e6;
    let gaps: Vec<u64> = wire[1..].iter().map(|w| w.gap_before).collect();
    println!("NicCore: one {PAYLOAD}-byte TSO send at MSS {MSS}: {segments} segments on MII");
    println!(
        "  (a) goodput {goodput:.3} Mb/s simulated; ideal for this send {ideal:.3} Mb/s; \
         steady-state ceiling 94.93 Mb/s; ratio to ideal {:.5}",
        goodput / ideal
    );
    println!(
        "      inter-frame gaps (nibbles): min {} max {}",
        gaps.iter().min().unwrap(),
        gaps.iter().max().unwrap()
    );
    println!(
        "  (b) Verilator: {cycles} core cycles in {elapsed:.2} s wall = {:.2} M core cycles/s",
        cycles as f64 / elapsed / 1e6
    );
}
