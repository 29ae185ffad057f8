//! A bench around the Verilator model of `NicCore`: the core clock and the
//! MII clocks (as in [`crate::testbench::mac`]), host memory behind the AXI4 port
//! ([`AxiMemory`]), register accesses over AXI4-Lite ([`AxilMaster`]) and the
//! PHY's side of MII (a monitor on TX, a driver on RX, optional loopback).
//!
//! Ring set-up helpers write descriptors into host memory the way the ABI
//! lays them out; they are test plumbing, not the host driver (that lives in
//! `synack-host` and drives this same model through the same memory).
use crate::axi_memory::{AxiMaster, AxiMemory, AxiMemoryConfig, AxiSlave};
use crate::axil_master::{AxilIn, AxilMaster};
use crate::frame_mac::{FrameMac, MacInputs, MacOutputs};
use crate::mii::{MiiPhy, Nibble, WireFrame};
use crate::model::{NicCore, NicDatapath};
pub use crate::testbench::quiescence::QuiescenceStats;
use crate::testbench::quiescence::{Proof, Quiescence};
use synack_abi::regs;
use synack_abi::ring::{RxCompletion, RxDesc, TxCompletion, TxDesc};

/// Nanoseconds per simulation step (half a core clock).
pub const STEP_NS: u64 = 5;
/// Steps per half period of the MII clocks at 100 Mb/s.
const MII_HALF: u64 = 4;
/// A core cycle: two steps.
pub const CYCLE_NS: u64 = 2 * STEP_NS;
/// An MII clock period (25 MHz).
const NIBBLE_NS: u64 = 2 * MII_HALF * STEP_NS;

/// When a run ([`NicBench::run_until_stop`]) ends before its last cycle:
/// once no register access is in flight and (`irq`) the interrupt line is
/// high, or (`registers_idle`) that alone — at the next multiple of `tick`
/// core cycles from then (0 or 1: at once). What the co-simulation's host
/// waits for to run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StopWhen {
    pub irq: bool,
    pub registers_idle: bool,
    pub tick: u64,
}

/// How the bench is set up.
#[derive(Clone, Debug)]
pub struct NicBenchConfig {
    pub memory: AxiMemoryConfig,
    pub memory_size: usize,
    /// Frames transmitted come back on the receive side.
    pub loopback: bool,
}

impl Default for NicBenchConfig {
    fn default() -> Self {
        Self {
            memory: AxiMemoryConfig::default(),
            memory_size: 1 << 20,
            loopback: false,
        }
    }
}

/// What [`NicBench::run`] may do next.
enum Skip {
    /// Clock a cycle; the datapath is not known to stand still.
    No,
    /// Clock a cycle of a datapath known to stand still (its inputs are
    /// those it was proved under, so it still does).
    Step,
    /// Clock a cycle under these MAC outputs and compare the state before
    /// and after.
    Check(MacOutputs),
    /// Skip this many cycles.
    Cycles(u64),
}

/// How much of the fabric runs as RTL.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fidelity {
    /// All of `NicCore` in Verilator, MII clocked nibble by nibble.
    FullRtl,
    /// `NicDatapath` in Verilator, the MAC a frame-level model
    /// ([`FrameMac`]): the same buffering, backpressure and wire timing
    /// within a few nibbles, at a fraction of the cost; the co-simulation's
    /// default.
    #[default]
    Frames,
}

/// The model and what stands on its far side of MII.
enum Fabric {
    Rtl {
        model: NicCore,
        phy: MiiPhy,
        inputs: [u64; NicCore::INPUTS],
        outputs: [u64; NicCore::OUTPUTS],
    },
    Frames {
        model: NicDatapath,
        mac: FrameMac,
        inputs: [u64; NicDatapath::INPUTS],
        outputs: [u64; NicDatapath::OUTPUTS],
        quiet: Quiescence,
    },
}

