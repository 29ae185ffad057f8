//! Test harness: a `Pair` of engines joined by a simulated wire on a virtual
//! clock that jumps to the next wake-up, with seeded loss and reordering; and
//! helpers for single-engine tests that inject exact segments.

use core::time::Duration;
use std::collections::VecDeque;
use std::net::{Ipv4Addr, SocketAddrV4};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::tcp::segment::{Flags, Segment, SeqNumber, TcpOptions, Timestamps, addr};
use crate::tcp::{Config, ConnectionHandle, Engine, Event, ListenerHandle, RunLimit};
use crate::time::Instant;

pub const A_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
pub const B_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
pub const PORT: u16 = 80;

pub fn server_addr() -> SocketAddrV4 {
    SocketAddrV4::new(B_IP, PORT)
}

pub fn client_addr() -> SocketAddrV4 {
    addr(10, 0, 0, 1, 40000)
}

pub fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

pub fn ms(m: u64) -> Duration {
    Duration::from_millis(m)
}

/// Which way a segment travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    AtoB,
    BtoA,
}

/// A drop decision made by a test for specific segments.
pub type Filter = Box<dyn FnMut(Dir, &Segment) -> bool>;

/// Two engines (A client, B server) and a wire.
pub struct Pair {
    pub a: Engine,
    pub b: Engine,
    pub now: Instant,
    pub latency: Duration,
    wire: VecDeque<(Instant, Dir, Segment)>,
    rng: ChaCha8Rng,
    pub loss: f64,
    pub reorder: f64,
    /// Return true to drop.
    pub filter: Option<Filter>,
    /// Every segment put on the wire (dropped or not), with its send time.
    pub log: Vec<(Instant, Dir, Segment)>,
    pub a_events: Vec<Event>,
    pub b_events: Vec<Event>,
    /// How both engines hand out transmit work: one segment at a time
    /// (`RunLimit::ONE`, the default) or in runs, cut by `TxRun::pieces`.
    pub runs: RunLimit,
}

impl Pair {
    pub fn new() -> Self {
        Self::with_configs(Config::default(), Config::default())
    }

    pub fn with_configs(a: Config, b: Config) -> Self {
        Pair {
            a: Engine::with_seed(a, 1),
            b: Engine::with_seed(b, 2),
            now: Instant::from_secs(1000),
            latency: ms(5),
            wire: VecDeque::new(),
            rng: ChaCha8Rng::seed_from_u64(7),
            loss: 0.0,
            reorder: 0.0,
            filter: None,
            log: Vec::new(),
            a_events: Vec::new(),
            b_events: Vec::new(),
            runs: RunLimit::ONE,
        }
    }

    pub fn seed(&mut self, seed: u64) {
        self.rng = ChaCha8Rng::seed_from_u64(seed);
    }

    /// Drain both engines' output onto the wire and their events into the logs.
    pub fn flush(&mut self) {
        loop {
            let mut any = false;
            let (now, runs) = (self.now, self.runs);
            while let Some(segs) = self.a.poll_transmit_run(now, runs, |r| r.to_segments()) {
                for s in segs {
                    self.put(Dir::AtoB, s);
                }
                any = true;
            }
            while let Some(segs) = self.b.poll_transmit_run(now, runs, |r| r.to_segments()) {
                for s in segs {
                    self.put(Dir::BtoA, s);
                }
                any = true;
            }
            if !any {
                break;
            }
        }
        while let Some(e) = self.a.poll_event() {
            self.a_events.push(e);
        }
        while let Some(e) = self.b.poll_event() {
            self.b_events.push(e);
        }
    }

    fn put(&mut self, dir: Dir, s: Segment) {
        self.log.push((self.now, dir, s.clone()));
        if let Some(f) = self.filter.as_mut() {
            if f(dir, &s) {
                return;
            }
        }
        if self.loss > 0.0 && self.rng.random_bool(self.loss) {
            return;
        }
        let mut at = self.now + self.latency;
        if self.reorder > 0.0 && self.rng.random_bool(self.reorder) {
            at += self.latency * 2;
        }
        let pos = self
            .wire
            .iter()
            .position(|(t, _, _)| *t > at)
            .unwrap_or(self.wire.len());
        self.wire.insert(pos, (at, dir, s));
    }

