//! The real host driver and stack on the co-simulated Arty board, reached
//! only through the USB-UART bridge (SPEC A1, D1): a handshake, a transfer
//! and the four-way close with a host on a co-simulated NIC.
use core::time::Duration;

use synack_abi::board::{DEFAULT_BAUD, phy};
use synack_host::driver::DriverConfig;
use synack_sim::cosim::NodeConfig;
use synack_sim::cosim::board::BoardTestbed;
use synack_sim::cosim::transfer::{Transfer, TransferConfig};
use synack_sim::wire::WireConfig;

mod common;

#[test]
fn board_host_does_handshake_transfer_and_close_through_the_uart_bridge() {
    let board = NodeConfig::numbered("board", 1);
    let peer = NodeConfig::numbered("peer", 2);
    let mut tb = BoardTestbed::new(
        &board,
        &peer,
        DEFAULT_BAUD,
        [WireConfig::default(), WireConfig::default()],
    )
    .expect("the board comes up");
    // Bring-up read the PHY's ID over MDIO and chose the board's configuration.
    assert_eq!(tb.board.info.phy_id1, phy::DP83848_ID1);
    assert_eq!(tb.board.info.phy_id2 & 0xFFF0, phy::DP83848_ID2_MASKED);
    assert_eq!(tb.board.info.driver, DriverConfig::board());
    let bytes = 8 * 1024;
    // The peer closes 20 ms after reading to the end: longer than a bridge
    // sync, so the board's host sees its ACK of our FIN before its FIN (at
    // 3 Mbaud a sync takes about 2 ms; 1 ms, as between two co-simulated
    // NICs, can land both in one sync, FIN-WAIT-1 going straight to TIME-WAIT).
    let mut t = Transfer::new(TransferConfig {
        server_close_delay: Duration::from_millis(20),
        ..common::transfer_config(bytes)
    });
    let done = tb
        .run_transfer(&mut t, 400_000_000, 1_000_000, |_, _| {})
        .expect("the bridge and the mirror work");
    assert!(
        done,
        "received {} of {bytes}, states {:?}, errors {:?}",
        t.received, t.changes, t.errors
    );
    assert!(t.errors.is_empty(), "{:?}", t.errors);
    eprintln!(
        "DEBUG {:?} frames {:?} syncs {} pushed {} pulled {} sent {} recv {} reqs {} now {}",
        t.changes
            .iter()
            .map(|c| (c.at.total_micros(), c.node, c.state.clone()))
            .collect::<Vec<_>>(),
        tb.frames,
        tb.board.mirror().syncs,
        tb.board.mirror().bytes_pushed,
        tb.board.mirror().bytes_pulled,
        tb.board.bench.link.bytes_sent,
        tb.board.bench.link.bytes_received,
        tb.board.bench.link.requests,
        tb.now_ns()
    );
    let (sent, received) = t.digests();
    assert_eq!(
        sent, received,
        "SHA-256 of what the board sent and the peer read"
    );
    assert_eq!(
        common::states(&t, 0),
        [
            "SYN-SENT",
            "ESTABLISHED",
            "FIN-WAIT-1",
            "FIN-WAIT-2",
            "TIME-WAIT"
        ]
    );
    assert_eq!(
        common::states(&t, 1),
        [
            "LISTEN",
            "SYN-RECEIVED",
            "ESTABLISHED",
            "CLOSE-WAIT",
            "LAST-ACK",
            "CLOSED"
        ]
    );
    // Everything the board's host did went over the UART.
    let link = &tb.board.bench.link;
    assert!(
        link.bytes_sent > bytes,
        "{} bytes to the board",
        link.bytes_sent
    );
    assert_eq!(link.resends, 0);
}
