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
use crate::mii::{MiiPhy, Nibble, WireFrame};
use crate::model::NicCore;
use synack_abi::regs;
use synack_abi::ring::{RxCompletion, RxDesc, TxCompletion, TxDesc};

/// Nanoseconds per simulation step (half a core clock).
pub const STEP_NS: u64 = 5;
/// Steps per half period of the MII clocks at 100 Mb/s.
const MII_HALF: u64 = 4;

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

pub struct NicBench {
    pub model: NicCore,
    pub mem: AxiMemory,
    pub axil: AxilMaster,
    step: u64,
    phy: MiiPhy,
    axil_out: crate::axil_master::AxilOut,
    slave: AxiSlave,
    /// Every input port as last driven, and every output as of the last
    /// eval (`NicCore::IN_*` / `OUT_*`): one FFI call per half cycle.
    inputs: [u64; NicCore::INPUTS],
    outputs: [u64; NicCore::OUTPUTS],
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
        let mut model = NicCore::new();
        let inputs = [0; NicCore::INPUTS];
        let mut outputs = [0; NicCore::OUTPUTS];
        model.eval_io(&inputs, &mut outputs);
        Self {
            model,
            inputs,
            outputs,
            mem,
            axil: AxilMaster::default(),
            step: 0,
            phy: MiiPhy::new(loopback),
            axil_out: Default::default(),
            slave: Default::default(),
            #[cfg(feature = "trace")]
            vcd_until: 0,
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
        self.step += ns / STEP_NS / period * period;
    }

    /// Something is moving: a frame on MII (either way) or a DMA burst in
    /// flight. (Register accesses are not counted: reading status is not work.)
    pub fn is_active(&self) -> bool {
        self.phy.is_busy() || !self.mem.is_idle()
    }

    /// Frames on the wire not yet taken.
    pub fn wire_frame_count(&self) -> usize {
        self.phy.wire_frame_count()
    }

    /// Runs until `count` frames have been on the wire (not yet taken) and
    /// the transmitter is idle again, or `max` cycles pass.
    pub fn run_until_wire_frames(&mut self, count: usize, max: u64) -> bool {
        self.run_until(max, |b| {
            b.phy.wire_frame_count() >= count && !b.phy.in_tx_frame()
        })
    }

    /// Frames the NIC put on the wire so far; takes them.
    pub fn take_wire_frames(&mut self) -> Vec<WireFrame> {
        self.phy.take_wire_frames()
    }

    /// Puts a frame's nibbles on the receive side of MII.
    pub fn inject_rx(&mut self, nibbles: &[Nibble]) {
        self.phy.inject_rx(nibbles);
    }

    pub fn irq(&self) -> bool {
        self.outputs[NicCore::OUT_IRQ] != 0
    }

    /// Runs `cycles` core cycles.
    pub fn run(&mut self, cycles: u64) {
        for _ in 0..cycles {
            self.falling_edge();
            #[cfg(feature = "trace")]
            self.dump();
            self.rising_edge();
            #[cfg(feature = "trace")]
            self.dump();
        }
    }

    /// Starts a VCD waveform of every signal, at simulated time, for the
    /// next `duration_ns`.
    #[cfg(feature = "trace")]
    pub fn dump_vcd(&mut self, path: &std::path::Path, duration_ns: u64) -> std::io::Result<()> {
        self.model.trace_open(path)?;
        self.vcd_until = self.sim_time_ns() + duration_ns;
        Ok(())
    }

