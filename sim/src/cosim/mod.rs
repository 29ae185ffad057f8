//! Two hosts, each the real `synack-host` stack and driver over a
//! co-simulated NIC, joined by a faulty wire (SPEC S1–S3, DESIGN
//! "Co-simulation"); or one such host whose wire leads to the Linux kernel
//! through a TAP device ([`Testbed::with_tap`], SPEC S4).
//!
//! The two ends of the cable are endpoints 0 and 1: endpoint 0 is node 0;
//! endpoint 1 is node 1, or the kernel behind the TAP. `wires[e]` carries
//! endpoint `e`'s frames to the other end, with its faults and delay, in
//! either mode.
//!
//! Each node keeps its own simulated clock (its model's); the two touch
//! only through the wire, whose delay lets one run ahead of the other
//! (`schedule`: conservative parallel simulation, the delay as lookahead).
//! Scheduling, one step at a time:
//! 1. Frames the wire has delivered to a node by its present are driven
//!    into its MII.
//! 2. A host runs ([`Stack::service`], the application inside it) when its
//!    interrupt line is high (interrupt mode; at the next tick of
//!    [`SERVICE_TICK_NS`]) or at its poll instants (poll mode: multiples of
//!    its interval, nothing else), when one of its timers or its
//!    application's timer is due, or when asked to ([`Node::wake`]) — and
//!    only once its mirrored registers are in sync
//!    ([`SimNic::registers_synced`]). Host software takes no simulated time.
//!    A poll that would provably find nothing (idle fabric, no completion
//!    for the host, no frame waiting for ring space, no timer due) is left
//!    out: it would change nothing, and polling through a 60 s TIME-WAIT
//!    every few µs would cost millions of cycles of register traffic. The
//!    poll after it is still the next multiple of the interval.
//! 3. A node whose fabric is idle (proved as the `idle` module describes)
//!    and whose host is not due is *parked*: its time jumps, without
//!    clocking, to the earliest of its next event (a wire delivery to it,
//!    its host's timer, a poll that has work, its application's timer) and
//!    its horizon (below), and the end of the run. A frame in flight on the
//!    wire is such an event, not activity; a 60 s TIME-WAIT or a long wire
//!    delay costs no clocked cycles.
//! 4. A busy node is clocked up to its horizon — the earliest time a frame
//!    the other end has not sent yet could reach it — or its host's next
//!    timer or poll, and stops early once its host is due (interrupt line
//!    up, registers in sync). Two busy nodes run to the same time, on two
//!    threads when that is faster ([`pair`]). The frame MAC takes the
//!    frames that arrive meanwhile ahead of time, each at its exact cycle;
//!    the full RTL's run stops at the next arrival instead.
//! 5. Frames that left a MAC go on that direction's [`Wire`] at the time
//!    their last nibble left (and into the pcap, in time order once both
//!    clocks have passed them).
//!
//! Invariants: a jump leaves out no cycle that could change anything. It
//! happens only with the node's fabric proved idle (no frame on MII, no
//! DMA, no register access, both ring engines idle, every frame in and out
//! accounted for, no interrupt on its way) and its host not due, and it
//! stops at the first event that could make it act. Hosts are never run
//! just because time jumped or because the fabric went quiet. No node runs
//! past its horizon, so every frame reaches the other NIC at its arrival
//! time; only a wire shorter than `schedule::EMIT_LAG_NS` plus
//! [`MIN_STEP_NS`] can deliver one late (counted,
//! [`TestbedStats::late_frames`]). Results do not depend on the threads.
//!
//! With a kernel on the link, simulated time is also paced to the wall
//! clock (the kernel's timers run in real time): it never runs ahead of
//! the wall time since the start, a jump stops at the present, and an idle
//! testbed waits (for the wall clock or a frame from the kernel) instead
//! of jumping further. A busy fabric clocks as fast as it can and falls
//! behind the wall clock; the kernel then simply sees a slow link.
pub mod board;
mod idle;
pub mod pair;
mod schedule;
mod tap_port;
mod trace;
pub mod transfer;
pub mod virtual_board;

use std::fs::File;
use std::io::{self, BufWriter};
use std::path::Path;

use synack_host::driver::{
    DmaRegion, Driver, DriverConfig, DriverError, IrqMode, RegisterWindow, WindowError,
};
use synack_host::iface::{Interface, InterfaceConfig};
use synack_host::socket::Net;
use synack_host::stack::{Stack, StackError};
use synack_host::tcp::{self, Engine};
use synack_host::time::Instant;
use synack_host::wire::{EthernetAddress, Ipv4Address};
use thiserror::Error;

