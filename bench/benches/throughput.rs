//! Criterion benches behind `synack bench`: synack's stack and smoltcp,
//! bulk at MTU 1500 and 64 KiB and connection churn, in one process (the
//! Linux figures need a namespace and a child process: `synack bench`).
//!
//! Run: `cargo bench -p synack-bench --bench throughput`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use synack_bench::{Bulk, smol, stack};

fn bulk(c: &mut Criterion) {
    let mut g = c.benchmark_group("bulk");
    g.sample_size(10);
    for mtu in [1500u16, 65535] {
        let b = Bulk {
            mtu,
            bytes: 32 << 20,
            offload: false,
        };
        g.throughput(Throughput::Bytes(b.bytes));
        g.bench_function(format!("synack_mtu{mtu}"), |x| x.iter(|| stack::bulk(b)));
        g.bench_function(format!("smoltcp_mtu{mtu}"), |x| x.iter(|| smol::bulk(b)));
    }
    g.finish();
}

fn churn(c: &mut Criterion) {
    let mut g = c.benchmark_group("churn");
    g.sample_size(10);
    g.throughput(Throughput::Elements(2000));
    g.bench_function("synack_2000", |x| x.iter(|| stack::churn(2000, 0)));
    g.bench_function("smoltcp_2000", |x| x.iter(|| smol::churn(2000)));
    g.finish();
}

criterion_group!(benches, bulk, churn);
criterion_main!(benches);
