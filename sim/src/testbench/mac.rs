//! A bench around the Verilator model of `eth_mac_mii`: three clocks, the
//! PHY's side of MII (loopback from TX to RX, with a hook to damage frames),
//! an AXI-Stream source with random idle and a sink with random backpressure.
//!
//! Time advances in steps of 5 ns. The core clock (100 MHz) rises on even
//! steps; the MII clocks (25 MHz at 100 Mb/s, 2.5 MHz at 10 Mb/s) change on
//! odd steps only, rx_clk two steps after tx_clk, so no MII edge coincides
//! with a core rising edge. Inputs are changed on the core's falling edge and
//! settled by that step's eval; transfers are decided from the settled
//! outputs and happen at the following rising edge, as AXI-Stream defines.
//! A source keeps `tvalid` and its data stable until the handshake.
use crate::mii::{LoopbackHook, MiiPhy, Nibble, WireFrame};
use crate::model::EthMacMii;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;
use synack_abi::regs::stat;

/// Nanoseconds per simulation step.
pub const STEP_NS: u64 = 5;

/// Line speeds of the MII.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineSpeed {
    Mbps100,
    Mbps10,
}

impl LineSpeed {
    /// Steps per half period of the MII clocks.
    fn half_period_steps(self) -> u64 {
        match self {
            LineSpeed::Mbps100 => 4,
            LineSpeed::Mbps10 => 40,
        }
    }
}

/// How the bench drives the MAC.
#[derive(Clone, Debug)]
pub struct MacBenchConfig {
    pub seed: u64,
    /// Probability that the source idles a cycle before presenting a byte.
    pub tx_idle: f64,
    /// Probability that the sink is not ready in a cycle.
    pub rx_backpressure: f64,
    pub speed: LineSpeed,
    /// Transmitted frames come back on the receive side.
    pub loopback: bool,
}

impl Default for MacBenchConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            tx_idle: 0.0,
            rx_backpressure: 0.0,
            speed: LineSpeed::Mbps100,
            loopback: true,
        }
    }
}

/// The MAC's statistics counters (SPEC F8).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MacStats {
    pub tx_frames: u32,
    pub tx_bytes: u32,
    pub tx_drop_oversize: u32,
    pub rx_frames: u32,
    pub rx_bytes: u32,
    pub rx_drop_fcs: u32,
    pub rx_drop_runt: u32,
    pub rx_drop_oversize: u32,
    pub rx_drop_rx_er: u32,
    pub rx_drop_overflow: u32,
}

pub struct MacBench {
    model: EthMacMii,
    config: MacBenchConfig,
    rng: ChaCha8Rng,
    step: u64,
    tx_queue: VecDeque<Vec<u8>>,
    tx_index: usize,
    tx_valid: bool,
    rx_ready: bool,
    rx_current: Vec<u8>,
    received: VecDeque<Vec<u8>>,
    /// Core cycle at which each received frame's last byte was taken.
    received_at: Vec<u64>,
    phy: MiiPhy,
}

impl MacBench {
    pub fn new(config: MacBenchConfig) -> Self {
        let phy = MiiPhy::new(config.loopback);
        let mut model = EthMacMii::new();
        model.set_clock(0);
        model.set_mii_tx_clk(0);
        model.set_mii_rx_clk(0);
        model.eval();
        Self {
            model,
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            config,
            step: 0,
            tx_queue: VecDeque::new(),
            tx_index: 0,
            tx_valid: false,
            rx_ready: false,
            rx_current: Vec::new(),
            received: VecDeque::new(),
            received_at: Vec::new(),
            phy,
        }
    }

    /// Frames looped back pass through `hook` first.
    pub fn set_loopback_hook(&mut self, hook: LoopbackHook) {
        self.phy.set_loopback_hook(hook);
    }

    /// Changes how often the sink refuses a byte.
    pub fn set_rx_backpressure(&mut self, probability: f64) {
        self.config.rx_backpressure = probability;
    }

    /// Queues a frame (without FCS) for the MAC to send.
    pub fn send(&mut self, frame: Vec<u8>) {
        assert!(
            !frame.is_empty(),
            "an AXI-Stream frame has at least one beat"
        );
        self.tx_queue.push_back(frame);
    }

    /// Puts raw nibbles on the receive side of MII, followed by a gap.
    pub fn inject_rx(&mut self, nibbles: &[Nibble]) {
        self.phy.inject_rx(nibbles);
    }

    /// Frames the MAC delivered on `m_axis`, oldest first; takes them.
    pub fn take_received(&mut self) -> Vec<Vec<u8>> {
        self.received.drain(..).collect()
    }

    /// The core cycle at which each frame received so far was delivered
    /// (its last byte taken), oldest first.
    pub fn received_at(&self) -> &[u64] {
        &self.received_at
    }

    /// Frames the MAC put on the wire, oldest first; takes them.
    pub fn take_wire_frames(&mut self) -> Vec<WireFrame> {
        self.phy.take_wire_frames()
    }

    /// Nothing queued, nothing in flight on either side of the wire.
    pub fn is_quiet(&self) -> bool {
        self.tx_queue.is_empty() && !self.phy.is_busy()
    }

