//! The Arty board top (`ArtyBoard`, Xilinx primitives by their stand-ins)
//! in Verilator: the reset sequence, MDIO, and the USB-UART host bridge
//! against good and bad frames, bit by bit at the UART's rate.
use synack_abi::board::{
    self, DMA_BYTES, MAX_PAYLOAD, SYNC_REQUEST, counter, op, phy, regs, status,
};
use synack_abi::{DEVICE_ID, regs as nic};
use synack_bridge::board::{Call, mdio_read};
use synack_bridge::frame::{self, Op, Response, ResponseParser};
use synack_sim::testbench::board::BoardBench;

/// The stand-in MMCM locks this many oscillator cycles after its reset.
const LOCK_CYCLES: u64 = 1024;
/// `reset_seq::PHY_RESET_CYCLES`.
const PHY_RESET_CYCLES: u64 = 1_000_000;

/// A bench whose core has come out of reset (the MMCM locked).
fn running_bench(baud: u32) -> BoardBench {
    let mut b = BoardBench::new(baud);
    b.run(LOCK_CYCLES + 200);
    b
}

/// Sends raw bytes and returns the answers that come back within `max` cycles.
fn exchange(b: &mut BoardBench, bytes: &[u8], answers: usize, max: u64) -> Vec<Response> {
    b.uart().write(bytes);
    let mut parser = ResponseParser::default();
    let mut out = Vec::new();
    b.run_until(max, |b| {
        for byte in b.uart().take_received() {
            if let Some(r) = parser.push(byte) {
                out.push(r.expect("the bridge's answers have good CRCs"));
            }
        }
        let now = b.now_ns();
        out.len() >= answers && b.uart().is_idle(now) && !b.uart().is_receiving()
    });
    out
}

fn counters(b: &mut BoardBench) -> Vec<u32> {
    let addrs: Vec<u32> = (0..counter::COUNT).map(regs::counter).collect();
    b.read_regs(&addrs).unwrap()
}

#[test]
fn core_comes_out_of_reset_only_after_the_mmcm_locks() {
    let mut b = BoardBench::new(board::DEFAULT_BAUD);
    // A request sent before lock: the core clock is stopped, nothing answers.
    let early = frame::encode(0, &Op::RegRead(vec![regs::BOARD_ID as u16])).unwrap();
    let answers = exchange(&mut b, &early, 1, LOCK_CYCLES / 2);
    assert!(answers.is_empty(), "answered before the MMCM locked");
    assert_eq!(
        b.leds(),
        0xF,
        "all LEDs lit while the core is held in reset"
    );
    assert_eq!(b.model.eth_tx_en(), 0, "MII TX enabled in reset");
    // All four LEDs are lit while the core is held in reset: they go out
    // (but for what they show) when its reset is released.
    let mut released_at = None;
    b.run_until(2 * LOCK_CYCLES, |b| {
        if b.leds() != 0xF {
            released_at = Some(b.cycles());
        }
        released_at.is_some()
    });
    let released_at = released_at.expect("the core's reset is released");
    assert!(
        released_at > LOCK_CYCLES,
        "core reset released at cycle {released_at}, before the MMCM locked at {LOCK_CYCLES}"
    );
    assert!(
        released_at < LOCK_CYCLES + 100,
        "core reset released at cycle {released_at}, long after lock at {LOCK_CYCLES}"
    );
    b.run(500);
    let t0 = b.cycles();
    let [status_word, uptime] = b.read_regs(&[regs::BOARD_STATUS, regs::UPTIME]).unwrap()[..]
    else {
        unreachable!()
    };
    assert_eq!(status_word & 1, 1, "BOARD_STATUS shows the MMCM locked");
    // The core (at the oscillator's rate) has run since its release, not longer.
    assert!(u64::from(uptime) + 2 >= t0 - released_at);
    assert!(u64::from(uptime) <= b.cycles() - released_at + 2);
}