/// The AXI4 slave's and AXI4-Lite master's signals into a model's inputs
/// (both tops name these ports alike).
macro_rules! drive_buses {
    ($m:ident, $i:expr, $s:expr, $a:expr) => {{
        let (i, s, a) = ($i, $s, $a);
        i[$m::IN_M_AXI_ARREADY] = s.arready as u64;
        i[$m::IN_M_AXI_RVALID] = s.rvalid as u64;
        i[$m::IN_M_AXI_RID] = s.rid as u64;
        i[$m::IN_M_AXI_RDATA] = s.rdata as u64;
        i[$m::IN_M_AXI_RRESP] = s.rresp as u64;
        i[$m::IN_M_AXI_RLAST] = s.rlast as u64;
        i[$m::IN_M_AXI_AWREADY] = s.awready as u64;
        i[$m::IN_M_AXI_WREADY] = s.wready as u64;
        i[$m::IN_M_AXI_BVALID] = s.bvalid as u64;
        i[$m::IN_M_AXI_BRESP] = s.bresp as u64;
        i[$m::IN_S_AXIL_AWVALID] = a.awvalid as u64;
        i[$m::IN_S_AXIL_AWADDR] = a.awaddr as u64;
        i[$m::IN_S_AXIL_WVALID] = a.wvalid as u64;
        i[$m::IN_S_AXIL_WDATA] = a.wdata as u64;
        i[$m::IN_S_AXIL_WSTRB] = a.wstrb as u64;
        i[$m::IN_S_AXIL_BREADY] = a.bready as u64;
        i[$m::IN_S_AXIL_ARVALID] = a.arvalid as u64;
        i[$m::IN_S_AXIL_ARADDR] = a.araddr as u64;
        i[$m::IN_S_AXIL_RREADY] = a.rready as u64;
    }};
}

/// A model's AXI4 master and AXI4-Lite slave outputs.
macro_rules! bus_outputs {
    ($m:ident, $o:expr) => {{
        let o = $o;
        let master = AxiMaster {
            arvalid: o[$m::OUT_M_AXI_ARVALID] != 0,
            arid: o[$m::OUT_M_AXI_ARID] as u8,
            araddr: o[$m::OUT_M_AXI_ARADDR] as u32,
            arlen: o[$m::OUT_M_AXI_ARLEN] as u8,
            arsize: o[$m::OUT_M_AXI_ARSIZE] as u8,
            arburst: o[$m::OUT_M_AXI_ARBURST] as u8,
            rready: o[$m::OUT_M_AXI_RREADY] != 0,
            awvalid: o[$m::OUT_M_AXI_AWVALID] != 0,
            awaddr: o[$m::OUT_M_AXI_AWADDR] as u32,
            awlen: o[$m::OUT_M_AXI_AWLEN] as u8,
            awsize: o[$m::OUT_M_AXI_AWSIZE] as u8,
            awburst: o[$m::OUT_M_AXI_AWBURST] as u8,
            wvalid: o[$m::OUT_M_AXI_WVALID] != 0,
            wdata: o[$m::OUT_M_AXI_WDATA] as u32,
            wstrb: o[$m::OUT_M_AXI_WSTRB] as u8,
            wlast: o[$m::OUT_M_AXI_WLAST] != 0,
            bready: o[$m::OUT_M_AXI_BREADY] != 0,
        };
        let axil = AxilIn {
            awready: o[$m::OUT_S_AXIL_AWREADY] != 0,
            wready: o[$m::OUT_S_AXIL_WREADY] != 0,
            bvalid: o[$m::OUT_S_AXIL_BVALID] != 0,
            bresp: o[$m::OUT_S_AXIL_BRESP] as u8,
            arready: o[$m::OUT_S_AXIL_ARREADY] != 0,
            rvalid: o[$m::OUT_S_AXIL_RVALID] != 0,
            rdata: o[$m::OUT_S_AXIL_RDATA] as u32,
            rresp: o[$m::OUT_S_AXIL_RRESP] as u8,
        };
        (master, axil)
    }};
}

pub struct NicBench {
    pub mem: AxiMemory,
    pub axil: AxilMaster,
    step: u64,
    fabric: Fabric,
    axil_out: crate::axil_master::AxilOut,
    slave: AxiSlave,
    /// The fast fidelity may skip cycles (see [`Quiescence`]).
    skipping: bool,
    /// Simulated time at which an open VCD dump ends (0: none open).
    #[cfg(feature = "trace")]
    vcd_until: u64,
}

