//! Two hosts, each the real `synack-host` stack and driver over a
//! co-simulated NIC, joined by a faulty wire (SPEC S1–S3, DESIGN
//! "Co-simulation").
//!
//! Scheduling, in chunks of [`CHUNK_CYCLES`] core cycles:
//! 1. A host runs ([`Stack::service`], the application inside it) when its
//!    interrupt line is high (interrupt mode) or its poll interval passed
//!    (poll mode), when one of its timers is due, or when asked to — and only
//!    once its mirrored registers are in sync ([`SimNic::registers_synced`]).
//!    Host software takes no simulated time.
//! 2. Both models are clocked for the chunk.
//! 3. Frames that left a MAC go on that direction's [`Wire`] (and into the
//!    pcap); frames the wire delivers are driven into the other NIC's MII.
//! 4. Time skipping: once nothing has moved for [`QUIET_NS`] (no MII frame,
//!    no DMA, no frame on a wire), both hosts are run once more; if that
//!    leaves everything quiet, simulated time jumps to the earliest host
//!    timer. A 60 s TIME-WAIT costs no wall time.
//!
//! Invariant: a skip happens only with both NICs idle, both hosts' TX work
//! reaped and their registers in sync, so no cycle that could change
//! anything is left out.
mod trace;
pub mod transfer;

use std::fs::File;
use std::io::{self, BufWriter};
use std::path::Path;

use synack_host::driver::{
    DmaRegion, Driver, DriverConfig, DriverError, IrqMode, RegisterWindow, WindowError,
};
use synack_host::iface::{Interface, InterfaceConfig};
use synack_host::stack::{Stack, StackError};
use synack_host::tcp::{self, Engine};
use synack_host::time::Instant;
use synack_host::wire::{EthernetAddress, Ipv4Address};
use thiserror::Error;

use crate::axi_memory::AxiMemoryConfig;
use crate::mii::encode_frame;
use crate::nic_bench::STEP_NS;
use crate::pcap::{PcapError, PcapRecorder};
use crate::sim_nic::SimNic;
use crate::wire::{Wire, WireConfig, WireStats};

pub use trace::{
    TraceRecord, connection_exchanges, initial_sequence_numbers, state_of, tcp_summary,
};

/// Core cycles clocked between scheduling decisions.
pub const CHUNK_CYCLES: u64 = 16;
/// Nothing moved for this long: the fabric is idle.
pub const QUIET_NS: u64 = 20_000;

/// One host.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    pub name: String,
    pub mac: EthernetAddress,
    pub addr: Ipv4Address,
    pub netmask: Ipv4Address,
    pub gateway: Option<Ipv4Address>,
    pub driver: DriverConfig,
    /// In poll mode, how often the host polls.
    pub poll_interval_ns: u64,
    pub tcp: tcp::Config,
    /// Seeds the engine's ISN secret and ephemeral ports.
    pub seed: u64,
    pub memory: AxiMemoryConfig,
}

impl NodeConfig {
    /// Host `index` on 10.0.0.0/24 with default settings.
    pub fn numbered(name: &str, index: u8) -> Self {
        Self {
            name: name.to_string(),
            mac: EthernetAddress([0x02, 0x53, 0x41, 0x43, 0x4B, index]),
            addr: Ipv4Address::new(10, 0, 0, index),
            netmask: Ipv4Address::new(255, 255, 255, 0),
            gateway: None,
            driver: DriverConfig::default(),
            poll_interval_ns: 10_000,
            tcp: tcp::Config::default(),
            seed: u64::from(index),
            memory: AxiMemoryConfig {
                seed: u64::from(index),
                read_latency: (8, 24),
                stall: 0.05,
                error_range: None,
            },
        }
    }
}

