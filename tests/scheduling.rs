//! The co-simulation's scheduler (issue 9, items 7, 8 and 11): idle
//! stretches are jumped over, not clocked; a polling host runs only at its
//! poll instants; sequence diagrams show the wire times the pcap shows.
//!
//! Every assertion is on simulated quantities (cycles clocked, simulated
//! times), never on wall time: the machine is shared.
mod common;

use common::{SERVER, entered, testbed, transfer};
use core::time::Duration;
use synack_host::driver::IrqMode;
use synack_host::stack::FrameDirection;
use synack_sim::cosim::transfer::{Transfer, TransferConfig};
use synack_sim::cosim::{NodeConfig, Testbed, connection_exchanges, tcp_summary};
use synack_sim::wire::WireConfig;

/// Runs `t` on `tb` for at most `max_ns`, in `slice_ns` slices, noting the
/// cycles clocked so far each time a slice ends with node 0 in a new state.
fn run_noting_cycles(
    tb: &mut Testbed,
    t: &mut Transfer,
    max_ns: u64,
    slice_ns: u64,
) -> Vec<(String, u64)> {
    let mut seen: Vec<(String, u64)> = Vec::new();
    t.run(tb, max_ns, slice_ns, |t, tb| {
        if seen.last().is_none_or(|(s, _)| s != t.state(0)) {
            seen.push((t.state(0).to_string(), tb.stats().cycles[0]));
        }
    });
    seen
}

fn cycles_at(seen: &[(String, u64)], state: &str) -> u64 {
    seen.iter()
        .find(|(s, _)| s == state)
        .unwrap_or_else(|| panic!("never {state}: {seen:?}"))
        .1
}

#[test]
fn time_wait_is_skipped_not_clocked() {
    let mut tb = testbed(WireConfig::default());
    let mut t = transfer(16 * 1024);
    // 1 ms slices: a skip must cross slice boundaries without clocking.
    let seen = run_noting_cycles(&mut tb, &mut t, 120_000_000_000, 1_000_000);
    assert!(t.finished() && t.errors.is_empty(), "{:?}", t.errors);
    let tw = entered(&t, 0, "TIME-WAIT")[0];
    let closed = *entered(&t, 0, "CLOSED").last().unwrap();
    assert!(closed - tw >= 60_000_000, "TIME-WAIT is 60 s");
    let clocked = cycles_at(&seen, "CLOSED") - cycles_at(&seen, "TIME-WAIT");
    // 60 s of TIME-WAIT: the jump to its end, then the expiry's service and
    // its register traffic — a few hundred cycles, not millions.
    assert!(
        clocked < 5_000,
        "{clocked} cycles clocked during TIME-WAIT ({:?})",
        tb.stats()
    );
}

#[test]
fn a_frame_in_flight_on_a_long_wire_is_skipped_not_clocked() {
    // 10 ms each way: every frame spends most of its life on the wire.
    let mut tb = testbed(WireConfig {
        delay_ns: 10_000_000,
        ..WireConfig::default()
    });
    let mut t = transfer(16 * 1024);
    let seen = run_noting_cycles(&mut tb, &mut t, 120_000_000_000, 1_000_000);
    assert!(t.finished() && t.errors.is_empty(), "{:?}", t.errors);
    let established = entered(&t, 0, "ESTABLISHED")[0];
    let tw = entered(&t, 0, "TIME-WAIT")[0];
    // Handshake, data and close: several round trips of 20 ms each.
    assert!(tw - established >= 40_000, "{} µs", tw - established);
    let clocked_ns = (cycles_at(&seen, "TIME-WAIT") - cycles_at(&seen, "SYN-SENT")) * 10;
    // What the fabric does in that time is clocked: a dozen full frames
    // leave one MAC in a burst and, 10 ms later, enter the other (about
    // 1.5 ms of MII time each way), plus ACKs, DMA and interrupts. The
    // round trips themselves are jumped over.
    assert!(
        clocked_ns < 10_000_000,
        "{clocked_ns} ns clocked for {} µs of connection",
        tw - established
    );
}

