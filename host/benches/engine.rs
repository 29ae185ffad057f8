//! The TCP engine's cost per segment: a bulk transfer between two engines in
//! memory (no wire bytes, no interface), on a virtual clock that jumps to the
//! next deadline when both sides are idle. Also prints the size of a
//! connection control block and of a TIME-WAIT record (DESIGN: compact
//! records, target ≤ 64 bytes).
//!
//! Run: `cargo bench -p synack-host --bench engine`

use std::hint::black_box;
use std::net::{Ipv4Addr, SocketAddrV4};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use synack_host::tcp::{Config, Connection, Engine, Event, ReadError};
use synack_host::time::Instant;

const SERVER: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 5001);
const CLIENT_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);

/// Transfer `len` bytes from a client engine to a server engine; returns the
/// segments that crossed: (client → server, server → client).
fn bulk(len: usize, chunk: &[u8]) -> (u64, u64) {
    let mut a = Engine::with_seed(Config::default(), 1);
    let mut b = Engine::with_seed(Config::default(), 2);
    let mut now = Instant::from_secs(1);
    let l = b.listen(SERVER, 16).unwrap();
    let c = a.connect(now, CLIENT_IP, SERVER).unwrap();
    let mut s = None;
    let (mut sent, mut got) = (0usize, 0usize);
    let (mut fwd, mut rev) = (0u64, 0u64);
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let mut moved = false;
        while let Some(seg) = a.poll_transmit(now) {
            b.handle_segment(now, seg);
            fwd += 1;
            moved = true;
        }
        while let Some(seg) = b.poll_transmit(now) {
            a.handle_segment(now, seg);
            rev += 1;
            moved = true;
        }
        while let Some(e) = b.poll_event() {
            if e == Event::Incoming(l) {
                s = Some(b.accept(l).unwrap().0);
            }
        }
        while a.poll_event().is_some() {}
        if sent < len {
            let end = (len - sent).min(chunk.len());
            if let Ok(n) = a.write(now, c, &chunk[..end]) {
                sent += n;
                moved |= n > 0;
            }
        }
        if let Some(s) = s {
            loop {
                match b.read(now, s, &mut buf) {
                    Ok(n) if n > 0 => {
                        got += n;
                        moved = true;
                    }
                    Ok(_) | Err(ReadError::WouldBlock) => break,
                    Err(e) => panic!("read: {e}"),
                }
            }
        }
        if got >= len {
            return (fwd, rev);
        }
        if !moved {
            let next = [a.poll_timeout(), b.poll_timeout()]
                .into_iter()
                .flatten()
                .min()
                .expect("a stalled transfer has a timer");
            now = now.max(next);
            a.handle_timeout(now);
            b.handle_timeout(now);
        }
    }
}

fn sizes() {
    println!(
        "size_of::<Connection>() = {} bytes (heap buffers not included)",
        size_of::<Connection>()
    );
    println!(
        "TIME-WAIT record = {} bytes stored (plus ~5 of index; target <= 64 resident)",
        synack_host::tcp::time_wait::RECORD_BYTES
    );
}

fn segments_per_second(chunk: &[u8]) {
    let len = 64 << 20;
    let t = std::time::Instant::now();
    let (fwd, rev) = bulk(len, chunk);
    let secs = t.elapsed().as_secs_f64();
    let segs = fwd + rev;
    println!(
        "bulk 64 MiB: {fwd} data + {rev} ACK segments in {secs:.3} s = {:.0} segments/s, {:.1} MB/s of payload",
        segs as f64 / secs,
        len as f64 / secs / 1e6
    );
}

fn bench_engine(c: &mut Criterion) {
    sizes();
    let chunk = vec![0xa5u8; 64 * 1024];
    segments_per_second(&chunk);
    let len = 4 << 20;
    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Bytes(len as u64));
    g.sample_size(20);
    g.bench_function("bulk_4MiB_two_engines", |bch| {
        bch.iter(|| black_box(bulk(black_box(len), &chunk)))
    });
    g.finish();
}

criterion_group!(benches, bench_engine);
criterion_main!(benches);
