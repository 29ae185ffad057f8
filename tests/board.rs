//! The real host driver and stack on the co-simulated Arty board, reached
//! only through the USB-UART bridge (SPEC A1, D1): a handshake, a transfer
//! and the four-way close with a host on a co-simulated NIC; a stream into
//! the board that its 16 RX buffers keep up with.
use core::time::Duration;

use synack_abi::board::{DEFAULT_BAUD, phy};
use synack_abi::regs::stat;
use synack_apps::App;
use synack_apps::discard::DiscardServer;
use synack_apps::sender::Sender;
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

#[test]
fn a_stream_into_the_board_never_outruns_its_rx_buffers() {
    // The board lands frames only in buffers its host posted, and the host
    // posts them again only after a sync brought the frames back: with the
    // receive window fitted to 14 of the 16 buffers, a peer in slow start
    // (20 segments after one round trip) has no frame dropped for want of a
    // buffer. (The peer may still probe or retransmit: the board's ACKs come
    // a sync late.)
    let board = NodeConfig::numbered("board", 1);
    let peer = NodeConfig::numbered("peer", 2);
    let mut tb = BoardTestbed::new(
        &board,
        &peer,
        12_000_000,
        [WireConfig::default(), WireConfig::default()],
    )
    .expect("the board comes up");
    let bytes = 40 * 1024;
    let mut discard = DiscardServer::new(9);
    let to = std::net::SocketAddrV4::new(board.addr.into(), 9);
    let mut sender = Sender::new(to, bytes, 5);
    let (mut started, mut errors) = ([false; 2], Vec::new());
    // The driver's set-up reaches the board with the first sync: until then
    // the NIC is disabled and drops what arrives (the peer's first ARP
    // request would wait out its retry). Let it land first.
    tb.run_until(20_000_000, &mut |_, _| None, |_| false)
        .expect("the first syncs");
    let drops_before = tb.board.stack().driver().fabric_stats()[stat::RX_DROP_NO_BUFFER as usize];
    // The peer's host runs on its events; its application starts now.
    tb.peer.wake();
    // In 1 ms slices of simulated time, at most 2 s.
    for _ in 0..2000 {
        tb.run_until(
            1_000_000,
            &mut |n, net| {
                let app: &mut dyn App = if n == 0 { &mut discard } else { &mut sender };
                if !started[n] {
                    started[n] = true;
                    if let Err(e) = app.start(net) {
                        errors.push(e.to_string());
                    }
                }
                app.poll(net);
                None
            },
            |_| false,
        )
        .expect("the bridge and the mirror work");
        if discard.progress().bytes_in == bytes {
            break;
        }
    }
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        discard.progress().bytes_in,
        bytes,
        "the board read every byte"
    );
    let drops = tb.board.stack().driver().fabric_stats()[stat::RX_DROP_NO_BUFFER as usize];
    eprintln!(
        "{bytes} bytes into the board by {:.3} ms of simulated time",
        tb.now_ns() as f64 / 1e6
    );
    assert_eq!(
        drops - drops_before,
        0,
        "frames dropped for want of an RX buffer"
    );
}