#[test]
fn phy_reset_is_held_low_for_ten_ms_after_configuration_and_after_the_button() {
    let mut b = BoardBench::new(board::DEFAULT_BAUD);
    assert!(!b.eth_rstn());
    assert!(b.run_until(PHY_RESET_CYCLES + 1000, |b| b.eth_rstn()));
    let low = b.cycles();
    // 10 ms at 100 MHz (+ the button synchroniser's two cycles, at most 16 late).
    assert!(
        (PHY_RESET_CYCLES..PHY_RESET_CYCLES + 16 + 2).contains(&low),
        "eth_rstn low for {low} cycles"
    );
    assert!(
        low as f64 / 100e6 >= 1e-6,
        "the DP83848J needs at least 1 µs"
    );
    // The button: a short press restarts the pulse.
    b.press_button(true);
    b.run(50);
    assert!(!b.eth_rstn());
    b.press_button(false);
    let released = b.cycles();
    assert!(b.run_until(PHY_RESET_CYCLES + 1000, |b| b.eth_rstn()));
    let pulse = b.cycles() - released;
    assert!(
        (PHY_RESET_CYCLES..PHY_RESET_CYCLES + 16 + 4).contains(&pulse),
        "after the button, eth_rstn low for {pulse} cycles"
    );
}

#[test]
fn mdio_reads_the_phys_id_and_link_status() {
    let mut b = running_bench(board::DEFAULT_BAUD);
    let id1 = mdio_read(&mut b, phy::PHYIDR1).unwrap();
    let id2 = mdio_read(&mut b, phy::PHYIDR2).unwrap();
    let bmsr = mdio_read(&mut b, phy::BMSR).unwrap();
    assert_eq!(id1, phy::DP83848_ID1);
    assert_eq!(id2 & 0xFFF0, phy::DP83848_ID2_MASKED);
    assert_eq!(bmsr, b.mdio.regs[phy::BMSR as usize]);
    assert_eq!(bmsr as u32 & phy::BMSR_LINK, phy::BMSR_LINK);
    assert_eq!(b.mdio_conflicts, 0, "fabric and PHY drove MDIO at once");
    assert!(b.mdio.reads >= 3);
}

#[test]
fn bridge_reads_nic_and_board_registers_and_dma_memory() {
    let mut b = running_bench(board::DEFAULT_BAUD);
    let values = b
        .read_regs(&[nic::ID, nic::VERSION, regs::BOARD_ID, regs::DMA_SIZE])
        .unwrap();
    assert_eq!(values[0], DEVICE_ID);
    assert_eq!(values[1], synack_abi::VERSION);
    assert_eq!(values[2], regs::BOARD_ID_VALUE);
    assert_eq!(values[3], DMA_BYTES as u32);
    // A NIC register written and read back over AXI4-Lite.
    b.write_reg(nic::TX_RING_BASE_LO, 0x1230).unwrap();
    assert_eq!(b.read_reg(nic::TX_RING_BASE_LO).unwrap(), 0x1230);
    // DMA memory: a write across words and a read back, at an odd address.
    let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
    let answers = b
        .call_within(
            vec![
                Op::MemWrite {
                    addr: 0xFF01,
                    data: data[..255].to_vec(),
                },
                Op::MemRead {
                    addr: 0xFF01,
                    len: 255,
                },
            ],
            4_000_000,
        )
        .unwrap();
    assert_eq!(answers[1], data[..255]);
    // Six good requests: the three calls above, the two-request batch, this read.
    assert_eq!(counters(&mut b)[counter::FRAMES_OK as usize], 6);
}

/// A request that must be refused with `status`, counted under `cause`, and
/// have no effect on DMA memory at 0x100..0x104 (which holds 1, 2, 3, 4).
fn assert_refused(b: &mut BoardBench, bytes: &[u8], status: u8, cause: u32, max: u64) {
    let before = counters(b);
    let answers = exchange(b, bytes, 1, max);
    assert_eq!(answers.len(), 1, "one answer to a bad request");
    assert_eq!(answers[0].status, status, "{answers:?}");
    assert!(answers[0].payload.is_empty());
    let after = counters(b);
    // The second read of the counters counts itself as a good request.
    for i in 0..counter::COUNT as usize {
        let expected = before[i]
            + u32::from(i == cause as usize)
            + u32::from(i == counter::FRAMES_OK as usize);
        assert_eq!(after[i], expected, "counter {}", counter::NAMES[i]);
    }
    let memory = b
        .call_within(
            vec![Op::MemRead {
                addr: 0x100,
                len: 4,
            }],
            2_000_000,
        )
        .unwrap();
    assert_eq!(memory[0], [1, 2, 3, 4], "a refused request was acted on");
}

