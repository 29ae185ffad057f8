//! `axil_csr` in Verilator (SPEC F7): the register map of `synack_abi::regs`,
//! reads without side effects, idempotent writes, byte strobes, RO and
//! unmapped offsets.
use synack_abi::regs;
use synack_sim::axil_master::{Access, AxilIn, AxilMaster};
use synack_sim::model::AxilCsr;

struct Bench {
    model: AxilCsr,
    master: AxilMaster,
    /// What the statistics bank holds: served on `stat_data` for `stat_addr`.
    stats: [u32; 16],
}

impl Bench {
    fn new() -> Self {
        let mut model = AxilCsr::new();
        model.set_clock(0);
        model.eval();
        Self {
            model,
            master: AxilMaster::default(),
            stats: [0; 16],
        }
    }

    fn cycle(&mut self) {
        let out = self.master.drive();
        let m = &mut self.model;
        m.set_clock(0);
        m.set_s_axil_awvalid(out.awvalid as u64);
        m.set_s_axil_awaddr(out.awaddr as u64);
        m.set_s_axil_wvalid(out.wvalid as u64);
        m.set_s_axil_wdata(out.wdata as u64);
        m.set_s_axil_wstrb(out.wstrb as u64);
        m.set_s_axil_bready(out.bready as u64);
        m.set_s_axil_arvalid(out.arvalid as u64);
        m.set_s_axil_araddr(out.araddr as u64);
        m.set_s_axil_rready(out.rready as u64);
        m.eval();
        // The bank's read port is combinational: answer the address, settle again.
        m.set_stat_data(self.stats[m.stat_addr() as usize] as u64);
        m.eval();
        let slave = AxilIn {
            awready: m.s_axil_awready() != 0,
            wready: m.s_axil_wready() != 0,
            bvalid: m.s_axil_bvalid() != 0,
            bresp: m.s_axil_bresp() as u8,
            arready: m.s_axil_arready() != 0,
            rvalid: m.s_axil_rvalid() != 0,
            rdata: m.s_axil_rdata() as u32,
            rresp: m.s_axil_rresp() as u8,
        };
        self.master.clock(&out, &slave);
        m.set_clock(1);
        m.eval();
    }

    fn settle(&mut self) {
        for _ in 0..200 {
            if self.master.is_idle() {
                return;
            }
            self.cycle();
        }
        panic!("AXI4-Lite access did not finish");
    }

    fn write(&mut self, addr: u32, data: u32) {
        self.master.write(addr, data);
        self.settle();
        let done = self.master.take_completed();
        assert_eq!(done[0].resp, 0, "write to {addr:#x}");
    }

    fn read(&mut self, addr: u32) -> u32 {
        self.master.read(addr);
        self.settle();
        let done = self.master.take_completed();
        assert_eq!(done[0].access, Access::Read { addr });
        assert_eq!(done[0].resp, 0, "read of {addr:#x}");
        done[0].data
    }
}

/// Every RW register with its width in bits.
const RW: [(u32, u32); 13] = [
    (regs::CONTROL, 3),
    (regs::TX_RING_BASE_LO, 32),
    (regs::TX_RING_LOG2, 4),
    (regs::TX_PRODUCER, 32),
    (regs::TX_CPL_BASE_LO, 32),
    (regs::TX_CPL_HEAD, 32),
    (regs::RX_RING_BASE_LO, 32),
    (regs::RX_RING_LOG2, 4),
    (regs::RX_PRODUCER, 32),
    (regs::RX_CPL_BASE_LO, 32),
    (regs::RX_CPL_HEAD, 32),
    (regs::IRQ_COALESCE_COUNT, 16),
    (regs::IRQ_COALESCE_USECS, 16),
];

/// The high halves of addresses: read 0 on this 32-bit DMA bus.
const HIGH_HALVES: [u32; 4] = [
    regs::TX_RING_BASE_HI,
    regs::TX_CPL_BASE_HI,
    regs::RX_RING_BASE_HI,
    regs::RX_CPL_BASE_HI,
];

