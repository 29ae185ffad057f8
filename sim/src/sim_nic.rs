//! A co-simulated NIC as a driver sees it (SPEC S1, D1): the `NicCore` model
//! with its DMA served from shared memory and its register window mirrored
//! into a shared page.
//!
//! [`SimNic::new`] returns the two mappings a driver needs, exactly as a
//! hardware NIC's BAR and DMA memory would be handed over. DMA needs no
//! help: the AXI4 memory model serves the fabric from the same pages the
//! driver writes. Registers are mirrored, which DESIGN "The boundary" makes
//! sound (no read side effects, idempotent writes):
//! - after the host ran ([`SimNic::sync_registers`]), every writable register
//!   whose page value differs from what the fabric holds is written over
//!   AXI4-Lite, in `synack_abi::regs::WRITABLE` order (CONTROL last); then the
//!   status registers, statistics and the registers just written are read
//!   back over AXI4-Lite into the page;
//! - the host is only run again once those accesses have finished
//!   ([`SimNic::registers_synced`]), so what it reads is what the fabric held
//!   at most a register access ago.
//!
//! Limit: writes are applied in a fixed order once per host run, not in the
//! order the driver made them; a register written twice in one run takes
//! only its last value. The driver in `synack-host` never relies on either.
use std::io;

use memmap2::MmapMut;
use synack_abi::regs;

use crate::axi_memory::{AxiMemory, AxiMemoryConfig};
use crate::axil_master::Access;
use crate::shared_memory::SharedMemory;
use crate::testbench::nic::{Fidelity, NicBench, StopWhen};

const WORDS: usize = (regs::WINDOW_SIZE / 4) as usize;

/// The mappings a driver takes.
pub struct HostMappings {
    /// The register window (4 KiB).
    pub registers: MmapMut,
    /// DMA memory, seen by the fabric from bus address [`HostMappings::dma_bus_base`].
    pub dma: MmapMut,
    pub dma_bus_base: u32,
}

/// A NicCore model, its memory and its mirrored register page.
pub struct SimNic {
    bench: NicBench,
    page: MmapMut,
    /// What the fabric holds, as far as the mirror knows, per 32-bit word.
    fabric: Box<[u32; WORDS]>,
    register_errors: u64,
}

impl SimNic {
    /// A NIC with `dma_bytes` of DMA memory at bus address 0. Its registers
    /// are read once before this returns, so a driver finds ID and VERSION.
    pub fn new(
        dma_bytes: usize,
        memory: AxiMemoryConfig,
        fidelity: Fidelity,
    ) -> io::Result<(Self, HostMappings)> {
        let dma = SharedMemory::new(dma_bytes)?;
        let page = SharedMemory::new(regs::WINDOW_SIZE as usize)?;
        let mem = AxiMemory::with_region(dma.map()?, memory);
        let mut nic = Self {
            bench: NicBench::with_fidelity(mem, false, fidelity),
            page: page.map()?,
            fabric: Box::new([0; WORDS]),
            register_errors: 0,
        };
        let stats = (0..regs::stat::COUNT).map(regs::stat_offset);
        for reg in regs::READ_ONLY
            .into_iter()
            .chain(regs::WRITABLE)
            .chain(stats)
        {
            nic.bench.axil.read(reg);
        }
        while !nic.registers_synced() {
            nic.bench.run(16);
            nic.collect_register_reads();
        }
        let host = HostMappings {
            registers: page.map()?,
            dma: dma.map()?,
            dma_bus_base: 0,
        };
        Ok((nic, host))
    }

    pub fn bench(&self) -> &NicBench {
        &self.bench
    }

    pub fn bench_mut(&mut self) -> &mut NicBench {
        &mut self.bench
    }

    /// The interrupt line.
    pub fn irq(&self) -> bool {
        self.bench.irq()
    }

    /// Register accesses that got an error response (none expected).
    pub fn register_errors(&self) -> u64 {
        self.register_errors
    }

    /// Every register access the mirror queued has finished.
    pub fn registers_synced(&self) -> bool {
        self.bench.axil.is_idle()
    }

    /// After the host ran: writes what it changed, then refreshes the page.
    pub fn sync_registers(&mut self) {
        let mut written = Vec::new();
        for &reg in regs::WRITABLE.iter() {
            let i = (reg / 4) as usize;
            let value = self.page_word(i);
            if value != self.fabric[i] {
                self.bench.axil.write(reg, value);
                self.fabric[i] = value;
                written.push(reg);
            }
        }
        self.queue_status_reads();
        for reg in written {
            self.bench.axil.read(reg);
        }
    }

    /// Moves finished register reads into the page; call after clocking.
    /// Clocks the model `cycles` core cycles, then takes the register
    /// reads that completed into the mirrored page.
    pub fn run(&mut self, cycles: u64) {
        self.bench.run(cycles);
        self.collect_register_reads();
    }

    /// Like [`Self::run`], ending early when `stop` holds
    /// ([`NicBench::run_until_stop`]); returns the cycles run.
    pub fn run_until_stop(&mut self, cycles: u64, stop: StopWhen) -> u64 {
        let ran = self.bench.run_until_stop(cycles, stop);
        self.collect_register_reads();
        ran
    }

    pub fn collect_register_reads(&mut self) {
        for done in self.bench.axil.take_completed() {
            if done.resp != 0 {
                self.register_errors += 1;
            }
            if let Access::Read { addr } = done.access {
                let i = (addr / 4) as usize;
                self.fabric[i] = done.data;
                self.set_page_word(i, done.data);
            }
        }
    }

    fn queue_status_reads(&mut self) {
        for reg in [
            regs::STATUS,
            regs::TX_CONSUMER,
            regs::RX_CONSUMER,
            regs::IRQ_STATUS,
        ] {
            self.bench.axil.read(reg);
        }
        for index in 0..regs::stat::COUNT {
            self.bench.axil.read(regs::stat_offset(index));
        }
    }

    fn page_word(&self, i: usize) -> u32 {
        u32::from_le_bytes(self.page[4 * i..4 * i + 4].try_into().expect("4 bytes"))
    }

    fn set_page_word(&mut self, i: usize, value: u32) {
        self.page[4 * i..4 * i + 4].copy_from_slice(&value.to_le_bytes());
    }
}