    /// Core clock cycles run so far.
    pub fn core_cycles(&self) -> u64 {
        self.step / 2
    }

    /// Simulated time so far.
    pub fn sim_time_ns(&self) -> u64 {
        self.step * STEP_NS
    }

    /// Reads the counters through the bank's read port (combinational: the
    /// address is set and the model evaluated without a clock edge).
    pub fn stats(&mut self) -> MacStats {
        let m = &mut self.model;
        let mut read = |index: u32| {
            m.set_stat_addr(index as u64);
            m.eval();
            m.stat_data() as u32
        };
        MacStats {
            tx_frames: read(stat::TX_FRAMES),
            tx_bytes: read(stat::TX_BYTES),
            tx_drop_oversize: read(stat::TX_DROP_OVERSIZE),
            rx_frames: read(stat::RX_FRAMES),
            rx_bytes: read(stat::RX_BYTES),
            rx_drop_fcs: read(stat::RX_DROP_FCS),
            rx_drop_runt: read(stat::RX_DROP_RUNT),
            rx_drop_oversize: read(stat::RX_DROP_OVERSIZE),
            rx_drop_rx_er: read(stat::RX_DROP_RX_ER),
            rx_drop_overflow: read(stat::RX_DROP_OVERFLOW),
        }
    }

    /// Runs `cycles` core clock cycles.
    pub fn run(&mut self, cycles: u64) {
        for _ in 0..cycles {
            self.step_once();
            self.step_once();
        }
    }

    /// Runs until everything queued has gone out, come back and been taken
    /// by the sink, or `max_cycles` pass; returns whether it got quiet.
    pub fn run_until_quiet(&mut self, max_cycles: u64) -> bool {
        let limit = self.core_cycles() + max_cycles;
        let mut quiet_for = 0;
        while self.core_cycles() < limit {
            self.run(64);
            let draining = self.model.m_axis_tvalid() != 0 || !self.rx_current.is_empty();
            quiet_for = if self.is_quiet() && !draining {
                quiet_for + 64
            } else {
                0
            };
            // The receive path holds a frame for a few hundred cycles before release.
            if quiet_for >= 1024 {
                return true;
            }
        }
        false
    }

    fn step_once(&mut self) {
        let k = self.step;
        self.step += 1;
        if k % 2 == 0 {
            self.rising_core_edge();
        } else {
            self.falling_core_edge(k);
        }
    }

    fn rising_core_edge(&mut self) {
        if self.tx_valid && self.model.s_axis_tready() != 0 {
            self.tx_valid = false;
            self.tx_index += 1;
            if self.tx_index == self.tx_queue.front().map_or(0, Vec::len) {
                self.tx_queue.pop_front();
                self.tx_index = 0;
            }
        }
        if self.rx_ready && self.model.m_axis_tvalid() != 0 {
            self.rx_current.push(self.model.m_axis_tdata() as u8);
            if self.model.m_axis_tlast() != 0 {
                self.received_at.push(self.step / 2);
                self.received
                    .push_back(std::mem::take(&mut self.rx_current));
            }
        }
        self.model.set_clock(1);
        self.model.eval();
    }

    fn falling_core_edge(&mut self, k: u64) {
        let half = self.config.speed.half_period_steps();
        let phase = k % (2 * half);
        self.model.set_clock(0);
        let tx_rise = phase == 1;
        let rx_rise = phase == 3;
        if tx_rise {
            self.sample_tx();
            self.model.set_mii_tx_clk(1);
        } else if phase == 1 + half {
            self.model.set_mii_tx_clk(0);
        }
        if rx_rise {
            self.model.set_mii_rx_clk(1);
        } else if phase == 3 + half {
            self.model.set_mii_rx_clk(0);
        }
        self.drive_streams();
        self.model.eval();
        if rx_rise {
            // The MAC sampled the previous nibble at this edge; present the next.
            let n = self.phy.next_rx_nibble();
            self.model.set_mii_rxd(n.data as u64);
            self.model.set_mii_rx_dv(n.valid as u64);
            self.model.set_mii_rx_er(n.error as u64);
        }
    }

    fn sample_tx(&mut self) {
        let nibble = Nibble {
            data: self.model.mii_txd() as u8,
            valid: self.model.mii_tx_en() != 0,
            error: false,
        };
        self.phy.sample_tx(nibble);
    }

    fn drive_streams(&mut self) {
        if !self.tx_valid {
            if let Some(frame) = self.tx_queue.front() {
                if !self.rng.random_bool(self.config.tx_idle) {
                    self.tx_valid = true;
                    self.model.set_s_axis_tdata(frame[self.tx_index] as u64);
                    self.model
                        .set_s_axis_tlast((self.tx_index + 1 == frame.len()) as u64);
                }
            }
        }
        self.model.set_s_axis_tvalid(self.tx_valid as u64);
        self.rx_ready = !self.rng.random_bool(self.config.rx_backpressure);
        self.model.set_m_axis_tready(self.rx_ready as u64);
    }
}
