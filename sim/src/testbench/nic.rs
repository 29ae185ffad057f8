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
        model.set_clock(0);
        model.eval();
        Self {
            model,
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
        self.model.irq() != 0
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
        let m = &mut self.model;
        m.set_clock(0);
        let tx_rise = phase == 2;
        let rx_rise = phase == 6;
        if tx_rise {
            let nibble = Nibble {
                data: m.mii_txd() as u8,
                valid: m.mii_tx_en() != 0,
                error: false,
            };
            self.phy.sample_tx(nibble);
            m.set_mii_tx_clk(1);
        } else if phase == 2 + MII_HALF {
            m.set_mii_tx_clk(0);
        }
        if rx_rise {
            m.set_mii_rx_clk(1);
        } else if phase == (6 + MII_HALF) % (2 * MII_HALF) {
            m.set_mii_rx_clk(0);
        }
        self.slave = self.mem.drive();
        let s = self.slave;
        m.set_m_axi_arready(s.arready as u64);
        m.set_m_axi_rvalid(s.rvalid as u64);
        m.set_m_axi_rid(s.rid as u64);
        m.set_m_axi_rdata(s.rdata as u64);
        m.set_m_axi_rresp(s.rresp as u64);
        m.set_m_axi_rlast(s.rlast as u64);
        m.set_m_axi_awready(s.awready as u64);
        m.set_m_axi_wready(s.wready as u64);
        m.set_m_axi_bvalid(s.bvalid as u64);
        m.set_m_axi_bresp(s.bresp as u64);
        self.axil_out = self.axil.drive();
        let a = self.axil_out;
        m.set_s_axil_awvalid(a.awvalid as u64);
        m.set_s_axil_awaddr(a.awaddr as u64);
        m.set_s_axil_wvalid(a.wvalid as u64);
        m.set_s_axil_wdata(a.wdata as u64);
        m.set_s_axil_wstrb(a.wstrb as u64);
        m.set_s_axil_bready(a.bready as u64);
        m.set_s_axil_arvalid(a.arvalid as u64);
        m.set_s_axil_araddr(a.araddr as u64);
        m.set_s_axil_rready(a.rready as u64);
        m.eval();
        if rx_rise {
            let n = self.phy.next_rx_nibble();
            m.set_mii_rxd(n.data as u64);
            m.set_mii_rx_dv(n.valid as u64);
            m.set_mii_rx_er(n.error as u64);
        }
    }

    fn rising_edge(&mut self) {
        self.step += 1;
        let m = &mut self.model;
        let master = AxiMaster {
            arvalid: m.m_axi_arvalid() != 0,
            arid: m.m_axi_arid() as u8,
            araddr: m.m_axi_araddr() as u32,
            arlen: m.m_axi_arlen() as u8,
            arsize: m.m_axi_arsize() as u8,
            arburst: m.m_axi_arburst() as u8,
            rready: m.m_axi_rready() != 0,
            awvalid: m.m_axi_awvalid() != 0,
            awaddr: m.m_axi_awaddr() as u32,
            awlen: m.m_axi_awlen() as u8,
            awsize: m.m_axi_awsize() as u8,
            awburst: m.m_axi_awburst() as u8,
            wvalid: m.m_axi_wvalid() != 0,
            wdata: m.m_axi_wdata() as u32,
            wstrb: m.m_axi_wstrb() as u8,
            wlast: m.m_axi_wlast() != 0,
            bready: m.m_axi_bready() != 0,
        };
        let axil_in = AxilIn {
            awready: m.s_axil_awready() != 0,
            wready: m.s_axil_wready() != 0,
            bvalid: m.s_axil_bvalid() != 0,
            bresp: m.s_axil_bresp() as u8,
            arready: m.s_axil_arready() != 0,
            rvalid: m.s_axil_rvalid() != 0,
            rdata: m.s_axil_rdata() as u32,
            rresp: m.s_axil_rresp() as u8,
        };
        self.mem.clock(&master, &self.slave);
        self.axil.clock(&self.axil_out, &axil_in);
        m.set_clock(1);
        m.eval();
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
