//! Shared set-up for the end-to-end tests: two co-simulated hosts and the
//! bulk-transfer scenario of `synack demo`.
#![allow(dead_code)]

pub mod live;

use core::time::Duration;
use std::net::SocketAddrV4;

use synack_sim::cosim::transfer::{Transfer, TransferConfig};
use synack_sim::cosim::{NodeConfig, Testbed};
use synack_sim::wire::WireConfig;

pub const SERVER: SocketAddrV4 = SocketAddrV4::new(std::net::Ipv4Addr::new(10, 0, 0, 2), 5001);

/// Client (node 0, 10.0.0.1) and server (node 1, 10.0.0.2) on one wire
/// with `faults` in both directions (each direction its own seed).
pub fn testbed(faults: WireConfig) -> Testbed {
    let back = WireConfig {
        seed: faults.seed.wrapping_add(1000),
        ..faults.clone()
    };
    Testbed::new(
        [
            NodeConfig::numbered("client", 1),
            NodeConfig::numbered("server", 2),
        ],
        [faults, back],
    )
    .expect("testbed")
}

/// A bad link: 2% loss, duplication and reordering each way, 0.5% of
/// frames corrupted, 20 µs of delay.
pub fn lossy_wire() -> WireConfig {
    WireConfig {
        seed: 42,
        loss: 0.02,
        duplicate: 0.02,
        reorder: 0.02,
        corrupt: 0.005,
        delay_ns: 20_000,
        reorder_delay_ns: 300_000,
    }
}

pub fn transfer(bytes: u64) -> Transfer {
    Transfer::new(transfer_config(bytes))
}

/// The client sends `bytes` to [`SERVER`], which closes 1 ms after reading to the end.
pub fn transfer_config(bytes: u64) -> TransferConfig {
    TransferConfig {
        bytes,
        data_seed: 7,
        server: SERVER,
        server_close_delay: Duration::from_millis(1),
    }
}

/// The states one node went through, in order.
pub fn states(t: &Transfer, node: usize) -> Vec<String> {
    t.changes
        .iter()
        .filter(|c| c.node == node)
        .map(|c| c.state.clone())
        .collect()
}

/// Simulated time node `node` entered `state`, in microseconds.
pub fn entered(t: &Transfer, node: usize, state: &str) -> Vec<u64> {
    t.changes
        .iter()
        .filter(|c| c.node == node && c.state == state)
        .map(|c| c.at.total_micros())
        .collect()
}

/// Runs a transfer to completion (120 s of simulated time at most).
pub fn run(tb: &mut Testbed, t: &mut Transfer) {
    let done = t.run(tb, 120_000_000_000, 100_000_000, |_, _| {});
    assert!(
        done,
        "transfer did not finish: received {} of the bytes, states {:?}, errors {:?}",
        t.received, t.changes, t.errors
    );
    assert!(t.errors.is_empty(), "socket errors: {:?}", t.errors);
}
