//! The TCP engine under attack: two engines with three bystander
//! connections and one victim connection; the fuzzer's bytes become
//! segments (any flags, sequence and acknowledgement numbers near or far
//! from the victim's, windows, options, payloads — checksums are not in
//! play: the engine sees checked segments) aimed at the victim's 4-tuple,
//! the listener, and unused ports, interleaved with the bystanders' traffic;
//! and ICMP errors quoting the victim's tuple or others, with sequence
//! numbers near its own or anywhere (what an off-path attacker can send).
//!
//! The server hands out its segments as TSO runs (with deferral), cut by
//! `TxRun::pieces`; the client one at a time.
//!
//! Asserts: no panic; every bystander stream arrives intact and in order;
//! the server engine's footprint stays within its configured bounds at
//! every step.
#![no_main]

use core::time::Duration;
use std::collections::VecDeque;
use std::net::{Ipv4Addr, SocketAddrV4};

use libfuzzer_sys::fuzz_target;
use synack_host::tcp::segment::{SackBlock, TcpOptions, Timestamps};
use synack_host::tcp::{
    Config, ConnectionHandle, Engine, Flags, FourTuple, IcmpError, IcmpErrorKind, RunLimit,
    Segment, SeqNumber, State,
};
use synack_host::time::Instant;

const A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
const PORT: u16 = 80;
const BYSTANDERS: usize = 3;
const STREAM: usize = 6000;
const RUNS: RunLimit = RunLimit {
    bytes: 64 * 1024,
    segments: usize::MAX,
    defer: true,
};

struct Net {
    a: Engine,
    b: Engine,
    now: Instant,
    /// Segments in flight: (deliver at, to B?, segment).
    wire: VecDeque<(Instant, bool, Segment)>,
}

impl Net {
    fn flush(&mut self) {
        let at = self.now + Duration::from_millis(1);
        while let Some(s) = self.a.poll_transmit(self.now) {
            self.wire.push_back((at, true, s));
        }
        // The server hands out runs as to a segmenting device (TSO,
        // deferral), cut by the one rule.
        while let Some(segs) = self.b.poll_transmit_run(self.now, RUNS, |r| r.to_segments()) {
            for s in segs {
                self.wire.push_back((at, false, s));
            }
        }
        while self.a.poll_event().is_some() {}
    }

    /// Advance to the next thing that happens.
    fn step(&mut self) {
        self.flush();
        let next = [
            self.wire.front().map(|w| w.0),
            self.a.poll_timeout(),
            self.b.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min();
        let Some(t) = next else { return };
        self.now = self.now.max(t);
        while self.wire.front().is_some_and(|w| w.0 <= self.now) {
            let (_, to_b, s) = self.wire.pop_front().expect("front");
            if to_b {
                self.b.handle_segment(self.now, s);
            } else {
                self.a.handle_segment(self.now, s);
            }
        }
        if self.a.poll_timeout().is_some_and(|t| t <= self.now) {
            self.a.handle_timeout(self.now);
        }
        if self.b.poll_timeout().is_some_and(|t| t <= self.now) {
            self.b.handle_timeout(self.now);
        }
        self.flush();
    }
}

fn byte(data: &mut &[u8]) -> u8 {
    match data.split_first() {
        Some((&b, rest)) => {
            *data = rest;
            b
        }
        None => 0,
    }
}

fn word(data: &mut &[u8]) -> u32 {
    u32::from_le_bytes([byte(data), byte(data), byte(data), byte(data)])
}

/// One hostile segment to B, shaped by the fuzzer's bytes.
fn hostile(data: &mut &[u8], victim: Option<(SocketAddrV4, SeqNumber, SeqNumber)>) -> Segment {
    let how = byte(data);
    let (src, near_seq, near_ack) = match (how & 3, victim) {
        (0 | 1, Some(v)) => v,
        // Ports below the ephemeral range: never a bystander's 4-tuple.
        (2, _) => (SocketAddrV4::new(A, 1 + u16::from(byte(data))), SeqNumber(0), SeqNumber(0)),
        _ => (SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 9), 1234), SeqNumber(0), SeqNumber(0)),
    };
    let dst = SocketAddrV4::new(B, if how & 4 == 0 { PORT } else { 81 });
    // Near the victim's numbers (small signed offsets) or anywhere.
    let off = |d: &mut &[u8], base: SeqNumber| {
        let w = word(d);
        if how & 8 == 0 {
            base + ((w as i16) as i32 as u32 as usize)
        } else {
            SeqNumber(w)
        }
    };
    let seq = off(data, near_seq);
    let ack = off(data, near_ack);
    let mut s = Segment::new(src, dst, seq, ack, Flags(byte(data)));
    s.window = u16::from_le_bytes([byte(data), byte(data)]);
    let o = byte(data);
    s.options = TcpOptions {
        mss: (o & 1 != 0).then(|| u16::from_le_bytes([byte(data), byte(data)])),
        window_scale: (o & 2 != 0).then(|| byte(data)),
        sack_permitted: o & 4 != 0,
        sack_blocks: (0..(o >> 5) & 3)
            .map(|_| SackBlock {
                left: off(data, near_ack),
                right: off(data, near_ack),
            })
            .collect(),
        timestamps: (o & 8 != 0).then(|| Timestamps {
            tsval: word(data),
            tsecr: word(data),
        }),
    };
    let len = usize::from(byte(data) & 0x3f);
    s.payload = vec![0xAA; len].into();
    s
}

