//! Two threads change only the wall time (issue 14): the same lossy
//! transfer clocked on one thread and on two gives the same frames at the
//! same simulated times, the same states and the same counts.
mod common;

use common::{run, testbed, transfer};
use synack_sim::cosim::{Testbed, Threads, TraceRecord};
use synack_sim::wire::WireConfig;

/// Everything observable of one run: each frame's host time, wire time,
/// direction and TCP summary, the state changes, and the testbed's counts.
fn observe(threads: Threads) -> (Vec<String>, Vec<String>, String) {
    let mut tb: Testbed = testbed(WireConfig {
        loss: 0.02,
        reorder: 0.02,
        ..WireConfig::default()
    });
    tb.set_threads(threads).expect("threads");
    tb.set_tracing(true);
    let mut t = transfer(64 * 1024);
    run(&mut tb, &mut t);
    let frames = tb
        .take_trace()
        .iter()
        .map(|r: &TraceRecord| {
            format!(
                "{} {} {:?} {:?} {:?}",
                r.node, r.at_ns, r.wire_ns, r.direction, r.tcp
            )
        })
        .collect();
    let changes = t
        .changes
        .iter()
        .map(|c| format!("{} {} {}", c.node, c.at.total_micros(), c.state))
        .collect();
    (frames, changes, format!("{:?}", tb.stats()))
}

#[test]
fn two_threads_give_the_same_frames_times_and_states_as_one() {
    let one = observe(Threads::One);
    let two = observe(Threads::Two);
    assert!(one.0.len() > 100, "{} frames traced", one.0.len());
    assert_eq!(one.0, two.0, "frames and their times");
    assert_eq!(one.1, two.1, "state changes");
    assert_eq!(one.2, two.2, "testbed counts");
}
