//! `synack demo --board`: the Arty board, co-simulated as a user would meet
//! it. The client is the real host driver and stack, reaching ArtyTop (the
//! board's top level, Xilinx primitives by their stand-ins, in Verilator)
//! only through the USB-UART bridge, bit by bit at the chosen baud rate;
//! the server is the same stack on a co-simulated NicCore across a wire.
//!
//! Prints what bring-up read over the bridge (the PHY's ID and status over
//! MDIO, the board's DMA memory), the driver configuration chosen for that
//! memory, every state change, and the goodput in simulated time with what
//! the UART carried for it. The run ends when the board's host is in
//! TIME-WAIT and the server CLOSED (`BoardTestbed::run_transfer` says why
//! TIME-WAIT is not waited out). It writes no files.
use std::time::Instant as WallClock;

use anyhow::{Result, ensure};
use synack_abi::board::phy;
use synack_abi::regs::stat;
use synack_host::driver::{DriverConfig, IrqMode};
use synack_sim::cosim::NodeConfig;
use synack_sim::cosim::board::{BoardTestbed, BridgeCounts};
use synack_sim::cosim::transfer::{Transfer, TransferConfig};
use synack_sim::wire::WireConfig;

use crate::args::DEMO_LIMIT_S;
use crate::demo::{kib, state_line};

/// How long the server waits after end of stream before it closes: longer
/// than a bridge sync (2 ms at 3 Mbaud, 6 ms at 1 Mbaud), so the board's
/// host sees the server's ACK of its FIN and then the FIN, as four segments.
const SERVER_CLOSE_DELAY: core::time::Duration = core::time::Duration::from_millis(20);

/// The demo's transfer and the two wires' configurations.
pub struct BoardDemo {
    pub bytes: u64,
    pub baud: u32,
    pub seed: u64,
    pub wires: [WireConfig; 2],
}