use idle::Fabric;

use crate::axi_memory::AxiMemoryConfig;
use crate::mii::encode_frame;
use crate::pcap::{PcapError, PcapRecorder};
use crate::sim_nic::SimNic;
use crate::tap::TapLink;
pub use crate::testbench::nic::Fidelity;
use crate::testbench::nic::{CYCLE_NS, StopWhen};
use crate::wire::{Wire, WireConfig, WireStats};
use pair::{ModeChooser, PairRunner};
use tap_port::TapPort;

pub use trace::{
    TcpSummary, TraceRecord, connection_exchanges, initial_sequence_numbers, state_of, tcp_summary,
};

/// The least a busy model runs in one step, however short the wire (see
/// [`TestbedStats::late_frames`]).
pub const MIN_STEP_NS: u64 = 160;

/// A host called by its interrupt line (or waiting for its registers to
/// sync) runs at the next multiple of this after the call: it looks at the
/// line every 160 ns of simulated time. The tick is absolute, the same in
/// both fidelities, so the small differences between the RTL MAC and the
/// frame MAC's timing mostly round away instead of reaching the host (and,
/// through its microsecond clock, its timers). Timers, application timers
/// and poll instants run the host at their exact time.
pub const SERVICE_TICK_NS: u64 = 160;

/// How a two-node testbed clocks its two models ([`Testbed::set_threads`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threads {
    /// One after the other on the calling thread.
    One,
    /// Node 1 on a second thread, always.
    Two,
    /// Whichever of the two is measured faster, re-measured as it runs.
    Adaptive,
}

/// One host.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    pub name: String,
    pub mac: EthernetAddress,
    pub addr: Ipv4Address,
    pub netmask: Ipv4Address,
    pub gateway: Option<Ipv4Address>,
    pub driver: DriverConfig,
    /// In poll mode, how often the host polls: it runs at every multiple of
    /// this interval (and when its own timers are due), never otherwise.
    pub poll_interval_ns: u64,
    pub tcp: tcp::Config,
    /// Seeds the engine's ISN secret and ephemeral ports.
    pub seed: u64,
    pub memory: AxiMemoryConfig,
    /// The whole NIC in RTL, or the datapath with a frame-level MAC.
    pub fidelity: Fidelity,
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
            fidelity: Fidelity::default(),
        }
    }
}