impl NicBench {
    pub fn new(config: NicBenchConfig) -> Self {
        let mem = AxiMemory::new(config.memory_size, config.memory.clone()).expect("map memory");
        Self::with_memory(mem, config.loopback)
    }

    /// A bench whose DMA is served from `mem` (which a driver may also map).
    pub fn with_memory(mem: AxiMemory, loopback: bool) -> Self {
        Self::with_fidelity(mem, loopback, Fidelity::FullRtl)
    }

    /// The same at the given fidelity (`loopback` needs [`Fidelity::FullRtl`]).
    pub fn with_fidelity(mem: AxiMemory, loopback: bool, fidelity: Fidelity) -> Self {
        let fabric = match fidelity {
            Fidelity::FullRtl => {
                let mut model = NicCore::new();
                let inputs = [0; NicCore::INPUTS];
                let mut outputs = [0; NicCore::OUTPUTS];
                model.eval_io(&inputs, &mut outputs);
                Fabric::Rtl {
                    model,
                    phy: MiiPhy::new(loopback),
                    inputs,
                    outputs,
                }
            }
            Fidelity::Frames => {
                assert!(!loopback, "MII loopback needs the full RTL");
                let mut model = NicDatapath::new();
                let inputs = [0; NicDatapath::INPUTS];
                let mut outputs = [0; NicDatapath::OUTPUTS];
                model.eval_io(&inputs, &mut outputs);
                let quiet = Quiescence::new(&model);
                Fabric::Frames {
                    model,
                    mac: FrameMac::new(),
                    inputs,
                    outputs,
                    quiet,
                }
            }
        };
        Self {
            fabric,
            mem,
            axil: AxilMaster::default(),
            step: 0,
            axil_out: Default::default(),
            slave: Default::default(),
            skipping: true,
            #[cfg(feature = "trace")]
            vcd_until: 0,
        }
    }

    pub fn fidelity(&self) -> Fidelity {
        match self.fabric {
            Fabric::Rtl { .. } => Fidelity::FullRtl,
            Fabric::Frames { .. } => Fidelity::Frames,
        }
    }

    pub fn core_cycles(&self) -> u64 {
        self.step / 2
    }

    pub fn sim_time_ns(&self) -> u64 {
        self.step * STEP_NS
    }

    /// Lets `ns` of simulated time pass without clocking the model, rounded
    /// down to whole MII clock periods so the clocks keep their phase. Only
    /// sound while nothing is happening: no frame on MII, no DMA in flight,
    /// no register access.
    pub fn skip_idle(&mut self, ns: u64) {
        let period = 2 * MII_HALF;
        let steps = ns / STEP_NS / period * period;
        self.step += steps;
        self.mem.skip(steps / 2);
        match &mut self.fabric {
            Fabric::Rtl { phy, .. } => phy.skip(steps / period),
            Fabric::Frames { mac, .. } => mac.advance(steps / 2),
        }
    }

    /// Something is moving: a frame on MII (either way) or a DMA burst in
    /// flight. (Register accesses are not counted: reading status is not work.)
    pub fn is_active(&self) -> bool {
        let mii = match &self.fabric {
            Fabric::Rtl { phy, .. } => phy.is_busy(),
            Fabric::Frames { mac, .. } => mac.is_busy(),
        };
        mii || !self.mem.is_idle()
    }

    /// Frames on the wire not yet taken.
    pub fn wire_frame_count(&self) -> usize {
        match &self.fabric {
            Fabric::Rtl { phy, .. } => phy.wire_frame_count(),
            Fabric::Frames { mac, .. } => mac.wire_frame_count(),
        }
    }

    fn in_tx_frame(&self) -> bool {
        match &self.fabric {
            Fabric::Rtl { phy, .. } => phy.in_tx_frame(),
            Fabric::Frames { mac, .. } => mac.in_tx_frame(),
        }
    }

    /// Runs until `count` frames have been on the wire (not yet taken) and
    /// the transmitter is idle again, or `max` cycles pass.
    pub fn run_until_wire_frames(&mut self, count: usize, max: u64) -> bool {
        self.run_until(max, |b| b.wire_frame_count() >= count && !b.in_tx_frame())
    }

