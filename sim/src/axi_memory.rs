//! An AXI4 slave (32-bit data) that serves a fabric's DMA master from a
//! memmap2 region, with seeded random latency and backpressure, and checks
//! the master's side of the protocol as it goes.
//!
//! Clocking, as in the benches: on the core clock's falling edge the bench
//! calls [`AxiMemory::drive`] to get this cycle's slave outputs and sets them;
//! after the eval it reads the master's outputs into [`AxiMaster`]; at the
//! rising edge it calls [`AxiMemory::clock`] with both, and the handshakes
//! that happened take effect. Reads are answered in order; write data is
//! taken in address order (AXI4 has no write interleaving). Read data carries
//! the burst's ARID as RID.
//!
//! The random choices (a stall on each channel, a read's latency) are a
//! hash of the seed, the cycle and the channel, not a stream of draws, so
//! cycles left unclocked (the co-simulation skips idle ones, and says so
//! through [`AxiMemory::skip`]) change none of the choices of the cycles
//! that are clocked.
//!
//! Protocol rules checked (a violation is recorded, never a panic):
//! bursts are INCR, 4-byte beats, never cross 4 KiB; WLAST on the last beat
//! only; nothing outside the region is touched.
use memmap2::MmapMut;
use std::collections::VecDeque;

/// What the master drives, sampled after the falling edge's eval.
#[derive(Clone, Copy, Debug, Default)]
pub struct AxiMaster {
    pub arvalid: bool,
    pub arid: u8,
    pub araddr: u32,
    pub arlen: u8,
    pub arsize: u8,
    pub arburst: u8,
    pub rready: bool,
    pub awvalid: bool,
    pub awaddr: u32,
    pub awlen: u8,
    pub awsize: u8,
    pub awburst: u8,
    pub wvalid: bool,
    pub wdata: u32,
    pub wstrb: u8,
    pub wlast: bool,
    pub bready: bool,
}

/// What the slave drives for one cycle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AxiSlave {
    pub arready: bool,
    pub rvalid: bool,
    pub rid: u8,
    pub rdata: u32,
    pub rresp: u8,
    pub rlast: bool,
    pub awready: bool,
    pub wready: bool,
    pub bvalid: bool,
    pub bresp: u8,
}

/// How the memory behaves.
#[derive(Clone, Debug)]
pub struct AxiMemoryConfig {
    pub seed: u64,
    /// Cycles from an accepted read address to its first beat: min..=max.
    pub read_latency: (u32, u32),
    /// Probability that a ready/valid the slave could raise this cycle stays low.
    pub stall: f64,
    /// Accesses to `[start, end)` get SLVERR.
    pub error_range: Option<(u32, u32)>,
}

impl Default for AxiMemoryConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            read_latency: (2, 12),
            stall: 0.2,
            error_range: None,
        }
    }
}

struct ReadBurst {
    id: u8,
    addr: u32,
    beats_left: u32,
    ready_at: u64,
}

struct WriteBurst {
    addr: u32,
    beats_left: u32,
}

/// Response codes.
const OKAY: u8 = 0;
const SLVERR: u8 = 2;

/// What a random choice is for: each has its own draw in every cycle.
#[derive(Clone, Copy)]
enum Channel {
    Ar,
    R,
    Aw,
    W,
    B,
    ReadLatency,
}

/// SplitMix64's finaliser: a well-mixed 64-bit hash of `x`.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

pub struct AxiMemory {
    mem: MmapMut,
    config: AxiMemoryConfig,
    cycle: u64,
    reads: VecDeque<ReadBurst>,
    writes: VecDeque<WriteBurst>,
    write_errors: VecDeque<bool>,
    current_write_error: bool,
    responses: VecDeque<u8>,
    violations: Vec<String>,
    pub reads_accepted: u64,
    pub writes_accepted: u64,
}

impl AxiMemory {
    /// A zeroed anonymous region of `size` bytes at bus address 0.
    pub fn new(size: usize, config: AxiMemoryConfig) -> std::io::Result<Self> {
        Ok(Self::with_region(MmapMut::map_anon(size)?, config))
    }

    /// Serves `mem`, which another party (the host driver) may also map.
    pub fn with_region(mem: MmapMut, config: AxiMemoryConfig) -> Self {
        Self {
            mem,
            config,
            cycle: 0,
            reads: VecDeque::new(),
            writes: VecDeque::new(),
            write_errors: VecDeque::new(),
            current_write_error: false,
            responses: VecDeque::new(),
            violations: Vec::new(),
            reads_accepted: 0,
            writes_accepted: 0,
        }
    }

    pub fn bytes(&self) -> &[u8] {
        &self.mem
    }