/// Why a testbed could not be built, or its pcap not written.
#[derive(Debug, Error)]
pub enum TestbedError {
    #[error("shared memory for the co-simulated NICs: {0}")]
    Io(#[from] io::Error),
    #[error("cannot write the pcap file {}; choose a path to a file in a folder you can write", path.display())]
    PcapFile {
        path: std::path::PathBuf,
        source: io::Error,
    },
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
    #[error("cannot start the thread that clocks the second NIC: {0}")]
    Thread(io::Error),
}

/// A host: its NIC model and its stack.
pub struct Node {
    pub name: String,
    nic: SimNic,
    stack: Stack,
    poll_interval_ns: Option<u64>,
    /// In poll mode, the next multiple of the interval at which the host runs.
    next_poll_ns: u64,
    want_service: bool,
    /// When the application asked to run next (its own timer).
    app_wake_ns: Option<u64>,
    /// Frames the wire drove into this NIC's MII.
    driven_in: u64,
    /// What is known about the fabric's idleness.
    fabric: Fabric,
    /// The interrupt line after the last step.
    irq_was: bool,
}

impl Node {
    fn new(cfg: &NodeConfig) -> Result<Self, TestbedError> {
        let layout = cfg.driver.layout();
        let (nic, maps) = SimNic::new(layout.size, cfg.memory.clone(), cfg.fidelity)?;
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
            app_wake_ns: None,
            driven_in: 0,
            fabric: Fabric::Moved,
            irq_was: false,
        })
    }

    pub fn stack(&self) -> &Stack {
        &self.stack
    }

    /// This node's simulated time.
    pub fn now_ns(&self) -> u64 {
        self.nic.bench().sim_time_ns()
    }

    /// The next time its host must run by itself, polls included (a poll
    /// that finds nothing is passed over when reached).
    fn next_host_ns(&self) -> Option<u64> {
        let poll = self.poll_interval_ns.map(|_| self.next_poll_ns);
        earliest([self.next_timer_ns(), poll])
    }

    /// Its stack's next timer or its application's, whichever is sooner.
    fn next_timer_ns(&self) -> Option<u64> {
        earliest([self.timer_ns(), self.app_wake_ns])
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

    /// Runs the host as node `i` at `now_ns`: its stack's service with the
    /// application inside (`before_app` sees the interface first), then the
    /// registers it wrote go to the fabric and the next poll is set.
    fn serve(
        &mut self,
        i: usize,
        now_ns: u64,
        apps: &mut Apps<'_>,
        before_app: impl FnOnce(&Interface, Instant),
    ) {
        let mut app_wake = None;
        let written = idle::written(self.stack.driver().registers().block());
        self.stack.service(instant(now_ns), |now, iface| {
            before_app(iface, now);
            app_wake = apps(i, &mut Net::new(iface, now));
        });
        self.app_wake_ns = app_wake.map(instant_ns);
        // A service that changed no register left the fabric as it was.
        if idle::written(self.stack.driver().registers().block()) != written {
            self.fabric = Fabric::Moved;
        }
        self.nic.sync_registers();
        self.want_service = false;
        if now_ns >= self.next_poll_ns {
            self.advance_poll(now_ns);
        }
    }

    /// Ask for the host to run at its next step.
    pub fn wake(&mut self) {
        self.want_service = true;
    }

    /// The host has something to do at `now_ns`: asked to run, a timer or
    /// the application's timer due, a poll instant with work, or (interrupt
    /// mode) its interrupt line high.
    fn due(&self, now_ns: u64) -> bool {
        self.due_by_time(now_ns) || self.irq_pending()
    }

    /// Due for anything but the interrupt line.
    fn due_by_time(&self, now_ns: u64) -> bool {
        let timer = self.timer_ns().is_some_and(|t| t <= now_ns);
        let app = self.app_wake_ns.is_some_and(|t| t <= now_ns);
        let poll =
            self.poll_interval_ns.is_some() && now_ns >= self.next_poll_ns && !self.poll_is_empty();
        self.want_service || timer || app || poll
    }

    fn irq_pending(&self) -> bool {
        self.poll_interval_ns.is_none() && self.nic.irq()
    }

    /// Whether the host runs now: due, its registers in sync, and if only
    /// the interrupt line calls it, at a tick of [`SERVICE_TICK_NS`].
    fn runs_now(&self, now_ns: u64) -> bool {
        self.nic.registers_synced()
            && (self.due_by_time(now_ns) || self.irq_pending() && now_ns % SERVICE_TICK_NS == 0)
    }

    /// A poll now would find nothing: the fabric is idle with no completion
    /// for the host, no frame of the host's waits for ring space, and no
    /// timer is due (checked by the caller). Leaving it out changes nothing.
    fn poll_is_empty(&self) -> bool {
        self.fabric == (Fabric::Idle { completions: false }) && !self.stack.tx_backlogged()
    }

    /// A poll instant reached with nothing to find is left out (see
    /// [`Self::poll_is_empty`]): the next poll is the next multiple of the
    /// interval, so a frame arriving later waits for it like any other.
    fn pass_empty_poll(&mut self, now_ns: u64) {
        if self.poll_interval_ns.is_some() && now_ns >= self.next_poll_ns && self.poll_is_empty() {
            self.advance_poll(now_ns);
        }
    }

    /// The next poll instant after `now_ns`: the next multiple of the interval.
    fn advance_poll(&mut self, now_ns: u64) {
        if let Some(interval) = self.poll_interval_ns {
            self.next_poll_ns = (now_ns / interval)
                .saturating_add(1)
                .saturating_mul(interval);
        }
    }

    /// The stack's next timer, in simulated nanoseconds.
    fn timer_ns(&self) -> Option<u64> {
        self.stack.poll_timeout().map(instant_ns)
    }

    /// The earliest time this host will run and have something to do,
    /// without anything reaching it: its timers, and in poll mode its next
    /// poll if that would find work (a poll that finds none changes nothing).
    fn next_run_ns(&self) -> Option<u64> {
        let work =
            matches!(self.fabric, Fabric::Idle { completions: true }) || self.stack.tx_backlogged();
        let poll = self
            .poll_interval_ns
            .filter(|_| work)
            .map(|_| self.next_poll_ns);
        earliest([self.next_timer_ns(), poll])
    }
}

/// The earliest of the times given, if any.
fn earliest<const N: usize>(times: [Option<u64>; N]) -> Option<u64> {
    times.into_iter().flatten().min()
}

/// The application's hook: runs inside every service of node `index` and
/// returns when it next wants to run by itself (its own timer), if ever.
/// It must act only on what the service brought (frames, timers) or at the
/// time it returned: a service is not guaranteed at any other time.
pub type Apps<'a> = dyn FnMut(usize, &mut Net<'_>) -> Option<Instant> + 'a;