    /// Frames the NIC put on the wire so far; takes them.
    pub fn take_wire_frames(&mut self) -> Vec<WireFrame> {
        match &mut self.fabric {
            Fabric::Rtl { phy, .. } => phy.take_wire_frames(),
            Fabric::Frames { mac, .. } => mac.take_wire_frames(),
        }
    }

    /// Puts a frame's nibbles on the receive side of MII.
    pub fn inject_rx(&mut self, nibbles: &[Nibble]) {
        match &mut self.fabric {
            Fabric::Rtl { phy, .. } => phy.inject_rx(nibbles),
            Fabric::Frames { mac, .. } => mac.inject_rx(nibbles),
        }
    }

    /// Whether [`Self::inject_rx_at`] takes frames ahead of their arrival
    /// (the frame-level MAC); the full RTL's PHY drives a frame the moment
    /// it is given one.
    pub fn schedules_rx(&self) -> bool {
        matches!(self.fabric, Fabric::Frames { .. })
    }

    /// A frame whose first nibble reaches MII at `at_ns` (simulated), or
    /// now if that has passed, after the frames before it and a gap. With
    /// the full RTL (see [`Self::schedules_rx`]) it is driven now whatever
    /// `at_ns` says: the caller gives it at its time.
    pub fn inject_rx_at(&mut self, nibbles: &[Nibble], at_ns: u64) {
        match &mut self.fabric {
            Fabric::Rtl { phy, .. } => phy.inject_rx(nibbles),
            Fabric::Frames { mac, .. } => mac.inject_rx_at(nibbles, at_ns.div_ceil(CYCLE_NS)),
        }
    }

    /// When `frame` (one [`Self::take_wire_frames`] gave) finished on MII,
    /// in simulated nanoseconds: its last nibble's end.
    pub fn frame_end_ns(&self, frame: &WireFrame) -> u64 {
        (frame.start + frame.nibbles.len() as u64) * NIBBLE_NS
    }

    /// The DMA master offers a read burst (`m_axi_arvalid`).
    pub fn read_requested(&self) -> bool {
        match &self.fabric {
            Fabric::Rtl { outputs, .. } => outputs[NicCore::OUT_M_AXI_ARVALID] != 0,
            Fabric::Frames { outputs, .. } => outputs[NicDatapath::OUT_M_AXI_ARVALID] != 0,
        }
    }

    pub fn irq(&self) -> bool {
        match &self.fabric {
            Fabric::Rtl { outputs, .. } => outputs[NicCore::OUT_IRQ] != 0,
            Fabric::Frames { outputs, .. } => outputs[NicDatapath::OUT_IRQ] != 0,
        }
    }

    /// Runs `cycles` core cycles (in the fast fidelity, skipping those in
    /// which the datapath provably stands still: see the `quiescence` module).
    pub fn run(&mut self, cycles: u64) {
        self.run_until_stop(cycles, StopWhen::default());
    }

    /// Runs `cycles` core cycles, or fewer if `stop` holds after one (see
    /// [`StopWhen`]); returns the cycles run. Skipped quiescent stretches
    /// end before any output changes, so a stop is never jumped over.
    pub fn run_until_stop(&mut self, cycles: u64, stop: StopWhen) -> u64 {
        let start = self.core_cycles();
        let mut end = start + cycles;
        let mut watch = stop.irq || stop.registers_idle;
        while self.core_cycles() < end {
            match self.quiescent_cycles(end) {
                Skip::Cycles(n) => self.skip_still(n),
                Skip::Check(m) => self.check_quiescence(m),
                Skip::Step | Skip::No => self.cycle(),
            }
            if watch && self.axil.is_idle() && (stop.registers_idle || stop.irq && self.irq()) {
                end = end.min(self.core_cycles().next_multiple_of(stop.tick.max(1)));
                watch = false;
            }
        }
        self.core_cycles() - start
    }

    /// One clocked cycle.
    fn cycle(&mut self) {
        self.falling_edge();
        #[cfg(feature = "trace")]
        self.dump();
        self.rising_edge();
        #[cfg(feature = "trace")]
        self.dump();
    }

    /// Lets the fast fidelity skip cycles in which the datapath provably
    /// stands still (the default), or makes it clock every one.
    pub fn set_skipping(&mut self, on: bool) {
        self.skipping = on;
    }