    /// The next instant anything happens.
    pub fn next_wakeup(&self) -> Option<Instant> {
        [
            self.wire.front().map(|(t, _, _)| *t),
            self.a.poll_timeout(),
            self.b.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Advance the clock to the next wake-up (not beyond `limit`) and process it.
    /// Returns false when nothing is scheduled before `limit`.
    pub fn step(&mut self, limit: Instant) -> bool {
        self.flush();
        let Some(t) = self.next_wakeup() else {
            return false;
        };
        if t > limit {
            return false;
        }
        self.now = self.now.max(t);
        while let Some((at, _, _)) = self.wire.front() {
            if *at > self.now {
                break;
            }
            let Some((_, dir, s)) = self.wire.pop_front() else {
                break;
            };
            match dir {
                Dir::AtoB => self.b.handle_segment(self.now, s),
                Dir::BtoA => self.a.handle_segment(self.now, s),
            }
            self.flush();
        }
        if self.a.poll_timeout().is_some_and(|t| t <= self.now) {
            self.a.handle_timeout(self.now);
        }
        if self.b.poll_timeout().is_some_and(|t| t <= self.now) {
            self.b.handle_timeout(self.now);
        }
        self.flush();
        self.a.check_invariants();
        self.b.check_invariants();
        true
    }

    /// Run until `d` from now has passed.
    pub fn run_for(&mut self, d: Duration) {
        let end = self.now + d;
        while self.step(end) {}
        self.now = self.now.max(end);
        self.flush();
    }

    /// Run until `cond` holds or `limit` passes; returns whether it held.
    pub fn run_until(&mut self, limit: Duration, mut cond: impl FnMut(&mut Pair) -> bool) -> bool {
        let end = self.now + limit;
        loop {
            if cond(self) {
                return true;
            }
            if !self.step(end) {
                return cond(self);
            }
        }
    }

    /// A listening on B and a connected client on A; returns (client, server) handles.
    pub fn connect(&mut self) -> (ConnectionHandle, ConnectionHandle, ListenerHandle) {
        let l = self.b.listen(server_addr(), 128).expect("listen");
        let c = self
            .a
            .connect(self.now, A_IP, server_addr())
            .expect("connect");
        let mut server = None;
        let ok = self.run_until(secs(5), |p| {
            if server.is_none() {
                server = p.b.accept(l).ok().map(|(h, _)| h);
            }
            server.is_some() && p.a.state(c) == crate::tcp::State::Established
        });
        assert!(ok, "handshake did not complete");
        (c, server.expect("accepted"), l)
    }

    /// Segments sent in `dir` so far.
    pub fn sent(&self, dir: Dir) -> Vec<Segment> {
        self.log
            .iter()
            .filter(|(_, d, _)| *d == dir)
            .map(|(_, _, s)| s.clone())
            .collect()
    }

    /// Send `up` from A's `c` and `down` from B's `s` at once, reading both
    /// ends as data arrives, for at most `limit`; the bytes each end got.
    pub fn exchange(
        &mut self,
        (c, s): (ConnectionHandle, ConnectionHandle),
        up: &[u8],
        down: &[u8],
        limit: Duration,
    ) -> (Vec<u8>, Vec<u8>) {
        let (mut wu, mut wd) = (0, 0);
        let (mut gu, mut gd) = (Vec::new(), Vec::new());
        self.run_until(limit, |p| {
            if wu < up.len() {
                if let Ok(n) = p.a.write(p.now, c, &up[wu..]) {
                    wu += n;
                }
            }
            if wd < down.len() {
                if let Ok(n) = p.b.write(p.now, s, &down[wd..]) {
                    wd += n;
                }
            }
            gu.extend(p.read_all(false, s));
            gd.extend(p.read_all(true, c));
            gu.len() == up.len() && gd.len() == down.len()
        });
        (gu, gd)
    }

    /// Read everything available from `h` on engine `a` (true) or `b`.
    pub fn read_all(&mut self, on_a: bool, h: ConnectionHandle) -> Vec<u8> {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let e = if on_a { &mut self.a } else { &mut self.b };
            match e.read(self.now, h, &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
        self.flush();
        out
    }
}

/// Drain an engine's output at `now`.
pub fn drain(e: &mut Engine, now: Instant) -> Vec<Segment> {
    let mut v = Vec::new();
    while let Some(s) = e.poll_transmit(now) {
        v.push(s);
    }
    v
}

/// Drain an engine's events.
pub fn events(e: &mut Engine) -> Vec<Event> {
    let mut v = Vec::new();
    while let Some(x) = e.poll_event() {
        v.push(x);
    }
    v
}

/// A segment from `src` to `dst`.
pub fn seg(src: SocketAddrV4, dst: SocketAddrV4, seq: u32, ack: u32, flags: Flags) -> Segment {
    let mut s = Segment::new(src, dst, SeqNumber(seq), SeqNumber(ack), flags);
    s.window = 64240;
    s
}

/// A Linux-like SYN from the client address to the server address.
pub fn linux_syn(seq: u32, tsval: u32) -> Segment {
    let mut s = seg(client_addr(), server_addr(), seq, 0, Flags::SYN);
    s.options = TcpOptions {
        mss: Some(1460),
        window_scale: Some(7),
        sack_permitted: true,
        sack_blocks: Default::default(),
        timestamps: Some(Timestamps { tsval, tsecr: 0 }),
    };
    s
}

/// A plain SYN without options.
pub fn bare_syn(seq: u32) -> Segment {
    seg(client_addr(), server_addr(), seq, 0, Flags::SYN)
}

/// Timestamps option shorthand.
pub fn ts(tsval: u32, tsecr: u32) -> Option<Timestamps> {
    Some(Timestamps { tsval, tsecr })
}

/// One engine acting as server with a listener on `server_addr()`.
pub fn server(cfg: Config) -> (Engine, ListenerHandle) {
    let mut e = Engine::with_seed(cfg, 3);
    let l = e.listen(server_addr(), 128).expect("listen");
    (e, l)
}

/// Config without timestamps, SACK or window scaling: easier exact assertions.
pub fn plain_config() -> Config {
    Config {
        timestamps: false,
        sack: false,
        window_scaling: false,
        ..Config::default()
    }
}

/// Active open from one engine to `server_addr()` from `client_addr()`;
/// returns the handle, our ISN and the SYN.
pub fn client(cfg: Config, now: Instant) -> (Engine, ConnectionHandle, Segment) {
    let mut e = Engine::with_seed(cfg, 4);
    let h = e
        .connect_from(now, client_addr(), server_addr())
        .expect("connect");
    let out = drain(&mut e, now);
    assert_eq!(out.len(), 1, "one SYN: {out:?}");
    (e, h, out[0].clone())
}

/// The SYN-ACK answering `syn` (server ISN `sisn`, MSS 1460), echoing its
/// timestamp with TSval 1000 if it had one.
pub fn synack_for(syn: &Segment, sisn: u32) -> Segment {
    let mut sa = seg(
        syn.dst,
        syn.src,
        sisn,
        syn.seq.0.wrapping_add(1),
        Flags::SYN | Flags::ACK,
    );
    sa.options.mss = Some(1460);
    if let Some(t) = syn.options.timestamps {
        sa.options.timestamps = ts(1000, t.tsval);
    }
    sa
}

/// Complete the client's handshake with a bare SYN-ACK (server ISN `sisn`).
pub fn establish_client(cfg: Config, now: Instant, sisn: u32) -> (Engine, ConnectionHandle, u32) {
    let (mut e, h, syn) = client(cfg, now);
    let cisn = syn.seq.0;
    let mut sa = synack_for(&syn, sisn);
    sa.options.timestamps = None;
    e.handle_segment(now, sa);
    let _ = drain(&mut e, now);
    let _ = events(&mut e);
    (e, h, cisn)
}