    #[cfg(feature = "trace")]
    fn dump(&mut self) {
        if self.vcd_until == 0 {
            return;
        }
        if self.sim_time_ns() >= self.vcd_until {
            self.model.trace_close();
            self.vcd_until = 0;
            return;
        }
        // Verilator writes VCD times in picoseconds.
        self.model.set_time(self.step * STEP_NS * 1000);
        self.model.trace_dump();
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
        let phase = k % (2 * MII_HALF);
        // k is even here; the MII clocks change on these steps only.
        let i = &mut self.inputs;
        i[NicCore::IN_CLOCK] = 0;
        let tx_rise = phase == 2;
        let rx_rise = phase == 6;
        if tx_rise {
            // The MAC's outputs as of the last edge.
            let o = &self.outputs;
            let nibble = Nibble {
                data: o[NicCore::OUT_MII_TXD] as u8,
                valid: o[NicCore::OUT_MII_TX_EN] != 0,
                error: false,
            };
            self.phy.sample_tx(nibble);
            i[NicCore::IN_MII_TX_CLK] = 1;
        } else if phase == 2 + MII_HALF {
            i[NicCore::IN_MII_TX_CLK] = 0;
        }
        if rx_rise {
            i[NicCore::IN_MII_RX_CLK] = 1;
        } else if phase == (6 + MII_HALF) % (2 * MII_HALF) {
            i[NicCore::IN_MII_RX_CLK] = 0;
        }
        self.slave = self.mem.drive();
        let s = self.slave;
        i[NicCore::IN_M_AXI_ARREADY] = s.arready as u64;
        i[NicCore::IN_M_AXI_RVALID] = s.rvalid as u64;
        i[NicCore::IN_M_AXI_RID] = s.rid as u64;
        i[NicCore::IN_M_AXI_RDATA] = s.rdata as u64;
        i[NicCore::IN_M_AXI_RRESP] = s.rresp as u64;
        i[NicCore::IN_M_AXI_RLAST] = s.rlast as u64;
        i[NicCore::IN_M_AXI_AWREADY] = s.awready as u64;
        i[NicCore::IN_M_AXI_WREADY] = s.wready as u64;
        i[NicCore::IN_M_AXI_BVALID] = s.bvalid as u64;
        i[NicCore::IN_M_AXI_BRESP] = s.bresp as u64;
        self.axil_out = self.axil.drive();
        let a = self.axil_out;
        i[NicCore::IN_S_AXIL_AWVALID] = a.awvalid as u64;
        i[NicCore::IN_S_AXIL_AWADDR] = a.awaddr as u64;
        i[NicCore::IN_S_AXIL_WVALID] = a.wvalid as u64;
        i[NicCore::IN_S_AXIL_WDATA] = a.wdata as u64;
        i[NicCore::IN_S_AXIL_WSTRB] = a.wstrb as u64;
        i[NicCore::IN_S_AXIL_BREADY] = a.bready as u64;
        i[NicCore::IN_S_AXIL_ARVALID] = a.arvalid as u64;
        i[NicCore::IN_S_AXIL_ARADDR] = a.araddr as u64;
        i[NicCore::IN_S_AXIL_RREADY] = a.rready as u64;
        self.model.eval_io(&self.inputs, &mut self.outputs);
        if rx_rise {
            // Changes after rx_clk's edge: the rising edge's eval applies it.
            let n = self.phy.next_rx_nibble();
            let i = &mut self.inputs;
            i[NicCore::IN_MII_RXD] = n.data as u64;
            i[NicCore::IN_MII_RX_DV] = n.valid as u64;
            i[NicCore::IN_MII_RX_ER] = n.error as u64;
        }
    }

    fn rising_edge(&mut self) {
        self.step += 1;
        let o = &self.outputs;
        let master = AxiMaster {
            arvalid: o[NicCore::OUT_M_AXI_ARVALID] != 0,
            arid: o[NicCore::OUT_M_AXI_ARID] as u8,
            araddr: o[NicCore::OUT_M_AXI_ARADDR] as u32,
            arlen: o[NicCore::OUT_M_AXI_ARLEN] as u8,
            arsize: o[NicCore::OUT_M_AXI_ARSIZE] as u8,
            arburst: o[NicCore::OUT_M_AXI_ARBURST] as u8,
            rready: o[NicCore::OUT_M_AXI_RREADY] != 0,
            awvalid: o[NicCore::OUT_M_AXI_AWVALID] != 0,
            awaddr: o[NicCore::OUT_M_AXI_AWADDR] as u32,
            awlen: o[NicCore::OUT_M_AXI_AWLEN] as u8,
            awsize: o[NicCore::OUT_M_AXI_AWSIZE] as u8,
            awburst: o[NicCore::OUT_M_AXI_AWBURST] as u8,
            wvalid: o[NicCore::OUT_M_AXI_WVALID] != 0,
            wdata: o[NicCore::OUT_M_AXI_WDATA] as u32,
            wstrb: o[NicCore::OUT_M_AXI_WSTRB] as u8,
            wlast: o[NicCore::OUT_M_AXI_WLAST] != 0,
            bready: o[NicCore::OUT_M_AXI_BREADY] != 0,
        };
        let axil_in = AxilIn {
            awready: o[NicCore::OUT_S_AXIL_AWREADY] != 0,
            wready: o[NicCore::OUT_S_AXIL_WREADY] != 0,
            bvalid: o[NicCore::OUT_S_AXIL_BVALID] != 0,
            bresp: o[NicCore::OUT_S_AXIL_BRESP] as u8,
            arready: o[NicCore::OUT_S_AXIL_ARREADY] != 0,
            rvalid: o[NicCore::OUT_S_AXIL_RVALID] != 0,
            rdata: o[NicCore::OUT_S_AXIL_RDATA] as u32,
            rresp: o[NicCore::OUT_S_AXIL_RRESP] as u8,
        };
        self.mem.clock(&master, &self.slave);
        self.axil.clock(&self.axil_out, &axil_in);
        self.inputs[NicCore::IN_CLOCK] = 1;
        self.model.eval_io(&self.inputs, &mut self.outputs);
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