    /// Where the cycles went: skipped, checked, clocked (fast fidelity;
    /// zeros otherwise).
    pub fn quiescence_stats(&self) -> QuiescenceStats {
        match &self.fabric {
            Fabric::Rtl { .. } => QuiescenceStats::default(),
            Fabric::Frames { quiet, .. } => quiet.stats,
        }
    }

    /// The fast fidelity may skip: skipping is on and no waveform is open.
    fn may_skip(&self) -> bool {
        #[cfg(feature = "trace")]
        if self.vcd_until != 0 {
            return false;
        }
        self.skipping && matches!(self.fabric, Fabric::Frames { .. })
    }

    /// In the fast fidelity, when the datapath's ports are quiet (what
    /// [`Quiescence`] needs: the memory has nothing due, reads may be
    /// waiting out their latency): the MAC's outputs of this cycle.
    fn ports_quiet(&self) -> Option<MacOutputs> {
        let Fabric::Frames { mac, outputs, .. } = &self.fabric else {
            return None;
        };
        type M = NicDatapath;
        let o = outputs;
        let m = mac.outputs();
        let quiet = self.mem.quiet_for().is_some()
            && self.axil.is_idle()
            && o[M::OUT_M_AXI_ARVALID] == 0
            && o[M::OUT_M_AXI_AWVALID] == 0
            && o[M::OUT_M_AXI_WVALID] == 0
            && !(m.tx_tready && o[M::OUT_MAC_TX_TVALID] != 0)
            && !(m.rx_tvalid && o[M::OUT_MAC_RX_TREADY] != 0);
        quiet.then_some(m)
    }

    /// Whether, and how far, the next cycles may be skipped before `end`
    /// (for a counting interrupt timer, moving it on as far).
    fn quiescent_cycles(&mut self, end: u64) -> Skip {
        if !self.may_skip() {
            return Skip::No;
        }
        let now = self.core_cycles();
        let ports = self.ports_quiet();
        let memory = now.saturating_add(self.mem.quiet_for().unwrap_or(0));
        let Fabric::Frames {
            model, mac, quiet, ..
        } = &mut self.fabric
        else {
            return Skip::No;
        };
        let Some(m) = ports else {
            quiet.ports_moved();
            return Skip::No;
        };
        let until = mac.next_change().min(end).min(memory);
        if quiet.proof != Proof::None && quiet.outputs == m {
            let n = quiet.skippable(model, until.saturating_sub(now));
            if n > 0 {
                return Skip::Cycles(n);
            }
            if quiet.proof == Proof::Still {
                return Skip::Step;
            }
            // A timer near its wrap (`skippable` dropped the proof): clock it.
            quiet.stats.unproved += 1;
            return Skip::No;
        }
        quiet.proof = Proof::None;
        if now >= quiet.next_try && until > now {
            Skip::Check(m)
        } else {
            quiet.stats.unproved += 1;
            Skip::No
        }
    }

    /// Lets `n` cycles of a still datapath pass unclocked.
    fn skip_still(&mut self, n: u64) {
        self.step += 2 * n;
        self.mem.skip(n);
        if let Fabric::Frames { mac, quiet, .. } = &mut self.fabric {
            mac.advance(n);
            quiet.stats.skipped += n;
        }
    }

    /// Clocks one cycle under the MAC's outputs `m` and sees whether the
    /// datapath's state stayed as it was (or moved only by its interrupt
    /// timer, which is then run forward: see [`Quiescence`]).
    fn check_quiescence(&mut self, m: MacOutputs) {
        if let Fabric::Frames { model, quiet, .. } = &mut self.fabric {
            quiet.begin(model, m);
        }
        self.cycle();
        let now = self.core_cycles();
        if let Fabric::Frames { model, quiet, .. } = &mut self.fabric {
            quiet.judge(model, now);
        }
    }

    /// Starts a VCD waveform of every signal, at simulated time, for the
    /// next `duration_ns`.
    #[cfg(feature = "trace")]
    pub fn dump_vcd(&mut self, path: &std::path::Path, duration_ns: u64) -> std::io::Result<()> {
        match &mut self.fabric {
            Fabric::Rtl { model, .. } => model.trace_open(path)?,
            Fabric::Frames { model, .. } => model.trace_open(path)?,
        }
        self.vcd_until = self.sim_time_ns() + duration_ns;
        Ok(())
    }

