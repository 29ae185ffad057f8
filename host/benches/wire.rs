//! Wire-format hot paths: parsing and verifying a full-sized TCP segment, and
//! the Internet checksum over a full Ethernet payload.
//!
//! Run: `cargo bench -p synack-host --bench wire`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use synack_host::wire::{
    ChecksumCapabilities, EtherType, EthernetAddress, EthernetRepr, FrameRepr, IpProtocol,
    Ipv4Address, Ipv4Repr, NetworkRepr, TcpFlags, TcpPacket, TcpRepr, TcpTimestamp, TransportRepr,
    checksum,
};

const SRC: Ipv4Address = Ipv4Address::new(192, 168, 1, 10);
const DST: Ipv4Address = Ipv4Address::new(192, 168, 1, 20);

/// An MSS-sized data segment as Linux sends it mid-stream: ACK|PSH with
/// timestamps, 1460 bytes of payload (SPEC W5).
fn frame(payload: &[u8]) -> Vec<u8> {
    let tcp = TcpRepr {
        src_port: 443,
        dst_port: 50123,
        seq_number: 0x1234_5678,
        ack_number: 0x9abc_def0,
        flags: TcpFlags::ACK | TcpFlags::PSH,
        window_len: 502,
        urgent_pointer: 0,
        max_seg_size: None,
        window_scale: None,
        sack_permitted: false,
        sack_ranges: [None; 4],
        timestamp: Some(TcpTimestamp {
            tsval: 1_000_000,
            tsecr: 999_000,
        }),
        payload,
    };
    let f = FrameRepr {
        ethernet: EthernetRepr {
            src_addr: EthernetAddress([0x02, 0, 0, 0, 0, 1]),
            dst_addr: EthernetAddress([0x02, 0, 0, 0, 0, 2]),
            ethertype: EtherType::Ipv4,
        },
        network: NetworkRepr::Ipv4 {
            ip: Ipv4Repr {
                src_addr: SRC,
                dst_addr: DST,
                protocol: IpProtocol::Tcp,
                payload_len: 0,
                ttl: 64,
                ident: 1,
                dont_frag: true,
            },
            transport: TransportRepr::Tcp(tcp),
        },
    };
    let mut b = vec![0u8; f.buffer_len()];
    f.emit(&mut b, &ChecksumCapabilities::software());
    b
}

fn bench(c: &mut Criterion) {
    let payload: Vec<u8> = (0..1460u32).map(|i| (i * 7 + 3) as u8).collect();
    let bytes = frame(&payload);
    let segment = bytes[34..].to_vec();
    let software = ChecksumCapabilities::software();
    let offloaded = ChecksumCapabilities::offloaded();

    let mut g = c.benchmark_group("wire");

    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("frame_parse_verify_tcp_1460", |b| {
        b.iter(|| FrameRepr::parse(black_box(&bytes), &software).unwrap())
    });
    g.bench_function("frame_parse_offloaded_tcp_1460", |b| {
        b.iter(|| FrameRepr::parse(black_box(&bytes), &offloaded).unwrap())
    });

    g.throughput(Throughput::Bytes(segment.len() as u64));
    g.bench_function("tcp_parse_verify_1460", |b| {
        b.iter(|| {
            let p = TcpPacket::new_checked(black_box(&segment[..])).unwrap();
            TcpRepr::parse(&p, &SRC, &DST, &software).unwrap()
        })
    });

    let mut out = vec![0u8; bytes.len()];
    let parsed = FrameRepr::parse(&bytes, &software).unwrap();
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("frame_emit_tcp_1460", |b| {
        b.iter(|| black_box(&parsed).emit(black_box(&mut out), &software))
    });

    let data: Vec<u8> = (0..1500u32).map(|i| (i * 13 + 1) as u8).collect();
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("checksum_1500", |b| {
        b.iter(|| checksum::data(black_box(&data)))
    });

    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