    pub fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.mem
    }

    /// Protocol violations seen so far.
    pub fn violations(&self) -> &[String] {
        &self.violations
    }

    /// Nothing in flight.
    pub fn is_idle(&self) -> bool {
        self.reads.is_empty() && self.writes.is_empty() && self.responses.is_empty()
    }

    /// For how many cycles from now the slave's outputs stay as they are
    /// while the master asks for nothing (no valid up): no write taken or
    /// answered, no read beat ready (reads may be waiting out their
    /// latency); `u64::MAX` when idle; `None` when something is due now.
    pub fn quiet_for(&self) -> Option<u64> {
        if !self.writes.is_empty() || !self.responses.is_empty() {
            return None;
        }
        match self.reads.front() {
            None => Some(u64::MAX),
            Some(r) if r.ready_at > self.cycle => Some(r.ready_at - self.cycle),
            Some(_) => None,
        }
    }

    /// Lets `cycles` pass unclocked: only within [`Self::quiet_for`].
    pub fn skip(&mut self, cycles: u64) {
        debug_assert!(
            self.quiet_for().is_some_and(|q| q >= cycles),
            "skipping a memory with a beat due"
        );
        self.cycle += cycles;
    }

    /// A uniform draw in [0, 1) for `channel` in this cycle.
    fn draw(&self, channel: Channel) -> f64 {
        let key = self.cycle.wrapping_mul(8).wrapping_add(channel as u64);
        let h = mix(self.config.seed ^ mix(key));
        (h >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The slave may raise `channel`'s ready or valid this cycle.
    fn go(&self, channel: Channel) -> bool {
        self.draw(channel) >= self.config.stall
    }

    fn in_error_range(&self, addr: u32) -> bool {
        self.config
            .error_range
            .is_some_and(|(a, b)| addr >= a && addr < b)
    }

    fn word(&self, addr: u32) -> Option<u32> {
        let a = addr as usize;
        self.mem
            .get(a..a + 4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
    }

    /// The slave's outputs for this cycle (a function of the state and the
    /// cycle: calling it changes nothing).
    pub fn drive(&self) -> AxiSlave {
        let mut s = AxiSlave {
            arready: self.reads.len() < 4 && self.go(Channel::Ar),
            ..Default::default()
        };
        if let Some(r) = self.reads.front() {
            if r.ready_at <= self.cycle {
                let (addr, last, id) = (r.addr, r.beats_left == 1, r.id);
                if self.go(Channel::R) {
                    let data = self.word(addr);
                    s.rvalid = true;
                    s.rid = id;
                    s.rdata = data.unwrap_or(0);
                    s.rresp = if data.is_none() || self.in_error_range(addr) {
                        SLVERR
                    } else {
                        OKAY
                    };
                    s.rlast = last;
                }
            }
        }
        s.awready = self.writes.len() < 4 && self.go(Channel::Aw);
        s.wready = !self.writes.is_empty() && self.go(Channel::W);
        if let Some(&resp) = self.responses.front() {
            s.bvalid = self.go(Channel::B);
            s.bresp = resp;
        }
        s
    }

    fn check_burst(&mut self, kind: &str, addr: u32, len: u8, size: u8, burst: u8) {
        let beats = len as u32 + 1;
        if size != 2 {
            self.violations.push(format!(
                "{kind} at {addr:#x}: size {size}, expected 2 (4 bytes)"
            ));
        }
        if burst != 1 {
            self.violations.push(format!(
                "{kind} at {addr:#x}: burst type {burst}, expected INCR"
            ));
        }
        if addr % 4 != 0 {
            self.violations
                .push(format!("{kind} at {addr:#x}: not 4-byte aligned"));
        }
        if (addr & 0xFFF) + beats * 4 > 0x1000 {
            self.violations
                .push(format!("{kind} at {addr:#x}, {beats} beats: crosses 4 KiB"));
        }
    }

    /// Applies the handshakes of the rising edge.
    pub fn clock(&mut self, m: &AxiMaster, s: &AxiSlave) {
        if m.arvalid && s.arready {
            self.check_burst("read", m.araddr, m.arlen, m.arsize, m.arburst);
            let (lo, hi) = self.config.read_latency;
            let span = u64::from(hi.saturating_sub(lo)) + 1;
            let latency =
                u64::from(lo) + (self.draw(Channel::ReadLatency) * span as f64) as u64 % span;
            self.reads.push_back(ReadBurst {
                id: m.arid,
                addr: m.araddr,
                beats_left: m.arlen as u32 + 1,
                ready_at: self.cycle + latency,
            });
            self.reads_accepted += 1;
        }
        if s.rvalid && m.rready {
            let r = self.reads.front_mut().expect("rvalid implies a burst");
            r.addr = r.addr.wrapping_add(4);
            r.beats_left -= 1;
            if r.beats_left == 0 {
                self.reads.pop_front();
            }
        }
        if m.awvalid && s.awready {
            self.check_burst("write", m.awaddr, m.awlen, m.awsize, m.awburst);
            self.writes.push_back(WriteBurst {
                addr: m.awaddr,
                beats_left: m.awlen as u32 + 1,
            });
            self.write_errors.push_back(false);
            self.writes_accepted += 1;
        }
        if m.wvalid && s.wready {
            self.take_write_beat(m);
        }
        if s.bvalid && m.bready {
            self.responses.pop_front();
        }
        self.cycle += 1;
    }

    fn take_write_beat(&mut self, m: &AxiMaster) {
        let Some(w) = self.writes.front_mut() else {
            self.violations
                .push("write data with no write address".into());
            return;
        };
        let addr = w.addr;
        w.addr = w.addr.wrapping_add(4);
        w.beats_left -= 1;
        let last = w.beats_left == 0;
        if m.wlast != last {
            self.violations.push(format!(
                "write at {addr:#x}: WLAST {} on beat with last={last}",
                m.wlast
            ));
        }
        let mut error = self.in_error_range(addr);
        for i in 0..4 {
            if m.wstrb & (1 << i) != 0 {
                match self.mem.get_mut(addr as usize + i) {
                    Some(b) if !error => *b = (m.wdata >> (8 * i)) as u8,
                    Some(_) => {}
                    None => error = true,
                }
            }
        }
        self.current_write_error |= error;
        if last {
            self.writes.pop_front();
            self.write_errors.pop_front();
            let resp = if std::mem::take(&mut self.current_write_error) {
                SLVERR
            } else {
                OKAY
            };
            self.responses.push_back(resp);
        }
    }
}