    #[cfg(feature = "trace")]
    fn dump(&mut self) {
        if self.vcd_until == 0 {
            return;
        }
        let done = self.sim_time_ns() >= self.vcd_until;
        // Verilator writes VCD times in picoseconds.
        let ps = self.step * STEP_NS * 1000;
        match &mut self.fabric {
            Fabric::Rtl { model, .. } if done => model.trace_close(),
            Fabric::Frames { model, .. } if done => model.trace_close(),
            Fabric::Rtl { model, .. } => {
                model.set_time(ps);
                model.trace_dump();
            }
            Fabric::Frames { model, .. } => {
                model.set_time(ps);
                model.trace_dump();
            }
        }
        if done {
            self.vcd_until = 0;
        }
    }

    /// Runs until `done` holds (checked every 16 cycles) or `max` cycles pass.
    pub fn run_until(&mut self, max: u64, mut done: impl FnMut(&mut Self) -> bool) -> bool {
        let limit = self.core_cycles() + max;
        while self.core_cycles() < limit {
            self.run(16);
            if done(self) {
                return true;
            }
        }
        false
    }

    /// Writes a register and waits for the response.
    pub fn write_reg(&mut self, offset: u32, value: u32) {
        self.axil.write(offset, value);
        assert!(
            self.run_until(1000, |b| b.axil.is_idle()),
            "register write hung"
        );
        self.axil.take_completed();
    }

    /// Reads a register.
    pub fn read_reg(&mut self, offset: u32) -> u32 {
        self.axil.read(offset);
        assert!(
            self.run_until(1000, |b| b.axil.is_idle()),
            "register read hung"
        );
        self.axil.take_completed()[0].data
    }

    fn falling_edge(&mut self) {
        let k = self.step;
        self.step += 1;
        self.slave = self.mem.drive();
        self.axil_out = self.axil.drive();
        match &mut self.fabric {
            Fabric::Rtl {
                model,
                phy,
                inputs,
                outputs,
            } => {
                let phase = k % (2 * MII_HALF);
                // k is even here; the MII clocks change on these steps only.
                let i = inputs;
                i[NicCore::IN_CLOCK] = 0;
                let tx_rise = phase == 2;
                let rx_rise = phase == 6;
                if tx_rise {
                    // The MAC's outputs as of the last edge.
                    let nibble = Nibble {
                        data: outputs[NicCore::OUT_MII_TXD] as u8,
                        valid: outputs[NicCore::OUT_MII_TX_EN] != 0,
                        error: false,
                    };
                    phy.sample_tx(nibble);
                    i[NicCore::IN_MII_TX_CLK] = 1;
                } else if phase == 2 + MII_HALF {
                    i[NicCore::IN_MII_TX_CLK] = 0;
                }
                if rx_rise {
                    i[NicCore::IN_MII_RX_CLK] = 1;
                } else if phase == (6 + MII_HALF) % (2 * MII_HALF) {
                    i[NicCore::IN_MII_RX_CLK] = 0;
                }
                drive_buses!(NicCore, &mut *i, &self.slave, &self.axil_out);
                model.eval_io(i, outputs);
                if rx_rise {
                    // Changes after rx_clk's edge: the rising edge's eval applies it.
                    let n = phy.next_rx_nibble();
                    i[NicCore::IN_MII_RXD] = n.data as u64;
                    i[NicCore::IN_MII_RX_DV] = n.valid as u64;
                    i[NicCore::IN_MII_RX_ER] = n.error as u64;
                }
            }
            Fabric::Frames {
                model,
                mac,
                inputs: i,
                outputs,
                ..
            } => {
                type M = NicDatapath;
                let m = mac.outputs();
                i[M::IN_CLOCK] = 0;
                i[M::IN_MAC_TX_TREADY] = m.tx_tready as u64;
                i[M::IN_MAC_RX_TDATA] = u64::from(m.rx_tdata);
                i[M::IN_MAC_RX_TVALID] = m.rx_tvalid as u64;
                i[M::IN_MAC_RX_TLAST] = m.rx_tlast as u64;
                i[M::IN_MAC_STAT_EVENTS] = u64::from(m.stat_events);
                i[M::IN_MAC_STAT_TX_BYTES] = u64::from(m.stat_tx_bytes);
                i[M::IN_MAC_STAT_RX_BYTES] = u64::from(m.stat_rx_bytes);
                drive_buses!(M, &mut *i, &self.slave, &self.axil_out);
                model.eval_io(i, outputs);
            }
        }
    }