fn width_mask(bits: u32) -> u32 {
    if bits == 32 {
        u32::MAX
    } else {
        (1 << bits) - 1
    }
}

#[test]
fn id_and_version_read_as_the_abi_says() {
    let mut b = Bench::new();
    assert_eq!(b.read(regs::ID), synack_abi::DEVICE_ID);
    assert_eq!(b.read(regs::VERSION), synack_abi::VERSION);
}

#[test]
fn every_rw_register_reads_back_what_was_written_and_only_it_changes() {
    let mut b = Bench::new();
    let value = |i: usize| 0xA500_0000 | (i as u32) << 8 | 0x5A;
    for (i, &(addr, _)) in RW.iter().enumerate() {
        b.write(addr, value(i));
    }
    for (i, &(addr, bits)) in RW.iter().enumerate() {
        assert_eq!(
            b.read(addr),
            value(i) & width_mask(bits),
            "register {addr:#x}"
        );
    }
    assert_eq!(b.model.reg_tx_producer(), value(3) as u64);
    assert_eq!(
        b.model.reg_irq_coalesce_usecs(),
        (value(12) & 0xFFFF) as u64
    );
    for addr in HIGH_HALVES {
        b.write(addr, 0x1234_5678);
        assert_eq!(b.read(addr), 0, "high half {addr:#x}");
    }
}

#[test]
fn reads_have_no_side_effects_and_writes_are_idempotent() {
    let mut b = Bench::new();
    b.write(regs::TX_PRODUCER, 7);
    let first = b.read(regs::TX_PRODUCER);
    for _ in 0..5 {
        assert_eq!(b.read(regs::TX_PRODUCER), first);
    }
    b.write(regs::TX_PRODUCER, 7);
    b.write(regs::TX_PRODUCER, 7);
    assert_eq!(b.read(regs::TX_PRODUCER), 7);
    assert_eq!(b.model.reg_tx_producer(), 7);
}

#[test]
fn byte_strobes_write_only_their_bytes() {
    let mut b = Bench::new();
    b.write(regs::TX_RING_BASE_LO, 0x1122_3344);
    b.master
        .write_strobed(regs::TX_RING_BASE_LO, 0xAABB_CCDD, 0b1010);
    b.settle();
    b.master.take_completed();
    assert_eq!(b.read(regs::TX_RING_BASE_LO), 0xAA22_CC44);
}

#[test]
fn ro_registers_show_their_inputs_and_ignore_writes() {
    let mut b = Bench::new();
    b.model.set_tx_consumer(41);
    b.model.set_rx_consumer(42);
    b.model.set_status(3);
    b.model.set_irq_status(1);
    b.stats[0] = 1000;
    b.stats[13] = 1013;
    b.stats[14] = 1014;
    b.write(regs::TX_CONSUMER, 0xFFFF);
    assert_eq!(b.read(regs::TX_CONSUMER), 41);
    assert_eq!(b.read(regs::RX_CONSUMER), 42);
    assert_eq!(b.read(regs::STATUS), 3);
    assert_eq!(b.read(regs::IRQ_STATUS), 1);
    assert_eq!(b.read(regs::stat_offset(0)), 1000);
    assert_eq!(b.read(regs::stat_offset(13)), 1013);
    // Past the last counter is unmapped, whatever the bank's spare words hold.
    assert_eq!(b.read(regs::stat_offset(14)), 0);
}

#[test]
fn unmapped_offsets_read_zero_and_writes_to_them_change_nothing() {
    let mut b = Bench::new();
    for &(addr, _) in &RW {
        b.write(addr, 0x1234_5678);
    }
    b.write(0x0F0, 0xDEAD_BEEF);
    b.write(0x3FC, 0xDEAD_BEEF);
    assert_eq!(b.read(0x0F0), 0);
    assert_eq!(b.read(0x3FC), 0);
    for &(addr, bits) in &RW {
        assert_eq!(b.read(addr), 0x1234_5678 & width_mask(bits));
    }
}
