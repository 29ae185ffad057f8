//! The Verilator harness on its smoke-test design, `probe`: `y` is `a ^ 0x55` registered,
//! `count` counts rising clock edges from 0.
use synack_sim::model::{Direction, Port, Probe};

/// A fresh probe with the clock low and initial blocks run.
fn probe() -> Probe {
    let mut p = Probe::new();
    p.set_clock(0);
    p.eval();
    p
}

/// One full clock cycle: rising edge, then falling edge.
fn cycle(p: &mut Probe) {
    p.set_clock(1);
    p.eval();
    p.set_clock(0);
    p.eval();
}

#[test]
fn ports_are_discovered_from_the_verilated_header() {
    assert_eq!(Probe::NAME, "probe");
    let port = |name, width, direction| Port {
        name,
        width,
        direction,
    };
    assert_eq!(
        Probe::PORTS,
        &[
            port("clock", 1, Direction::Input),
            port("a", 8, Direction::Input),
            port("y", 8, Direction::Output),
            port("count", 32, Direction::Output),
        ]
    );
}

#[test]
fn registers_start_at_zero() {
    let p = probe();
    assert_eq!(p.y(), 0);
    assert_eq!(p.count(), 0);
}

#[test]
fn y_is_a_xor_0x55_one_cycle_later() {
    let mut p = probe();
    for a in [0x00u64, 0x12, 0x55, 0xAA, 0xFF, 0x80] {
        let before = p.y();
        p.set_a(a);
        p.eval();
        assert_eq!(p.y(), before, "y changed before the clock edge (a={a:#x})");
        p.set_clock(1);
        p.eval();
        assert_eq!(p.y(), a ^ 0x55, "a={a:#x}");
        p.set_clock(0);
        p.eval();
        assert_eq!(p.y(), a ^ 0x55, "falling edge changed y (a={a:#x})");
    }
}

#[test]
fn count_counts_rising_edges_only() {
    let mut p = probe();
    for n in 1..=1000u64 {
        p.set_clock(1);
        p.eval();
        assert_eq!(p.count(), n);
        p.eval();
        assert_eq!(p.count(), n, "eval without an edge advanced the counter");
        p.set_clock(0);
        p.eval();
        assert_eq!(p.count(), n);
    }
}

#[test]
fn input_getters_return_what_was_driven() {
    let mut p = probe();
    p.set_a(0xC3);
    assert_eq!(p.a(), 0xC3);
    p.set_clock(1);
    assert_eq!(p.clock(), 1);
}

#[test]
fn time_is_per_instance_and_starts_at_zero() {
    let mut p = probe();
    let q = probe();
    assert_eq!(p.time(), 0);
    p.set_time(12_345);
    assert_eq!(p.time(), 12_345);
    assert_eq!(q.time(), 0);
}

#[test]
fn two_instances_are_independent() {
    let mut p = probe();
    let mut q = probe();
    p.set_a(0x01);
    q.set_a(0xF0);
    for _ in 0..10 {
        cycle(&mut p);
    }
    for _ in 0..3 {
        cycle(&mut q);
    }
    assert_eq!((p.count(), p.y()), (10, 0x01 ^ 0x55));
    assert_eq!((q.count(), q.y()), (3, 0xF0 ^ 0x55));
    drop(p);
    cycle(&mut q);
    assert_eq!(q.count(), 4);
}

#[test]
fn models_move_between_threads_and_run_in_parallel() {
    let mut moved = probe();
    cycle(&mut moved);
    let handles: Vec<_> = (0..4u64)
        .map(|i| {
            std::thread::spawn(move || {
                let mut p = probe();
                p.set_a(i);
                for _ in 0..(1000 * (i + 1)) {
                    cycle(&mut p);
                }
                (p.count(), p.y())
            })
        })
        .collect();
    let moved = std::thread::spawn(move || {
        cycle(&mut moved);
        moved
    })
    .join()
    .unwrap();
    assert_eq!(moved.count(), 2);
    for (i, h) in handles.into_iter().enumerate() {
        let i = i as u64;
        assert_eq!(h.join().unwrap(), (1000 * (i + 1), i ^ 0x55));
    }
}

#[test]
fn many_instances_are_created_and_dropped() {
    for round in 0..200u64 {
        let mut p = probe();
        for _ in 0..round % 7 {
            cycle(&mut p);
        }
        assert_eq!(p.count(), round % 7);
    }
    // Never evaluated: drop must still run `final` and free it.
    drop(Probe::new());
    let _default = Probe::default();
}

#[test]
fn debug_shows_ports() {
    let mut p = probe();
    p.set_a(0x10);
    cycle(&mut p);
    let s = format!("{p:?}");
    assert!(s.contains("y: 0x45") && s.contains("count: 0x1"), "{s}");
}

#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "probe.a is 8 bits wide")]
fn overwide_input_panics_in_debug_builds() {
    probe().set_a(0x100);
}

#[cfg(feature = "trace")]
#[test]
fn vcd_dump_records_the_counter() {
    let path = std::env::temp_dir().join(format!("synack-probe-{}.vcd", std::process::id()));
    let mut p = probe();
    p.trace_open(&path).unwrap();
    for t in 0..8u64 {
        p.set_time(t * 5);
        p.set_clock(t % 2);
        p.eval();
        p.trace_dump();
    }
    p.trace_close();
    let vcd = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(vcd.contains("$var") && vcd.contains(" count "), "{vcd}");
    assert!(vcd.contains("#35"), "{vcd}");
    // A directory cannot be opened as a file.
    assert!(p.trace_open(std::env::temp_dir()).is_err());
    // Dumping without an open file is a no-op.
    p.trace_dump();
}

#[cfg(feature = "trace")]
#[test]
fn trace_works_on_a_moved_model_after_another_was_dropped() {
    let mut p = probe();
    std::thread::spawn(move || {
        // This thread's runtime state last pointed at `q`'s context, now deleted.
        let q = probe();
        drop(q);
        let path =
            std::env::temp_dir().join(format!("synack-probe-moved-{}.vcd", std::process::id()));
        p.trace_open(&path).unwrap();
        cycle(&mut p);
        p.trace_dump();
        p.trace_close();
        let vcd = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(vcd.contains("$timescale"), "{vcd}");
    })
    .join()
    .unwrap();
}
