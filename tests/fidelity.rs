//! The co-simulation's two fidelity levels (issue 14): the whole NIC in
//! RTL, and the datapath's RTL with a frame-level MAC. The same scenarios
//! run in both and must agree: every TCP segment each host sent, in order,
//! each leaving the MAC within 1 µs of the other mode's, the same bytes
//! delivered, goodput within 0.1%.
mod common;

use common::{lossy_wire, run, transfer};
use synack_host::stack::FrameDirection;
use synack_sim::cosim::{
    Fidelity, NodeConfig, TcpSummary, Testbed, TraceRecord, initial_sequence_numbers,
    transfer::Transfer,
};
use synack_sim::wire::WireConfig;

/// What one run showed.
struct Outcome {
    /// Segments sent, with sequence and acknowledgment numbers relative to
    /// the initial sequence numbers (which come from a 4 µs clock, so the
    /// smallest difference in when a SYN arrived may change them).
    sent: Vec<TraceRecord>,
    digests: ([u8; 32], [u8; 32]),
    goodput_mbps: f64,
}

fn scenario(fidelity: Fidelity, faults: WireConfig, bytes: u64) -> Outcome {
    let back = WireConfig {
        seed: faults.seed.wrapping_add(1000),
        ..faults.clone()
    };
    let node = |name, i| NodeConfig {
        fidelity,
        ..NodeConfig::numbered(name, i)
    };
    let mut tb =
        Testbed::new([node("client", 1), node("server", 2)], [faults, back]).expect("testbed");
    tb.set_tracing(true);
    let mut t: Transfer = transfer(bytes);
    run(&mut tb, &mut t);
    assert_eq!(
        tb.stats().late_frames,
        0,
        "every frame reached the other NIC at its arrival time"
    );
    let trace = tb.take_trace();
    let isn = initial_sequence_numbers(&trace).map(|x| x.unwrap_or(0));
    let relative = |node: usize, tcp: TcpSummary| TcpSummary {
        seq: tcp.seq.wrapping_sub(isn[node]),
        ack: if tcp.flags & 0x10 != 0 {
            tcp.ack.wrapping_sub(isn[1 - node])
        } else {
            tcp.ack
        },
        ..tcp
    };
    let sent = trace
        .into_iter()
        .filter(|r| r.direction == FrameDirection::Sent)
        .map(|r| TraceRecord {
            tcp: relative(r.node, r.tcp),
            ..r
        })
        .collect();
    Outcome {
        sent,
        digests: t.digests(),
        goodput_mbps: t.goodput_mbps().expect("goodput"),
    }
}

fn assert_modes_agree(faults: WireConfig, bytes: u64) {
    let full = scenario(Fidelity::FullRtl, faults.clone(), bytes);
    let fast = scenario(Fidelity::Frames, faults, bytes);
    assert_eq!(full.digests.0, full.digests.1, "full RTL: stream damaged");
    assert_eq!(
        full.digests, fast.digests,
        "the modes delivered different bytes"
    );
    assert_eq!(full.sent.len(), fast.sent.len(), "segments sent");
    let mut worst = 0;
    for (i, (a, b)) in full.sent.iter().zip(&fast.sent).enumerate() {
        assert_eq!((a.node, a.tcp), (b.node, b.tcp), "segment {i}");
        let (Some(x), Some(y)) = (a.wire_ns, b.wire_ns) else {
            continue;
        };
        worst = worst.max(x.abs_diff(y));
        assert!(
            x.abs_diff(y) <= 1_000,
            "segment {i} left at {y} ns in fast mode, {x} ns in full RTL"
        );
    }
    let ratio = fast.goodput_mbps / full.goodput_mbps;
    eprintln!(
        "{} segments, worst wire-time difference {worst} ns, goodput {:.3} / {:.3} Mb/s",
        full.sent.len(),
        fast.goodput_mbps,
        full.goodput_mbps
    );
    assert!(
        (ratio - 1.0).abs() <= 0.001,
        "goodput {:.3} Mb/s fast, {:.3} Mb/s full",
        fast.goodput_mbps,
        full.goodput_mbps
    );
}

#[test]
fn a_clean_transfer_is_the_same_in_both_fidelities() {
    assert_modes_agree(WireConfig::default(), 256 * 1024);
}

#[test]
fn a_lossy_transfer_is_the_same_in_both_fidelities() {
    assert_modes_agree(lossy_wire(), 128 * 1024);
}

#[test]
fn time_wait_is_the_same_in_both_fidelities() {
    assert_modes_agree(WireConfig::default(), 16 * 1024);
}