#[test]
fn a_connect_timeout_is_skipped_not_clocked() {
    let mut tb = testbed(WireConfig::default());
    // The server never sees a SYN: the client retries 6 times from 1 s, 127 s in all.
    tb.wire_mut(0).set_drop_filter(Box::new(|frame| {
        tcp_summary(frame).is_some_and(|s| s.flags & 0x02 != 0)
    }));
    let mut t = transfer(1024);
    t.run(&mut tb, 200_000_000_000, 1_000_000, |_, _| {});
    assert!(
        t.errors.iter().any(|e| e.contains("client")),
        "the connect failed: {:?}",
        t.errors
    );
    assert!(tb.now_ns() >= 127_000_000_000);
    assert_eq!(tb.wire_stats(0).filtered, 7, "the SYN and its 6 retries");
    assert!(
        tb.stats().cycles.iter().all(|&c| c < 100_000),
        "{:?} cycles clocked for {} s simulated",
        tb.stats().cycles,
        tb.now_ns() / 1_000_000_000
    );
}

#[test]
fn poll_mode_host_runs_only_on_its_interval() {
    const POLL_NS: u64 = 50_000_000;
    let mut nodes = [
        NodeConfig::numbered("client", 1),
        NodeConfig::numbered("server", 2),
    ];
    for n in &mut nodes {
        n.driver.irq = IrqMode::Poll;
        n.poll_interval_ns = POLL_NS;
    }
    let mut tb = Testbed::new(nodes, [WireConfig::default(), WireConfig::default()]).unwrap();
    tb.set_tracing(true);
    // The server closes as soon as it reads the end of the stream, so it has
    // no application timer of its own.
    let mut t = Transfer::new(TransferConfig {
        server_close_delay: Duration::ZERO,
        ..common::transfer_config(1024)
    });
    // ARP request at 0, reply at the server's poll at 50 ms, SYN at the
    // client's at 100 ms, SYN-ACK at the server's at 150 ms, ACK and data at
    // 200 ms, read at 250 ms: 260 ms is before any of the hosts' timers.
    t.run(&mut tb, 260_000_000, 1_000_000, |_, _| {});
    let trace = tb.take_trace();
    let services: Vec<u64> = trace
        .iter()
        .filter(|r| r.node == 1)
        .map(|r| r.at_ns)
        .collect();
    assert!(!services.is_empty());
    for at in &services {
        assert_eq!(
            at % POLL_NS,
            0,
            "the server ran at {at} ns, not at a poll instant: {services:?}"
        );
    }
    let wire_time = |node: usize, syn_ack: bool| {
        trace
            .iter()
            .find(|r| {
                r.node == node
                    && r.direction == FrameDirection::Sent
                    && r.tcp.flags & 0x02 != 0
                    && (r.tcp.flags & 0x10 != 0) == syn_ack
            })
            .and_then(|r| r.wire_ns)
            .unwrap_or_else(|| panic!("no SYN{} on the wire", if syn_ack { "-ACK" } else { "" }))
    };
    let (syn, syn_ack) = (wire_time(0, false), wire_time(1, true));
    assert!(
        syn_ack - syn >= POLL_NS - 1_000_000,
        "the SYN-ACK left {} µs after the SYN, not a poll interval later",
        (syn_ack - syn) / 1000
    );
    assert!(t.established(), "{:?}", t.changes);
}