#[test]
fn bad_frames_are_answered_with_an_error_counted_and_never_executed() {
    let mut b = running_bench(board::DEFAULT_BAUD);
    b.call_within(
        vec![Op::MemWrite {
            addr: 0x100,
            data: vec![1, 2, 3, 4],
        }],
        2_000_000,
    )
    .unwrap();
    let write = frame::encode(
        9,
        &Op::MemWrite {
            addr: 0x100,
            data: vec![0xEE; 4],
        },
    )
    .unwrap();
    // Corrupted: one bit of the payload flipped.
    let mut corrupted = write.clone();
    corrupted[7] ^= 0x10;
    assert_refused(
        &mut b,
        &corrupted,
        status::BAD_CRC,
        counter::BAD_CRC,
        200_000,
    );
    // Corrupted CRC itself.
    let mut bad_crc = write.clone();
    *bad_crc.last_mut().unwrap() ^= 1;
    assert_refused(&mut b, &bad_crc, status::BAD_CRC, counter::BAD_CRC, 200_000);
    // Truncated: the line stops two bytes before the end.
    assert_refused(
        &mut b,
        &write[..write.len() - 2],
        status::TRUNCATED,
        counter::TRUNCATED,
        400_000,
    );
    // Oversized: a length over the limit (the bytes that follow are drained).
    let mut oversized = frame::frame(SYNC_REQUEST, 3, op::MEM_WRITE, &[0; 8]);
    oversized[3..5].copy_from_slice(&(MAX_PAYLOAD as u16 + 1).to_le_bytes());
    assert_refused(
        &mut b,
        &oversized,
        status::BAD_LENGTH,
        counter::BAD_LENGTH,
        400_000,
    );
    // A length that does not fit the operation (MEM_READ takes 6 bytes).
    let short = frame::frame(SYNC_REQUEST, 4, op::MEM_READ, &[0; 5]);
    assert_refused(
        &mut b,
        &short,
        status::BAD_LENGTH,
        counter::BAD_LENGTH,
        200_000,
    );
    // An unknown operation with a good CRC.
    let unknown = frame::frame(SYNC_REQUEST, 5, 0x7F, &[0x00, 0x01, 0, 0, 0xEE, 0xEE]);
    assert_refused(
        &mut b,
        &unknown,
        status::BAD_OPCODE,
        counter::BAD_OPCODE,
        200_000,
    );
    // Addresses: memory past the end, and a register write with one bad
    // address among good ones (none of its writes may happen).
    let past_end = frame::encode(
        6,
        &Op::MemWrite {
            addr: DMA_BYTES as u32 - 2,
            data: vec![0xEE; 4],
        },
    )
    .unwrap();
    assert_refused(
        &mut b,
        &past_end,
        status::BAD_ADDRESS,
        counter::BAD_ADDRESS,
        200_000,
    );
    let mixed = frame::encode(
        7,
        &Op::RegWrite(vec![(nic::TX_RING_BASE_LO as u16, 0xBAD0), (0x2000, 1)]),
    )
    .unwrap();
    assert_refused(
        &mut b,
        &mixed,
        status::BAD_ADDRESS,
        counter::BAD_ADDRESS,
        200_000,
    );
    assert_ne!(b.read_reg(nic::TX_RING_BASE_LO).unwrap(), 0xBAD0);
    // And the bridge still works.
    let answers = exchange(&mut b, &write, 1, 200_000);
    assert_eq!(answers[0].status, status::OK);
}

#[test]
fn the_baud_rate_changes_after_the_answer_and_works_at_1_and_12_mbaud() {
    let mut b = running_bench(board::DEFAULT_BAUD);
    for baud in [12_000_000, 1_000_000, 3_000_000] {
        b.write_reg(regs::BAUD_DIVISOR, board::baud_divisor(baud))
            .unwrap();
        b.run(100);
        b.uart().set_baud(baud);
        assert_eq!(
            b.read_reg(regs::BAUD_DIVISOR).unwrap(),
            board::baud_divisor(baud),
            "at {baud} baud"
        );
        let data: Vec<u8> = (0..200u32).map(|i| (i ^ baud) as u8).collect();
        let answers = b
            .call_within(
                vec![
                    Op::MemWrite {
                        addr: 0x40,
                        data: data.clone(),
                    },
                    Op::MemRead {
                        addr: 0x40,
                        len: 200,
                    },
                ],
                4_000_000,
            )
            .unwrap();
        assert_eq!(answers[1], data, "at {baud} baud");
    }
    assert_eq!(counters(&mut b)[counter::FRAMING as usize], 0);
}