/// One hostile ICMP error at B about a segment B supposedly sent.
fn hostile_icmp(data: &mut &[u8], victim: Option<(SocketAddrV4, SeqNumber, SeqNumber)>) -> IcmpError {
    let how = byte(data);
    let (remote, near_seq) = match (how & 1, victim) {
        (0, Some((addr, _, snd_nxt))) => (addr, snd_nxt),
        _ => (SocketAddrV4::new(A, 1 + u16::from(byte(data))), SeqNumber(0)),
    };
    let w = word(data);
    let seq = if how & 2 == 0 {
        near_seq + ((w as i16) as i32 as u32 as usize)
    } else {
        SeqNumber(w)
    };
    let kind = match (how >> 2) & 3 {
        0 => IcmpErrorKind::TimeExceeded,
        1 => IcmpErrorKind::ParameterProblem,
        // Any next-hop MTU, the tiny and the absurd included (RFC 1191).
        2 => IcmpErrorKind::FragmentationNeeded {
            mtu: u16::from_be_bytes([byte(data), byte(data)]),
        },
        _ => IcmpErrorKind::Unreachable { code: byte(data) },
    };
    IcmpError {
        tuple: FourTuple {
            local: SocketAddrV4::new(B, PORT),
            remote,
        },
        seq,
        kind,
    }
}

fuzz_target!(|data: &[u8]| {
    let cfg = Config {
        max_ooo_ranges: 8,
        netdev_max_backlog: 16,
        tx_queue_len: 32,
        max_syn_backlog: 16,
        max_tw_buckets: 16,
        max_connections: 64,
        ..Config::default()
    };
    let mut net = Net {
        a: Engine::with_seed(cfg.clone(), 1),
        b: Engine::with_seed(cfg.clone(), 2),
        now: Instant::from_secs(1000),
        wire: VecDeque::new(),
    };
    let server = SocketAddrV4::new(B, PORT);
    let l = net.b.listen(server, 64).expect("listen");
    let mut clients: Vec<ConnectionHandle> = Vec::new();
    for _ in 0..=BYSTANDERS {
        clients.push(net.a.connect(net.now, A, server).expect("connect"));
    }
    let mut accepted = Vec::new();
    for _ in 0..50 {
        net.step();
        while let Ok((h, peer)) = net.b.accept(l) {
            accepted.push((h, peer));
        }
    }
    if accepted.len() != clients.len() {
        return;
    }
    // The victim is the last client; its server side is found by address.
    let victim_local = net.a.connection(clients[BYSTANDERS]).map(|c| c.tuple().local);
    let server_of = |local: SocketAddrV4| accepted.iter().find(|(_, p)| *p == local).map(|x| x.0);
    let streams: Vec<Vec<u8>> = (0..BYSTANDERS)
        .map(|i| (0..STREAM).map(|j| (j * 31 + i * 7) as u8).collect())
        .collect();
    let mut sent = [0usize; BYSTANDERS];
    let mut got: Vec<Vec<u8>> = vec![Vec::new(); BYSTANDERS];
    let mut input = data;
    let mut buf = [0u8; 4096];
    let mut rounds = 0;
    loop {
        rounds += 1;
        for i in 0..BYSTANDERS {
            if sent[i] < STREAM {
                if let Ok(n) = net.a.write(net.now, clients[i], &streams[i][sent[i]..]) {
                    sent[i] += n;
                }
            }
            let local = net.a.connection(clients[i]).map(|c| c.tuple().local);
            if let Some(h) = local.and_then(server_of) {
                while let Ok(n) = net.b.read(net.now, h, &mut buf) {
                    if n == 0 {
                        break;
                    }
                    got[i].extend_from_slice(&buf[..n]);
                }
            }
        }
        if !input.is_empty() {
            let victim = victim_local.and_then(|local| {
                let h = server_of(local)?;
                let c = net.b.connection(h)?;
                Some((local, c.rcv_nxt(), c.snd_nxt()))
            });
            let n = byte(&mut input);
            for _ in 0..(n & 7) {
                let s = hostile(&mut input, victim);
                net.b.handle_segment(net.now, s);
            }
            if n & 0x80 != 0 {
                let e = hostile_icmp(&mut input, victim);
                net.b.handle_icmp_error(net.now, &e);
            }
        }
        net.step();
        let f = net.b.footprint();
        assert!(f.backlog <= cfg.netdev_max_backlog);
        assert!(f.tx_queue <= cfg.tx_queue_len);
        assert!(f.syn_queue <= cfg.max_syn_backlog);
        assert!(f.time_wait <= cfg.max_tw_buckets);
        assert!(f.connections <= cfg.max_connections);
        assert!(f.ooo_ranges <= cfg.max_ooo_ranges * f.connections.max(1));
        assert!(f.ooo_bytes + f.recv_bytes <= f.connections.max(1) * cfg.rcv_buf);
        assert!(f.sockets_with_events <= f.connections + 1);
        assert!(f.path_mtus <= cfg.pmtu_cache_max);
        let done = got.iter().all(|g| g.len() >= STREAM);
        if (input.is_empty() && done) || rounds > 20_000 {
            break;
        }
    }
    for i in 0..BYSTANDERS {
        assert_eq!(got[i].len(), STREAM, "bystander {i} stalled");
        assert!(got[i] == streams[i], "bystander {i} corrupted");
        let h = server_of(net.a.connection(clients[i]).expect("client").tuple().local).expect("server");
        assert_eq!(net.b.state(h), State::Established, "bystander {i}");
    }
});