#[test]
fn poll_mode_host_woken_by_a_frame_runs_at_its_next_poll() {
    use std::net::SocketAddrV4;
    use synack_host::socket::{Net, UdpSocket};
    use synack_host::time::Instant;
    const POLL_NS: u64 = 50_000_000;
    let mut nodes = [
        NodeConfig::numbered("client", 1),
        NodeConfig::numbered("server", 2),
    ];
    for n in &mut nodes {
        n.driver.irq = IrqMode::Poll;
        n.poll_interval_ns = POLL_NS;
    }
    let mut tb = Testbed::new(nodes, [WireConfig::default(), WireConfig::default()]).unwrap();
    // The client sends one datagram on its own timer at 175 ms, off the poll
    // grid; the server's polls at 50, 100 and 150 ms find nothing.
    let send_at = Instant::from_micros(175_000);
    let server = SocketAddrV4::new([10, 0, 0, 2].into(), 9000);
    let mut sockets = [None, None];
    let mut sent = false;
    let mut runs: Vec<(usize, u64)> = Vec::new();
    let mut got = 0;
    let mut app = |node: usize, net: &mut Net<'_>| {
        let now = net.now();
        runs.push((node, now.total_micros() * 1000));
        let s = *sockets[node].get_or_insert_with(|| {
            UdpSocket::bind(net, if node == 0 { 4000 } else { 9000 }).expect("bind")
        });
        let mut buf = [0u8; 64];
        while s.recv_from(net, &mut buf).is_ok() {
            got += 1;
        }
        if node == 0 && !sent {
            if now < send_at {
                return Some(send_at);
            }
            s.send_to(net, b"hello", server).expect("send");
            sent = true;
        }
        None
    };
    tb.run_until(400_000_000, &mut app, |_| false);
    assert_eq!(got, 1, "the datagram arrived: {runs:?}");
    let server_runs: Vec<u64> = runs.iter().filter(|r| r.0 == 1).map(|r| r.1).collect();
    // The ARP request arrives just after 175 ms, the datagram after the
    // client's poll at 250 ms: the server handles each at its next poll.
    assert!(server_runs.contains(&200_000_000), "{server_runs:?}");
    assert!(server_runs.contains(&300_000_000), "{server_runs:?}");
    for at in &server_runs {
        assert_eq!(
            at % POLL_NS,
            0,
            "the server ran off its polls: {server_runs:?}"
        );
    }
}

#[test]
fn diagram_times_are_the_wire_times_the_pcap_records() {
    let dir = std::env::temp_dir().join(format!("synack-diagram-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pcap = dir.join("wire.pcap");
    let mut tb = testbed(WireConfig::default());
    tb.record_pcap(&pcap).unwrap();
    tb.set_tracing(true);
    let mut t = transfer(8 * 1024);
    common::run(&mut tb, &mut t);
    tb.finish_pcap().unwrap();
    let trace = tb.take_trace();
    let rows = connection_exchanges(&trace, [None, None], |_| true);
    let sent: Vec<_> = trace
        .iter()
        .filter(|r| r.direction == FrameDirection::Sent)
        .collect();
    assert_eq!(rows.len(), sent.len());
    assert!(rows.len() > 8, "handshake, data, close");
    let frames = synack_sim::pcap::read_frames(&pcap).unwrap();
    for (row, record) in rows.iter().zip(&sent) {
        let at = row
            .wire_ns
            .unwrap_or_else(|| panic!("{} has no wire time", row.label));
        let on_wire = frames
            .iter()
            .any(|(ts, f)| *ts == at && tcp_summary(f) == Some(record.tcp));
        assert!(
            on_wire,
            "{} is drawn at {at} ns, but the pcap has no such frame then",
            row.label
        );
        assert!(
            at > record.at_ns,
            "it left the MAC after the host queued it"
        );
    }
    let fin = rows
        .iter()
        .find(|r| r.label.starts_with("FIN"))
        .expect("a FIN");
    assert!(fin.wire_ns.is_some());
    assert_eq!(
        t.client_addr().map(|a| a.port() != SERVER.port()),
        Some(true)
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn frames_on_the_default_wire_reach_the_other_nic_exactly_on_time() {
    let mut tb = testbed(WireConfig::default());
    let mut t = transfer(64 * 1024);
    common::run(&mut tb, &mut t);
    let stats = tb.stats();
    assert_eq!(stats.late_frames, 0, "{stats:?}");
    // The lookahead is what lets a busy node run hundreds of cycles per
    // step rather than a few dozen.
    assert!(
        stats.cycles[0] / stats.steps > 100,
        "{} cycles in {} steps",
        stats.cycles[0],
        stats.steps
    );
}

#[test]
fn a_wire_shorter_than_a_step_delivers_late_but_loses_nothing() {
    // No delay at all: no lookahead, so a frame may land inside a step the
    // other node already ran; it is driven in at the next step, counted.
    let mut tb = testbed(WireConfig {
        delay_ns: 0,
        ..WireConfig::default()
    });
    let mut t = transfer(64 * 1024);
    common::run(&mut tb, &mut t);
    assert!(tb.stats().late_frames > 0, "{:?}", tb.stats());
    let (sent, received) = t.digests();
    assert_eq!(sent, received, "the stream arrived intact");
}