/// Why a testbed could not be built.
#[derive(Debug, Error)]
pub enum TestbedError {
    #[error("shared memory: {0}")]
    Io(#[from] io::Error),
    #[error(transparent)]
    Window(#[from] WindowError),
    #[error(transparent)]
    Dma(#[from] synack_host::driver::DmaError),
    #[error(transparent)]
    Driver(#[from] DriverError),
    #[error(transparent)]
    Stack(#[from] StackError),
    #[error(transparent)]
    Pcap(#[from] PcapError),
}

/// A host: its NIC model and its stack.
pub struct Node {
    pub name: String,
    nic: SimNic,
    stack: Stack,
    poll_interval_ns: Option<u64>,
    next_poll_ns: u64,
    want_service: bool,
}

impl Node {
    fn new(cfg: &NodeConfig) -> Result<Self, TestbedError> {
        let layout = cfg.driver.layout();
        let (nic, maps) = SimNic::new(layout.size, cfg.memory.clone())?;
        let driver = Driver::new(
            RegisterWindow::new(maps.registers)?,
            DmaRegion::new(maps.dma, maps.dma_bus_base)?,
            cfg.driver,
        )?;
        let mut iface = InterfaceConfig::ethernet(cfg.mac, cfg.addr, cfg.netmask);
        iface.gateway = cfg.gateway;
        let stack = Stack::new(iface, Engine::with_seed(cfg.tcp.clone(), cfg.seed), driver)?;
        Ok(Self {
            name: cfg.name.clone(),
            nic,
            stack,
            poll_interval_ns: match cfg.driver.irq {
                IrqMode::Poll => Some(cfg.poll_interval_ns.max(1)),
                IrqMode::Interrupt { .. } => None,
            },
            next_poll_ns: 0,
            want_service: true,
        })
    }

    pub fn stack(&self) -> &Stack {
        &self.stack
    }

    pub fn stack_mut(&mut self) -> &mut Stack {
        &mut self.stack
    }

    pub fn nic(&self) -> &SimNic {
        &self.nic
    }

    pub fn nic_mut(&mut self) -> &mut SimNic {
        &mut self.nic
    }

    /// Ask for the host to run at the next chunk boundary.
    pub fn wake(&mut self) {
        self.want_service = true;
    }

    fn due(&self, now_ns: u64) -> bool {
        let timer = self
            .stack
            .poll_timeout()
            .is_some_and(|t| t <= instant(now_ns));
        let poll = self.poll_interval_ns.is_some() && now_ns >= self.next_poll_ns;
        let irq = self.poll_interval_ns.is_none() && self.nic.irq();
        self.want_service || timer || poll || irq
    }
}

/// The application's hook: runs inside every service of node `index`.
pub type Apps<'a> = dyn FnMut(usize, Instant, &mut Interface) + 'a;

/// What the testbed counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TestbedStats {
    /// Core cycles clocked per model.
    pub cycles: u64,
    /// Simulated nanoseconds jumped over while idle.
    pub skipped_ns: u64,
    pub skips: u64,
    pub services: u64,
    /// Frames each node put on the wire.
    pub frames_sent: [u64; 2],
    /// Of those, frames that were not well-formed on MII (bad preamble, odd
    /// nibble count, TX error): dropped at the PHY, never expected.
    pub bad_tx_frames: [u64; 2],
}

/// Two nodes and the two directions of the wire between them.
pub struct Testbed {
    nodes: [Node; 2],
    /// `wires[i]` carries node i's frames to the other node.
    wires: [Wire; 2],
    pcap: Option<PcapRecorder<BufWriter<File>>>,
    tracing: bool,
    trace: Vec<TraceRecord>,
    idle_ns: u64,
    idle_serviced: bool,
    stats: TestbedStats,
}

fn instant(ns: u64) -> Instant {
    Instant::from_micros(ns / 1000)
}

impl Testbed {
    /// Two nodes; `wires[0]` carries node 0's frames, `wires[1]` node 1's.
    pub fn new(nodes: [NodeConfig; 2], wires: [WireConfig; 2]) -> Result<Self, TestbedError> {
        Ok(Self {
            nodes: [Node::new(&nodes[0])?, Node::new(&nodes[1])?],
            wires: wires.map(Wire::new),
            pcap: None,
            tracing: false,
            trace: Vec::new(),
            idle_ns: 0,
            idle_serviced: false,
            stats: TestbedStats::default(),
        })
    }

    /// Records every frame either MAC sends from now on into a pcap file.
    pub fn record_pcap(&mut self, path: &Path) -> Result<(), TestbedError> {
        self.pcap = Some(PcapRecorder::new(BufWriter::new(File::create(path)?))?);
        Ok(())
    }

    /// Finishes the pcap file, if one is being written.
    pub fn finish_pcap(&mut self) -> Result<u64, TestbedError> {
        match self.pcap.take() {
            Some(rec) => {
                let frames = rec.frames();
                rec.into_inner().into_inner().map_err(|e| e.into_error())?;
                Ok(frames)
            }
            None => Ok(0),
        }
    }

    /// Starts or stops recording every frame the hosts send and receive,
    /// with each host's TCP states (for sequence diagrams).
    pub fn set_tracing(&mut self, on: bool) {
        self.tracing = on;
        for node in &mut self.nodes {
            node.stack.set_frame_log(on);
        }
    }

    /// The trace so far; takes it.
    pub fn take_trace(&mut self) -> Vec<TraceRecord> {
        std::mem::take(&mut self.trace)
    }

    pub fn node(&self, i: usize) -> &Node {
        &self.nodes[i]
    }

    pub fn node_mut(&mut self, i: usize) -> &mut Node {
        &mut self.nodes[i]
    }

    pub fn stats(&self) -> TestbedStats {
        self.stats
    }

    /// The wire carrying node `i`'s frames (to set a drop filter).
    pub fn wire_mut(&mut self, i: usize) -> &mut Wire {
        &mut self.wires[i]
    }

    pub fn wire_stats(&self, i: usize) -> WireStats {
        self.wires[i].stats()
    }

    /// Simulated time, nanoseconds.
    pub fn now_ns(&self) -> u64 {
        self.nodes[0].nic.bench().sim_time_ns()
    }

    /// Simulated time as the hosts see it.
    pub fn now(&self) -> Instant {
        instant(self.now_ns())
    }

    /// Runs until `done` holds (checked after every chunk) or `max_ns` of
    /// simulated time have passed; true if `done` held.
    pub fn run_until(
        &mut self,
        max_ns: u64,
        apps: &mut Apps<'_>,
        mut done: impl FnMut(&Testbed) -> bool,
    ) -> bool {
        let end = self.now_ns().saturating_add(max_ns);
        loop {
            if done(self) {
                return true;
            }
            if self.now_ns() >= end {
                return false;
            }
            self.step(apps, end);
        }
    }

    fn step(&mut self, apps: &mut Apps<'_>, end_ns: u64) {
        let now_ns = self.now_ns();
        for i in 0..2 {
            let node = &self.nodes[i];
            if node.nic.registers_synced() && node.due(now_ns) {
                self.service(i, now_ns, apps);
            }
        }
        for node in &mut self.nodes {
            node.nic.bench_mut().run(CHUNK_CYCLES);
            node.nic.collect_register_reads();
        }
        self.stats.cycles += CHUNK_CYCLES;
        let now_ns = self.now_ns();
        for i in 0..2 {
            for frame in self.nodes[i].nic.bench_mut().take_wire_frames() {
                self.stats.frames_sent[i] += 1;
                let Ok(bytes) = frame.bytes() else {
                    self.stats.bad_tx_frames[i] += 1;
                    continue;
                };
                if let Some(pcap) = self.pcap.as_mut() {
                    // The MAC's own FCS is always right; Wireshark expects frames without it.
                    let _ = pcap.record(now_ns, &bytes[..bytes.len().saturating_sub(4)]);
                }
                self.wires[i].send(now_ns, bytes);
            }
            for bytes in self.wires[i].receive(now_ns) {
                self.nodes[1 - i]
                    .nic
                    .bench_mut()
                    .inject_rx(&encode_frame(&bytes, false));
            }
        }
        self.idle_check(now_ns, end_ns);
    }

    fn service(&mut self, i: usize, now_ns: u64, apps: &mut Apps<'_>) {
        let now = instant(now_ns);
        let node = &mut self.nodes[i];
        let tracing = self.tracing;
        let mut before_app = Vec::new();
        node.stack.service(now, |now, iface| {
            if tracing {
                before_app = iface.engine().sockets(now);
            }
            apps(i, now, iface)
        });
        node.nic.sync_registers();
        node.want_service = false;
        if let Some(interval) = node.poll_interval_ns {
            node.next_poll_ns = now_ns + interval;
        }
        self.stats.services += 1;
        if tracing {
            let log = node.stack.take_frame_log();
            let after = node.stack.engine().sockets(now);
            trace::record(&mut self.trace, i, now_ns, &before_app, &after, log);
        }
    }

    fn idle_check(&mut self, now_ns: u64, end_ns: u64) {
        let active = self.nodes.iter().any(|n| n.nic.bench().is_active())
            || self.wires.iter().any(|w| w.next_arrival().is_some());
        if active {
            self.idle_ns = 0;
            self.idle_serviced = false;
            return;
        }
        self.idle_ns += CHUNK_CYCLES * 2 * STEP_NS;
        if self.idle_ns < QUIET_NS {
            return;
        }
        if !self.idle_serviced {
            // Let both hosts catch up on anything the fabric finished.
            for node in &mut self.nodes {
                node.want_service = true;
            }
            self.idle_serviced = true;
            return;
        }
        let settled = self.nodes.iter().all(|n| {
            n.nic.registers_synced() && n.stack.is_quiet() && !n.nic.irq() && !n.want_service
        });
        if !settled {
            return;
        }
        let deadline = self
            .nodes
            .iter()
            .filter_map(|n| n.stack.poll_timeout())
            .min()
            .map_or(end_ns, |t| {
                t.total_micros().saturating_mul(1000).min(end_ns)
            });
        if deadline > now_ns {
            for node in &mut self.nodes {
                node.nic.bench_mut().skip_idle(deadline - now_ns);
                node.next_poll_ns = 0;
            }
            self.stats.skipped_ns += deadline - now_ns;
            self.stats.skips += 1;
        }
    }
}