/// What the testbed counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TestbedStats {
    /// Core cycles each model ran (clocked, or skipped inside the model as
    /// provably still), not counting jumps.
    pub cycles: [u64; 2],
    /// Simulated nanoseconds each model jumped over while idle.
    pub skipped_ns: [u64; 2],
    pub skips: u64,
    pub services: u64,
    /// Scheduling steps (each ends with every model's run or jump).
    pub steps: u64,
    /// Register probes of the fabrics' idleness (see the `idle` module).
    pub probes: u64,
    /// Frames each endpoint put on the wire (endpoint 1 may be the kernel).
    pub frames_sent: [u64; 2],
    /// Of those, frames that were not well-formed on MII (bad preamble, odd
    /// nibble count, TX error): dropped at the PHY, never expected.
    pub bad_tx_frames: [u64; 2],
    /// Frames driven into a NIC a cycle or more after their arrival time:
    /// only on a wire shorter than the scheduler's step (see `schedule`).
    pub late_frames: u64,
}

/// The nodes and the two directions of the wire between them.
pub struct Testbed {
    /// Node 0, and node 1 unless the kernel is endpoint 1.
    nodes: Vec<Node>,
    /// `wires[e]` carries endpoint e's frames to the other end.
    wires: [Wire; 2],
    /// The kernel as endpoint 1, through a TAP device.
    tap: Option<TapPort>,
    pcap: Option<PcapRecorder<BufWriter<File>>>,
    pcap_path: Option<std::path::PathBuf>,
    /// Frames for the pcap not yet written, with their times: written in
    /// time order once every node's clock has passed them.
    pcap_pending: Vec<(u64, Vec<u8>)>,
    tracing: bool,
    trace: Vec<TraceRecord>,
    stats: TestbedStats,
    /// The second thread that may clock node 1 (two-node testbeds), and
    /// the running choice of whether it is worth it.
    pair: Option<(PairRunner, ModeChooser)>,
}

fn instant(ns: u64) -> Instant {
    Instant::from_micros(ns / 1000)
}

/// The first nanosecond at which the hosts' clock shows `t`.
fn instant_ns(t: Instant) -> u64 {
    t.total_micros().saturating_mul(1000)
}

impl Testbed {
    /// Two nodes; `wires[0]` carries node 0's frames, `wires[1]` node 1's.
    pub fn new(nodes: [NodeConfig; 2], wires: [WireConfig; 2]) -> Result<Self, TestbedError> {
        let mut tb = Self {
            nodes: vec![Node::new(&nodes[0])?, Node::new(&nodes[1])?],
            wires: wires.map(Wire::new),
            tap: None,
            pcap: None,
            pcap_path: None,
            pcap_pending: Vec::new(),
            tracing: false,
            trace: Vec::new(),
            stats: TestbedStats::default(),
            pair: None,
        };
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        tb.set_threads(if cores >= 2 {
            Threads::Adaptive
        } else {
            Threads::One
        })?;
        Ok(tb)
    }

    /// How the two models are clocked: by default ([`Threads::Adaptive`]
    /// with two or more cores) the testbed keeps measuring whether two
    /// threads are faster than one on this machine now and uses the faster
    /// (see [`pair::ModeChooser`]). Results are identical whichever runs;
    /// only the wall time differs.
    pub fn set_threads(&mut self, threads: Threads) -> Result<(), TestbedError> {
        let chooser = match threads {
            Threads::One => {
                self.pair = None;
                return Ok(());
            }
            Threads::Two => ModeChooser::always_two(),
            Threads::Adaptive => ModeChooser::new(true),
        };
        let runner = match self.pair.take() {
            Some((runner, _)) => runner,
            None => PairRunner::new().map_err(TestbedError::Thread)?,
        };
        self.pair = Some((runner, chooser));
        Ok(())
    }

    /// Threads allowed to clock the models, and the share of finished
    /// rounds in which two were chosen (`None` before the first round).
    pub fn threads(&self) -> (usize, Option<f64>) {
        match &self.pair {
            Some((_, c)) => (
                2,
                (c.rounds > 0).then(|| c.rounds_two as f64 / c.rounds as f64),
            ),
            None => (1, None),
        }
    }