    fn rising_edge(&mut self) {
        self.step += 1;
        match &mut self.fabric {
            Fabric::Rtl {
                model,
                inputs,
                outputs,
                ..
            } => {
                let (master, axil_in) = bus_outputs!(NicCore, &*outputs);
                self.mem.clock(&master, &self.slave);
                self.axil.clock(&self.axil_out, &axil_in);
                inputs[NicCore::IN_CLOCK] = 1;
                model.eval_io(inputs, outputs);
            }
            Fabric::Frames {
                model,
                mac,
                inputs,
                outputs,
                ..
            } => {
                type M = NicDatapath;
                let (master, axil_in) = bus_outputs!(M, &*outputs);
                self.mem.clock(&master, &self.slave);
                self.axil.clock(&self.axil_out, &axil_in);
                mac.clock(MacInputs {
                    tx_tdata: outputs[M::OUT_MAC_TX_TDATA] as u8,
                    tx_tvalid: outputs[M::OUT_MAC_TX_TVALID] != 0,
                    tx_tlast: outputs[M::OUT_MAC_TX_TLAST] != 0,
                    rx_tready: outputs[M::OUT_MAC_RX_TREADY] != 0,
                });
                inputs[M::IN_CLOCK] = 1;
                model.eval_io(inputs, outputs);
            }
        }
    }
}

/// A ring in host memory as the test plumbing sets it up.
#[derive(Clone, Copy, Debug)]
pub struct RingLayout {
    pub desc_base: u32,
    pub cpl_base: u32,
    pub log2: u32,
}

impl RingLayout {
    pub fn size(&self) -> u32 {
        1 << self.log2
    }
}

impl NicBench {
    /// Programs both rings and enables the NIC (`control` bits as in the ABI).
    pub fn setup_rings(&mut self, tx: RingLayout, rx: RingLayout, control: u32) {
        self.write_reg(regs::TX_RING_BASE_LO, tx.desc_base);
        self.write_reg(regs::TX_RING_LOG2, tx.log2);
        self.write_reg(regs::TX_CPL_BASE_LO, tx.cpl_base);
        self.write_reg(regs::RX_RING_BASE_LO, rx.desc_base);
        self.write_reg(regs::RX_RING_LOG2, rx.log2);
        self.write_reg(regs::RX_CPL_BASE_LO, rx.cpl_base);
        self.write_reg(regs::CONTROL, control);
    }

    pub fn write_tx_desc(&mut self, ring: RingLayout, index: u32, desc: &TxDesc) {
        let at = (ring.desc_base + (index & (ring.size() - 1)) * 16) as usize;
        self.mem.bytes_mut()[at..at + 16].copy_from_slice(&desc.to_bytes());
    }

    pub fn write_rx_desc(&mut self, ring: RingLayout, index: u32, desc: &RxDesc) {
        let at = (ring.desc_base + (index & (ring.size() - 1)) * 16) as usize;
        self.mem.bytes_mut()[at..at + 16].copy_from_slice(&desc.to_bytes());
    }

    pub fn tx_completion(&self, ring: RingLayout, index: u32) -> TxCompletion {
        let at = (ring.cpl_base + (index & (ring.size() - 1)) * 8) as usize;
        TxCompletion::from_bytes(self.mem.bytes()[at..at + 8].try_into().expect("8 bytes"))
    }

    pub fn rx_completion(&self, ring: RingLayout, index: u32) -> RxCompletion {
        let at = (ring.cpl_base + (index & (ring.size() - 1)) * 8) as usize;
        RxCompletion::from_bytes(self.mem.bytes()[at..at + 8].try_into().expect("8 bytes"))
    }
}
