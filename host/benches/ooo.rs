//! The cost of one out-of-order segment as the holes in the receive queue
//! grow (issue 9 item 2, SPEC R3): a receiver already holding N one-byte
//! out-of-order ranges takes 100 more, each opening a new hole, and answers
//! each with its ACK (SACK blocks included). With ranges in an ordered map
//! the cost is O(log N): flat in practice. Also the same attack against the
//! default bound (256 holes), where each new far segment is pruned.
//!
//! Run: `cargo bench -p synack-host --bench ooo`

use std::hint::black_box;
use std::net::{Ipv4Addr, SocketAddrV4};

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use synack_host::tcp::{Config, ConnectionHandle, Engine, Flags, Segment};
use synack_host::time::Instant;

const SERVER: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 5001);
const CLIENT_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
/// Segments measured per batch.
const BATCH: u32 = 100;
/// Bytes between the starts of neighbouring one-byte segments (2 bytes of hole).
const SPACING: u32 = 3;

/// A receiver with an established connection; returns it, the handle and
/// a template segment from the peer (ACK, in order).
fn receiver(cfg: Config) -> (Engine, ConnectionHandle, Segment) {
    let mut a = Engine::with_seed(Config::default(), 1);
    let mut b = Engine::with_seed(cfg, 2);
    let now = Instant::from_secs(1);
    let l = b.listen(SERVER, 16).unwrap();
    let c = a.connect(now, CLIENT_IP, SERVER).unwrap();
    for _ in 0..4 {
        while let Some(s) = a.poll_transmit(now) {
            b.handle_segment(now, s);
        }
        while let Some(s) = b.poll_transmit(now) {
            a.handle_segment(now, s);
        }
    }
    let (h, _) = b.accept(l).expect("handshake");
    let ca = a.connection(c).unwrap();
    let cb = b.connection(h).unwrap();
    let mut t = Segment::new(
        ca.tuple().local,
        SERVER,
        cb.rcv_nxt(),
        cb.snd_nxt(),
        Flags::ACK,
    );
    t.window = 1000;
    t.payload = vec![0x5a].into();
    (b, h, t)
}

/// The `i`-th one-byte segment, leaving a hole before it.
fn nth(template: &Segment, i: u32) -> Segment {
    let mut s = template.clone();
    s.seq = template.seq + (SPACING * i + 1) as usize;
    s
}

/// A receiver holding `holes` out-of-order ranges.
fn with_holes(cfg: Config, holes: u32) -> (Engine, ConnectionHandle, Segment) {
    let (mut b, h, t) = receiver(cfg);
    let now = Instant::from_secs(2);
    for i in 0..holes {
        b.handle_segment(now, nth(&t, i));
        while b.poll_transmit(now).is_some() {}
    }
    (b, h, t)
}

/// Takes a batch; returns the engine so that dropping it (and its thousands
/// of ranges) is not timed.
fn take_batch(mut b: Engine, t: &Segment, from: u32) -> Engine {
    let now = Instant::from_secs(3);
    for i in from..from + BATCH {
        b.handle_segment(now, nth(t, i));
        while let Some(ack) = b.poll_transmit(now) {
            black_box(ack);
        }
    }
    b
}

fn bench_ooo(c: &mut Criterion) {
    let unbounded = Config {
        max_ooo_ranges: 1 << 20,
        ..Config::default()
    };
    let mut g = c.benchmark_group("ooo_segment");
    g.throughput(Throughput::Elements(u64::from(BATCH)));
    g.sample_size(20);
    for holes in [0u32, 100, 1_000, 10_000, 20_000] {
        let (b, h, _) = with_holes(unbounded.clone(), holes);
        assert_eq!(b.connection(h).unwrap().out_of_order().0, holes as usize);
        g.bench_with_input(BenchmarkId::new("holes", holes), &holes, |bch, &holes| {
            bch.iter_batched(
                || with_holes(unbounded.clone(), holes),
                |(b, _, t)| take_batch(b, &t, holes),
                BatchSize::LargeInput,
            )
        });
    }
    // The default bound under a 20,000-hole attack: 256 held, the rest pruned.
    let (b, h, _) = with_holes(Config::default(), 20_000);
    let held = b.connection(h).unwrap().out_of_order().0;
    let pruned = b.stats().connection_drops.ooo_pruned;
    println!("default bound after 20000 one-byte holes: {held} ranges held, {pruned} pruned");
    g.bench_function("holes/20000_at_default_bound", |bch| {
        bch.iter_batched(
            || with_holes(Config::default(), 20_000),
            |(b, _, t)| take_batch(b, &t, 20_000),
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench_ooo);
criterion_main!(benches);