    /// One node whose cable leads to the Linux kernel through `link` (SPEC
    /// S4): `wires[0]` carries the node's frames to the kernel, `wires[1]`
    /// the kernel's to the node. The link (and its namespace) goes away with
    /// the testbed.
    pub fn with_tap(
        node: NodeConfig,
        link: TapLink,
        wires: [WireConfig; 2],
    ) -> Result<Self, TestbedError> {
        let node = Node::new(&node)?;
        let start_ns = node.nic.bench().sim_time_ns();
        Ok(Self {
            nodes: vec![node],
            wires: wires.map(Wire::new),
            tap: Some(TapPort::new(link, start_ns)),
            pcap: None,
            pcap_path: None,
            pcap_pending: Vec::new(),
            tracing: false,
            trace: Vec::new(),
            stats: TestbedStats::default(),
            pair: None,
        })
    }

    /// The TAP link, when the kernel is on the wire.
    pub fn tap(&self) -> Option<&TapLink> {
        self.tap.as_ref().map(TapPort::link)
    }

    /// Frames from the kernel the TAP port dropped (longer than the MTU
    /// allows, or the kernel's queue full on the way back); never expected.
    pub fn tap_drops(&self) -> (u64, u64) {
        self.tap
            .as_ref()
            .map_or((0, 0), |t| (t.oversize, t.kernel_queue_full))
    }

    /// Records every frame either side sends from now on into a pcap file.
    pub fn record_pcap(&mut self, path: &Path) -> Result<(), TestbedError> {
        let file = File::create(path).map_err(|source| TestbedError::PcapFile {
            path: path.to_path_buf(),
            source,
        })?;
        self.pcap = Some(PcapRecorder::new(BufWriter::new(file))?);
        self.pcap_path = Some(path.to_path_buf());
        Ok(())
    }