pub fn run(demo: &BoardDemo) -> Result<()> {
    let mut board = NodeConfig::numbered("board", 1);
    let mut server = NodeConfig::numbered("server", 2);
    board.seed = demo.seed;
    server.seed = demo.seed.wrapping_add(1);
    let server_addr = std::net::SocketAddrV4::new(server.addr.into(), 5001);
    println!(
        "synack demo --board: board {} (ArtyTop in Verilator, reached only over its USB-UART bridge at {}) ⇄ server {} (NicCore in Verilator), {}",
        board.addr,
        baud_text(demo.baud),
        server_addr,
        kib(demo.bytes)
    );
    let wire = &demo.wires[0];
    println!(
        "  wire: loss {:.1}%, reorder {:.1}%, duplicate {:.1}%, corrupt {:.1}%, delay {} µs, seed {}",
        wire.loss * 100.0,
        wire.reorder * 100.0,
        wire.duplicate * 100.0,
        wire.corrupt * 100.0,
        wire.delay_ns / 1000,
        demo.seed
    );
    let wall = WallClock::now();
    let mut tb = BoardTestbed::new(&board, &server, demo.baud, demo.wires.clone())?;
    let info = tb.board.info;
    println!(
        "board up at {:.3} ms: PHY ID {:#06x}:{:#06x} over MDIO ({}), BMSR {:#06x} (link {}), {} of DMA memory",
        tb.now_ns() as f64 / 1e6,
        info.phy_id1,
        info.phy_id2,
        phy_name(info.phy_id1, info.phy_id2),
        info.bmsr,
        if info.link_up() { "up" } else { "down" },
        kib(u64::from(info.dma_bytes))
    );
    println!(
        "driver configuration: {}",
        driver_text(&info.driver, info.dma_bytes)
    );
    let start = tb.bridge_counts();
    let mut t = Transfer::new(TransferConfig {
        bytes: demo.bytes,
        data_seed: demo.seed,
        server: server_addr,
        server_close_delay: SERVER_CLOSE_DELAY,
    });
    let mut printed = 0;
    let finished = tb.run_transfer(&mut t, DEMO_LIMIT_S * 1_000_000_000, 1_000_000, |t, _| {
        for c in &t.changes[printed..] {
            println!("{}", state_line(c, ["board", "server"]));
        }
        printed = t.changes.len();
    })?;
    ensure!(t.errors.is_empty(), "socket errors: {:?}", t.errors);
    ensure!(
        finished,
        "the transfer and close did not finish in {DEMO_LIMIT_S} s of simulated time"
    );
    let (sent, received) = t.digests();
    ensure!(sent == received, "received data differs from sent data");
    println!(
        "transfer: {}, SHA-256 {} on both sides",
        kib(t.received),
        hex::encode(&received[..8])
    );
    let goodput = t.goodput_mbps().unwrap_or(0.0);
    let line = uart_payload_mbps(demo.baud);
    println!(
        "goodput: {goodput:.3} Mb/s in simulated time through the bridge ({:.1}% of the UART's {line:.2} Mb/s of bytes one way at {}, 8N1)",
        goodput / line * 100.0,
        baud_text(demo.baud)
    );
    println!("{}", fabric_line(&tb.board.stack().driver().fabric_stats()));
    let used = delta(&start, &tb.bridge_counts());
    let secs = used.at_ns as f64 / 1e9;
    println!(
        "bridge: {} requests ({} resent) in {} syncs over {:.3} s; {} to the board, {} back; DMA memory: {} written, {} read; the line busy {:.1}% of the time",
        used.requests,
        used.resends,
        used.syncs,
        secs,
        kib(used.bytes_sent),
        kib(used.bytes_received),
        kib(used.dma_pushed),
        kib(used.dma_pulled),
        // Requests and answers take turns, so the two directions add up.
        (used.bytes_sent + used.bytes_received) as f64 * 10.0 / f64::from(demo.baud) / secs * 100.0
    );
    println!(
        "co-simulation: {:.3} s simulated in {:.1} s wall; the board stays in TIME-WAIT (2 MSL), not waited out",
        tb.now_ns() as f64 / 1e9,
        wall.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The board NIC's frame counters and drops by cause (SPEC F8).
pub(crate) fn fabric_line(fabric: &[u32; stat::COUNT as usize]) -> String {
    let dropped: Vec<String> = stat::NAMES
        .iter()
        .zip(fabric)
        .filter(|(name, n)| name.starts_with("rx_drop") && **n > 0)
        .map(|(name, n)| format!("{name} {n}"))
        .collect();
    format!(
        "board NIC: {} frames sent ({} TSO segments), {} received, {}",
        fabric[stat::TX_FRAMES as usize],
        fabric[stat::TX_TSO_SEGMENTS as usize],
        fabric[stat::RX_FRAMES as usize],
        if dropped.is_empty() {
            "none dropped".to_string()
        } else {
            format!("dropped: {}", dropped.join(", "))
        }
    )
}

/// Bytes of payload a UART carries one way per second at `baud`, 8N1
/// (ten bit times a byte), in Mb/s.
fn uart_payload_mbps(baud: u32) -> f64 {
    f64::from(baud) * 0.8 / 1e6
}

pub(crate) fn baud_text(baud: u32) -> String {
    if baud.is_multiple_of(1_000_000) {
        format!("{} Mbaud", baud / 1_000_000)
    } else {
        format!("{baud} baud")
    }
}

pub(crate) fn phy_name(id1: u16, id2: u16) -> &'static str {
    if id1 == phy::DP83848_ID1 && id2 & 0xFFF0 == phy::DP83848_ID2_MASKED {
        "TI DP83848J"
    } else {
        "not the Arty's DP83848J"
    }
}

pub(crate) fn driver_text(c: &DriverConfig, dma_bytes: u32) -> String {
    let layout = c.layout();
    let mode = match c.irq {
        IrqMode::Poll => "polled".to_string(),
        IrqMode::Interrupt { .. } => "interrupts".to_string(),
    };
    let chosen = if *c == DriverConfig::default() {
        "the default"
    } else {
        "the board's small one, as the default's rings and buffers do not fit"
    };
    format!(
        "{} TX slots × {} B, {} RX buffers × {} B, {mode}; {} of {} DMA memory ({chosen})",
        1u32 << c.tx_ring_log2,
        c.tx_buffer_size,
        1u32 << c.rx_ring_log2,
        c.rx_buffer_size,
        kib(layout.size as u64),
        kib(u64::from(dma_bytes)),
    )
}

fn delta(a: &BridgeCounts, b: &BridgeCounts) -> BridgeCounts {
    BridgeCounts {
        at_ns: b.at_ns - a.at_ns,
        bytes_sent: b.bytes_sent - a.bytes_sent,
        bytes_received: b.bytes_received - a.bytes_received,
        requests: b.requests - a.requests,
        resends: b.resends - a.resends,
        syncs: b.syncs - a.syncs,
        dma_pushed: b.dma_pushed - a.dma_pushed,
        dma_pulled: b.dma_pulled - a.dma_pulled,
    }
}
