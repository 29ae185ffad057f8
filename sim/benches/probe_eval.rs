//! Raw speed of a Verilated model through the generated bindings: full clock cycles
//! (two `eval`s, two `set_clock`s, one input write and one output read) of `probe`.
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use synack_sim::model::Probe;

const CYCLES: u64 = 10_000;

fn probe_cycles(c: &mut Criterion) {
    let mut group = c.benchmark_group("probe");
    group.throughput(Throughput::Elements(CYCLES));
    let mut p = Probe::new();
    p.eval();
    group.bench_function("clock_cycles", |b| {
        b.iter(|| {
            let mut acc = 0;
            for i in 0..CYCLES {
                p.set_a(i & 0xFF);
                p.set_clock(1);
                p.eval();
                p.set_clock(0);
                p.eval();
                acc ^= p.y();
            }
            black_box(acc)
        })
    });
    group.finish();
}

criterion_group!(benches, probe_cycles);
criterion_main!(benches);