    /// Finishes the pcap file, if one is being written.
    pub fn finish_pcap(&mut self) -> Result<u64, TestbedError> {
        self.flush_pcap(true);
        match self.pcap.take() {
            Some(rec) => {
                let frames = rec.frames();
                let path = self.pcap_path.take().unwrap_or_default();
                rec.into_inner()
                    .into_inner()
                    .map_err(|e| TestbedError::PcapFile {
                        path,
                        source: e.into_error(),
                    })?;
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

    /// The trace so far, in time order; takes it.
    pub fn take_trace(&mut self) -> Vec<TraceRecord> {
        let mut trace = std::mem::take(&mut self.trace);
        // The nodes' clocks differ within a step; the sort is stable.
        trace.sort_by_key(|r| r.at_ns);
        trace
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

    /// Nodes on the testbed (1 with a kernel on the wire, else 2).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Simulated time, nanoseconds: the earliest of the nodes' clocks
    /// (within a step a node may run ahead of the other, see `schedule`).
    pub fn now_ns(&self) -> u64 {
        self.nodes.iter().map(Node::now_ns).min().unwrap_or(0)
    }

    /// Simulated time as the hosts see it.
    pub fn now(&self) -> Instant {
        instant(self.now_ns())
    }

    /// Runs until `done` holds (checked after every step) or `max_ns` of
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

    /// If both fabrics are proved idle and no host is due, so the next step
    /// would jump: the time of the next event (`u64::MAX` if none is
    /// pending). Callers that run in slices use it to cross an idle stretch
    /// in one slice.
    pub fn idle_until(&self) -> Option<u64> {
        let mut next = u64::MAX;
        for i in 0..self.nodes.len() {
            next = next.min(self.parked(i)?);
        }
        Some(next)
    }

    /// One step (see the module docs): frames due are delivered, hosts due
    /// run, then each model runs or jumps as far as [`schedule`] lets it.
    fn step(&mut self, apps: &mut Apps<'_>, end_ns: u64) {
        self.from_kernel(self.nodes[0].now_ns());
        for i in 0..self.nodes.len() {
            let now_ns = self.nodes[i].now_ns();
            self.nodes[i].pass_empty_poll(now_ns);
            self.deliver(i, now_ns);
        }
        self.deliver_to_kernel();
        for i in 0..self.nodes.len() {
            let node = &self.nodes[i];
            let now_ns = node.now_ns();
            if node.runs_now(now_ns) {
                self.service(i, now_ns, apps);
            }
        }
        for i in 0..self.nodes.len() {
            let now_ns = self.nodes[i].now_ns();
            self.probe(i, now_ns);
        }
        let plans: Vec<Plan> = match self.tap.is_some() {
            true => vec![self.plan_with_kernel(end_ns)],
            false => self.plan_pair(end_ns),
        };
        self.carry_out(&plans);
        self.stats.steps += 1;
        self.collect_sent();
        self.flush_pcap(false);
    }

    /// When node `i` is parked (proved idle, ports quiet, host not due):
    /// the time it next acts by itself or receives a frame already on the
    /// wire (`u64::MAX`: never); `None` if it is not parked.
    fn parked(&self, i: usize) -> Option<u64> {
        let node = &self.nodes[i];
        let parked = matches!(node.fabric, Fabric::Idle { .. })
            && idle::ports_quiet(&node.nic)
            && !node.due(node.now_ns());
        let arrival = self.wires[1 - i].next_arrival();
        parked.then(|| earliest([node.next_run_ns(), arrival]).unwrap_or(u64::MAX))
    }

    /// Two nodes: each runs, or jumps if parked, to its horizon
    /// ([`schedule::horizons`]) or its own next event, whichever is sooner.
    fn plan_pair(&mut self, end_ns: u64) -> Vec<Plan> {
        let views = [0, 1].map(|i| schedule::View {
            now_ns: self.nodes[i].now_ns(),
            parked: self.parked(i),
        });
        let lookahead = [0, 1].map(|e| schedule::lookahead(self.wires[e].delay_ns()));
        let mut horizons = schedule::horizons(views, lookahead);
        if views.iter().all(|v| v.parked.is_none()) {
            // Both busy: both run to the same time, so that a node ahead of
            // the other (it ran on while the other stopped for its host)
            // waits for it rather than the two swapping long and short runs
            // step after step (two threads then wait for each other).
            let common = horizons[0].min(horizons[1]);
            horizons = [common; 2];
        }
        (0..2)
            .map(|i| {
                let now_ns = views[i].now_ns;
                let limit = step_limit(now_ns, horizons[i], end_ns);
                match views[i].parked {
                    _ if now_ns >= end_ns => Plan::Stay,
                    Some(act) => Plan::Jump(act.min(limit)),
                    None => self.plan_run(i, limit),
                }
            })
            .collect()
    }

    /// One node, the kernel at the other end: the kernel may send at any
    /// time, so a busy node runs a lookahead past its present at most; an
    /// idle one jumps, but never past the wall clock (see the module docs).
    fn plan_with_kernel(&mut self, end_ns: u64) -> Plan {
        let now_ns = self.nodes[0].now_ns();
        if now_ns >= end_ns {
            return Plan::Stay;
        }
        let parked = self.parked(0);
        let tap = self.tap.as_mut().expect("a kernel on the wire");
        let Some(act) = parked else {
            // Busy, but never ahead of the wall clock.
            tap.hold_back(now_ns);
            let lookahead = schedule::lookahead(self.wires[1].delay_ns());
            let limit = step_limit(now_ns, now_ns.saturating_add(lookahead), end_ns);
            return self.plan_run(0, limit);
        };
        let target = act.min(end_ns);
        // Never past the present: the kernel may send at any time. Caught
        // up (within a nap), wait on the wall clock.
        let wall = tap.wall_ns();
        if wall < now_ns.saturating_add(tap_port::CATCH_UP_NS) && target > now_ns {
            tap.wait_until(target, now_ns);
            return Plan::Stay;
        }
        Plan::Jump(target.min(wall))
    }

    /// A busy node runs to `limit` or its host's next own event (a timer,
    /// the application's timer, a poll instant), whichever is sooner, and
    /// stops early once its host is due and may run: the interrupt line up
    /// (interrupt mode), or registers in sync for a host already due. The
    /// frame MAC is given the frames that arrive meanwhile now, ahead of
    /// time; the full RTL's PHY is given each at its time, so the run stops
    /// there.
    fn plan_run(&mut self, i: usize, limit: u64) -> Plan {
        let node = &self.nodes[i];
        let now_ns = node.now_ns();
        let ahead = node.nic.bench().schedules_rx();
        let mut target = limit;
        if let Some(t) = node.next_host_ns().filter(|&t| t > now_ns) {
            target = target.min(t);
        }
        if !ahead {
            if let Some(at) = self.wires[1 - i].next_arrival() {
                target = target.min(at);
            }
        }
        let stop = StopWhen {
            irq: node.poll_interval_ns.is_none(),
            registers_idle: node.due(now_ns),
            tick: SERVICE_TICK_NS / CYCLE_NS,
        };
        let cycles = target.saturating_sub(now_ns).div_ceil(CYCLE_NS).max(1);
        if ahead {
            self.deliver(i, now_ns + cycles * CYCLE_NS - 1);
        }
        Plan::Run { cycles, stop }
    }

    /// Runs and jumps as planned: two runs on two threads when the chooser
    /// says so (each model has its own Verilator context, memory and MII;
    /// nothing is shared during a step, so results are identical).
    fn carry_out(&mut self, plans: &[Plan]) {
        for (i, plan) in plans.iter().enumerate() {
            if let Plan::Jump(target) = *plan {
                if !self.jump(i, target) {
                    // Less than an MII clock period to go: clock it.
                    let node = &mut self.nodes[i];
                    let cycles = target.saturating_sub(node.now_ns()).div_ceil(CYCLE_NS);
                    self.stats.cycles[i] += node.nic.run_until_stop(cycles, StopWhen::default());
                }
            }
        }
        let run = |plan: &Plan| match *plan {
            Plan::Run { cycles, stop } => Some((cycles, stop)),
            _ => None,
        };
        let mut ran = [0u64; 2];
        match (self.nodes.as_mut_slice(), self.pair.as_mut(), plans) {
            ([a, b], Some((pair, chooser)), [pa, pb]) if run(pa).is_some() && run(pb).is_some() => {
                let ((ca, sa), (cb, sb)) = (run(pa).expect("run"), run(pb).expect("run"));
                let start = std::time::Instant::now();
                let (a, b) = (&mut a.nic, &mut b.nic);
                let [ra, rb] = &mut ran;
                if chooser.two_now() {
                    pair.join(
                        || *ra = a.run_until_stop(ca, sa),
                        || *rb = b.run_until_stop(cb, sb),
                    );
                } else {
                    *ra = a.run_until_stop(ca, sa);
                    *rb = b.run_until_stop(cb, sb);
                }
                chooser.record(start.elapsed().as_nanos() as u64, (*ra).max(*rb));
            }
            (nodes, _, plans) => {
                for (i, (node, plan)) in nodes.iter_mut().zip(plans).enumerate() {
                    if let Some((cycles, stop)) = run(plan) {
                        ran[i] = node.nic.run_until_stop(cycles, stop);
                    }
                }
            }
        }
        for (i, n) in ran.iter().enumerate().take(self.nodes.len()) {
            self.stats.cycles[i] += n;
        }
    }

    /// Frames that left each MAC go on that direction's wire (and into the
    /// pcap) at the time their last nibble left; the fabric is marked moved
    /// if anything happened in it.
    fn collect_sent(&mut self) {
        for i in 0..self.nodes.len() {
            let node = &mut self.nodes[i];
            let frames = node.nic.bench_mut().take_wire_frames();
            let irq = node.nic.irq();
            if !frames.is_empty() || node.nic.bench().is_active() || irq != node.irq_was {
                node.fabric = Fabric::Moved;
            }
            node.irq_was = irq;
            for frame in frames {
                let sent_ns = self.nodes[i].nic.bench().frame_end_ns(&frame);
                self.stats.frames_sent[i] += 1;
                let Ok(bytes) = frame.bytes() else {
                    self.stats.bad_tx_frames[i] += 1;
                    continue;
                };
                // The MAC's own FCS is always right; Wireshark expects frames without it.
                let without_fcs = &bytes[..bytes.len().saturating_sub(4)];
                if self.pcap.is_some() {
                    self.pcap_pending.push((sent_ns, without_fcs.to_vec()));
                }
                if self.tracing {
                    trace::note_wire_time(&mut self.trace, i, sent_ns, without_fcs);
                }
                self.wires[i].send(sent_ns, bytes);
            }
        }
    }

    /// Writes the pcap records no node can precede any more (all of them
    /// with `all`), in time order: the nodes' clocks differ within a step.
    fn flush_pcap(&mut self, all: bool) {
        let settled = if all { u64::MAX } else { self.now_ns() };
        let Some(pcap) = self.pcap.as_mut() else {
            return;
        };
        self.pcap_pending.sort_by_key(|(at, _)| *at);
        let ready = self.pcap_pending.partition_point(|(at, _)| *at <= settled);
        for (at, bytes) in self.pcap_pending.drain(..ready) {
            let _ = pcap.record(at, &bytes);
        }
    }

    /// Gives node `i`'s MII every frame the wire delivers to it by
    /// `until_ns`, each for its arrival time ([`NicBench::inject_rx_at`]):
    /// up to the node's present at the start of a step, up to the end of
    /// its run when its MAC takes frames ahead of time. A frame whose time
    /// the node passed by a cycle or more (only on a wire shorter than a
    /// step) is counted late.
    ///
    /// [`NicBench::inject_rx_at`]: crate::testbench::nic::NicBench::inject_rx_at
    fn deliver(&mut self, i: usize, until_ns: u64) {
        let node = &mut self.nodes[i];
        let now_ns = node.now_ns();
        for (at, bytes) in self.wires[1 - i].receive_timed(until_ns) {
            if now_ns.saturating_sub(at) >= CYCLE_NS {
                self.stats.late_frames += 1;
            }
            node.nic
                .bench_mut()
                .inject_rx_at(&encode_frame(&bytes, false), at);
            node.driven_in += 1;
            node.fabric = Fabric::Moved;
        }
    }

    /// With the kernel at the other end: node 0's frames that have crossed
    /// the wire by node 0's present go to the kernel.
    fn deliver_to_kernel(&mut self) {
        let Some(tap) = self.tap.as_mut() else {
            return;
        };
        let now_ns = self.nodes[0].now_ns();
        for bytes in self.wires[0].receive(now_ns) {
            tap.to_kernel(&bytes);
        }
    }

    /// Frames the kernel wrote to the TAP go on its wire (and into the pcap)
    /// as a PHY would send them: padded to the minimum frame, with FCS.
    fn from_kernel(&mut self, now_ns: u64) {
        let Some(tap) = self.tap.as_mut() else {
            return;
        };
        for frame in tap.poll(now_ns) {
            self.stats.frames_sent[1] += 1;
            if self.pcap.is_some() {
                self.pcap_pending
                    .push((now_ns, frame[..frame.len() - 4].to_vec()));
            }
            self.wires[1].send(now_ns, frame);
        }
    }

    fn service(&mut self, i: usize, now_ns: u64, apps: &mut Apps<'_>) {
        let now = instant(now_ns);
        let node = &mut self.nodes[i];
        let tracing = self.tracing;
        let mut before_app = Vec::new();
        node.serve(i, now_ns, apps, |iface, now| {
            if tracing {
                before_app = iface.engine().sockets(now);
            }
        });
        self.stats.services += 1;
        if tracing {
            let log = node.stack.take_frame_log();
            let after = node.stack.engine().sockets(now);
            trace::record(&mut self.trace, i, now_ns, &before_app, &after, log);
        }
    }

    /// Moves node `i`'s idleness proof along (see the `idle` module): starts
    /// a probe once its ports are quiet, reads it once it is done.
    fn probe(&mut self, i: usize, now_ns: u64) {
        let node = &mut self.nodes[i];
        if !idle::ports_quiet(&node.nic) {
            return;
        }
        match node.fabric {
            Fabric::Idle { .. } => {}
            Fabric::Working { retry_at_ns } if now_ns < retry_at_ns => {}
            Fabric::Moved | Fabric::Working { .. } => {
                for reg in idle::PROBE {
                    node.nic.bench_mut().axil.read(reg);
                }
                node.fabric = Fabric::Probing;
                self.stats.probes += 1;
            }
            Fabric::Probing => {
                let stats = node.stack.stats();
                let counts = idle::Counts {
                    queued_tx: stats.tso_segments + stats.plain_sends,
                    sent_on_mii: self.stats.frames_sent[i],
                    driven_in: node.driven_in,
                };
                let regs = node.stack.driver().registers().block();
                node.fabric = idle::verdict(regs, counts, node.nic.irq(), now_ns);
            }
        }
    }

    /// Lets node `i`'s simulated time jump to `target_ns` (rounded down to
    /// whole MII clock periods) without clocking; false if that is no jump.
    fn jump(&mut self, i: usize, target_ns: u64) -> bool {
        let node = &mut self.nodes[i];
        let before = node.now_ns();
        let Some(span) = target_ns.checked_sub(before) else {
            return false;
        };
        node.nic.bench_mut().skip_idle(span);
        let skipped = node.now_ns() - before;
        if skipped == 0 {
            return false;
        }
        self.stats.skipped_ns[i] += skipped;
        self.stats.skips += 1;
        true
    }
}

/// How far a node at `now_ns` goes this step: to its horizon, but at least
/// [`MIN_STEP_NS`] and never past the end of the run.
fn step_limit(now_ns: u64, horizon_ns: u64, end_ns: u64) -> u64 {
    horizon_ns.max(now_ns + MIN_STEP_NS).min(end_ns)
}

/// What one node does in a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Plan {
    /// At the end of the run, or waiting on the wall clock.
    Stay,
    /// Proved idle: jump to this time without clocking.
    Jump(u64),
    /// Clock up to this many core cycles, ending early when `stop` holds.
    Run { cycles: u64, stop: StopWhen },
}
