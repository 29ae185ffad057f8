//! `axil_csr`: the register window as an AXI4-Lite slave (SPEC F7), laid out
//! as `synack_abi::regs` says.
//!
//! Inputs: the AXI4-Lite slave channels (`s_axil`, 12-bit byte addresses,
//! 32-bit data, byte strobes), the status values shown by RO registers, and
//! the statistics bank's read port (`stat_addr` → `stat_data`, combinational,
//! as `stat_bank` gives it). Outputs: the value of every RW register, in its
//! stated width: each ring's four (`tx_ring`, `rx_ring`, `bus::ring`; ports
//! `reg_tx_*`/`reg_rx_*` as a top) and the rest as `reg_*`.
//!
//! Invariants: a read never changes anything (no read side effects); a write
//! stores its value and nothing else, so writing the same value twice is the
//! same as once (doorbells are indices). Each RW register keeps only its
//! meaningful bits (`synack_abi::regs` gives the widths); the rest read 0.
//! Writes to RO or unmapped offsets are ignored; reads of unmapped offsets,
//! and of the high halves of addresses on this 32-bit bus, return 0. Both
//! answer OKAY. One transaction of each kind at a time; a write needs AW and
//! W together.
//!
//! How, with few LUTs:
//! - Each RW register is a `DffByteEn`: the write strobes are its byte-lane
//!   enables and `wdata` its input, so a write needs no read-modify-write
//!   merge.
//! - Reads of the register page (words 0..31) come from `mirror`, four
//!   byte-wide LUTRAMs holding a copy of every RW register, written in the
//!   same cycle as the register with the same lanes and masked to the
//!   register's width. It starts with `ID` and `VERSION` in words 0 and 1 and
//!   zero elsewhere, and only RW words are ever written, so RO constants,
//!   high halves and unmapped words read from it as they must. The four live
//!   RO words (status, the consumers, the interrupt) replace it. So the read
//!   multiplexer has five inputs, not forty-one.
//! - Statistics (words 64..77) come from the bank's read port.
//! - The read value is taken into `rdata` (a `DffEn`) at the address
//!   handshake.
//!
//! A register appears in four places, kept in step: the ports, the write
//! decode, the mirror's lane masks (`lane_*`, `narrow*`) and the outputs.
use crate::bus::axil::AxilSlave;
use crate::bus::ring::RingConfigMaster;
use crate::prim::dff_en::{DffByteEn, DffEn};
use crate::prim::lut_ram::LutRam;
use rust_hdl::prelude::*;
use std::collections::BTreeMap;
use synack_abi::{DEVICE_ID, VERSION, regs};

// Word indices written as literals in `update` (hdl_gen takes no named
// constants in match arms).
const _: () = {
    assert!(regs::CONTROL == 2 * 4 && regs::STATUS == 3 * 4);
    assert!(regs::TX_RING_BASE_LO == 4 * 4 && regs::TX_RING_LOG2 == 6 * 4);
    assert!(regs::TX_PRODUCER == 7 * 4 && regs::TX_CONSUMER == 8 * 4);
    assert!(regs::TX_CPL_BASE_LO == 9 * 4 && regs::TX_CPL_HEAD == 11 * 4);
    assert!(regs::RX_RING_BASE_LO == 12 * 4 && regs::RX_RING_LOG2 == 14 * 4);
    assert!(regs::RX_PRODUCER == 15 * 4 && regs::RX_CONSUMER == 16 * 4);
    assert!(regs::RX_CPL_BASE_LO == 17 * 4 && regs::RX_CPL_HEAD == 19 * 4);
    assert!(regs::IRQ_COALESCE_COUNT == 20 * 4 && regs::IRQ_COALESCE_USECS == 21 * 4);
    assert!(regs::IRQ_STATUS == 22 * 4 && regs::STATS_BASE == 64 * 4);
    assert!(regs::stat::COUNT == 14);
};

/// One byte lane of the register page's read copy.
type MirrorLane = LutRam<Bits<8>, 5>;

/// Lane `lane` of the mirror, holding its byte of `ID` and `VERSION`.
fn mirror_lane(lane: u32) -> MirrorLane {
    let byte = |word: u32| (((word >> (8 * lane)) & 0xFF) as u64).to_bits();
    let mut init = BTreeMap::new();
    init.insert((regs::ID / 4) as usize, byte(DEVICE_ID));
    init.insert((regs::VERSION / 4) as usize, byte(VERSION));
    MirrorLane::with_one_read_port(init)
}

#[derive(LogicBlock)]
pub struct AxilCsr {
    pub clock: Signal<In, Clock>,
    pub s_axil: AxilSlave,
    pub status: Signal<In, Bits<3>>,
    pub tx_consumer: Signal<In, Bits<32>>,
    pub rx_consumer: Signal<In, Bits<32>>,
    pub irq_status: Signal<In, Bit>,
    pub stat_addr: Signal<Out, Bits<4>>,
    pub stat_data: Signal<In, Bits<32>>,
    pub reg_control: Signal<Out, Bits<3>>,
    pub tx_ring: RingConfigMaster,
    pub reg_tx_cpl_head: Signal<Out, Bits<32>>,
    pub rx_ring: RingConfigMaster,
    pub reg_rx_cpl_head: Signal<Out, Bits<32>>,
    pub reg_irq_coalesce_count: Signal<Out, Bits<16>>,
    pub reg_irq_coalesce_usecs: Signal<Out, Bits<16>>,
    r_control: DffByteEn<3>,
    r_tx_ring_base_lo: DffByteEn<32>,
    r_tx_ring_log2: DffByteEn<4>,
    r_tx_producer: DffByteEn<32>,
    r_tx_cpl_base_lo: DffByteEn<32>,
    r_tx_cpl_head: DffByteEn<32>,
    r_rx_ring_base_lo: DffByteEn<32>,
    r_rx_ring_log2: DffByteEn<4>,
    r_rx_producer: DffByteEn<32>,
    r_rx_cpl_base_lo: DffByteEn<32>,
    r_rx_cpl_head: DffByteEn<32>,
    r_irq_coalesce_count: DffByteEn<16>,
    r_irq_coalesce_usecs: DffByteEn<16>,
    mirror0: MirrorLane,
    mirror1: MirrorLane,
    mirror2: MirrorLane,
    mirror3: MirrorLane,
    bvalid: DFF<Bit>,
    rvalid: DFF<Bit>,
    rdata: DffEn<Bits<32>>,
    write_fire: Signal<Local, Bit>,
    read_fire: Signal<Local, Bit>,
    write_lanes: Signal<Local, Bits<4>>,
    write_word: Signal<Local, Bits<5>>,
    read_word: Signal<Local, Bits<5>>,
    lane_rw: Signal<Local, Bit>,
    lane_wide16: Signal<Local, Bit>,
    lane_wide32: Signal<Local, Bit>,
    narrow4: Signal<Local, Bit>,
    narrow3: Signal<Local, Bit>,
    mirror_value: Signal<Local, Bits<32>>,
    read_value: Signal<Local, Bits<32>>,
}

impl Default for AxilCsr {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            s_axil: Default::default(),
            status: Default::default(),
            tx_consumer: Default::default(),
            rx_consumer: Default::default(),
            irq_status: Default::default(),
            stat_addr: Default::default(),
            stat_data: Default::default(),
            reg_control: Default::default(),
            tx_ring: Default::default(),
            reg_tx_cpl_head: Default::default(),
            rx_ring: Default::default(),
            reg_rx_cpl_head: Default::default(),
            reg_irq_coalesce_count: Default::default(),
            reg_irq_coalesce_usecs: Default::default(),
            r_control: Default::default(),
            r_tx_ring_base_lo: Default::default(),
            r_tx_ring_log2: Default::default(),
            r_tx_producer: Default::default(),
            r_tx_cpl_base_lo: Default::default(),
            r_tx_cpl_head: Default::default(),
            r_rx_ring_base_lo: Default::default(),
            r_rx_ring_log2: Default::default(),
            r_rx_producer: Default::default(),
            r_rx_cpl_base_lo: Default::default(),
            r_rx_cpl_head: Default::default(),
            r_irq_coalesce_count: Default::default(),
            r_irq_coalesce_usecs: Default::default(),
            mirror0: mirror_lane(0),
            mirror1: mirror_lane(1),
            mirror2: mirror_lane(2),
            mirror3: mirror_lane(3),
            bvalid: Default::default(),
            rvalid: Default::default(),
            rdata: Default::default(),
            write_fire: Default::default(),
            read_fire: Default::default(),
            write_lanes: Default::default(),
            write_word: Default::default(),
            read_word: Default::default(),
            lane_rw: Default::default(),
            lane_wide16: Default::default(),
            lane_wide32: Default::default(),
            narrow4: Default::default(),
            narrow3: Default::default(),
            mirror_value: Default::default(),
            read_value: Default::default(),
        }
    }
}

impl Logic for AxilCsr {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, bvalid, rvalid);
        clock!(
            self,
            clock,
            r_control,
            r_tx_ring_base_lo,
            r_tx_ring_log2,
            r_tx_producer,
            r_tx_cpl_base_lo,
            r_tx_cpl_head,
            r_rx_ring_base_lo,
            r_rx_ring_log2,
            r_rx_producer,
            r_rx_cpl_base_lo,
            r_rx_cpl_head,
            r_irq_coalesce_count,
            r_irq_coalesce_usecs,
            mirror0,
            mirror1,
            mirror2,
            mirror3,
            rdata
        );
        // Write: address and data together, one at a time. Each register's
        // byte lanes load `wdata` where the strobes say, when addressed.
        self.write_fire.next =
            self.s_axil.awvalid.val() & self.s_axil.wvalid.val() & !self.bvalid.q.val();
        self.s_axil.awready.next = self.write_fire.val();
        self.s_axil.wready.next = self.write_fire.val();
        self.s_axil.bvalid.next = self.bvalid.q.val();
        self.s_axil.bresp.next = 0.into();
        if self.bvalid.q.val() & self.s_axil.bready.val() {
            self.bvalid.d.next = false;
        }
        if self.write_fire.val() {
            self.bvalid.d.next = true;
        }
        self.write_lanes.next = 0.into();
        if self.write_fire.val() & !self.s_axil.awaddr.val().get_bits::<5>(7).any() {
            self.write_lanes.next = self.s_axil.wstrb.val();
        }
        self.write_word.next = self.s_axil.awaddr.val().get_bits::<5>(2);
        self.r_control.en.next = 0.into();
        self.r_tx_ring_base_lo.en.next = 0.into();
        self.r_tx_ring_log2.en.next = 0.into();
        self.r_tx_producer.en.next = 0.into();
        self.r_tx_cpl_base_lo.en.next = 0.into();
        self.r_tx_cpl_head.en.next = 0.into();
        self.r_rx_ring_base_lo.en.next = 0.into();
        self.r_rx_ring_log2.en.next = 0.into();
        self.r_rx_producer.en.next = 0.into();
        self.r_rx_cpl_base_lo.en.next = 0.into();
        self.r_rx_cpl_head.en.next = 0.into();
        self.r_irq_coalesce_count.en.next = 0.into();
        self.r_irq_coalesce_usecs.en.next = 0.into();
        self.r_control.d.next = self.s_axil.wdata.val().get_bits::<3>(0);
        self.r_tx_ring_base_lo.d.next = self.s_axil.wdata.val();
        self.r_tx_ring_log2.d.next = self.s_axil.wdata.val().get_bits::<4>(0);
        self.r_tx_producer.d.next = self.s_axil.wdata.val();
        self.r_tx_cpl_base_lo.d.next = self.s_axil.wdata.val();
        self.r_tx_cpl_head.d.next = self.s_axil.wdata.val();
        self.r_rx_ring_base_lo.d.next = self.s_axil.wdata.val();
        self.r_rx_ring_log2.d.next = self.s_axil.wdata.val().get_bits::<4>(0);
        self.r_rx_producer.d.next = self.s_axil.wdata.val();
        self.r_rx_cpl_base_lo.d.next = self.s_axil.wdata.val();
        self.r_rx_cpl_head.d.next = self.s_axil.wdata.val();
        self.r_irq_coalesce_count.d.next = self.s_axil.wdata.val().get_bits::<16>(0);
        self.r_irq_coalesce_usecs.d.next = self.s_axil.wdata.val().get_bits::<16>(0);
        match self.write_word.val().index() {
            2 => self.r_control.en.next = self.write_lanes.val(),
            4 => self.r_tx_ring_base_lo.en.next = self.write_lanes.val(),
            6 => self.r_tx_ring_log2.en.next = self.write_lanes.val(),
            7 => self.r_tx_producer.en.next = self.write_lanes.val(),
            9 => self.r_tx_cpl_base_lo.en.next = self.write_lanes.val(),
            11 => self.r_tx_cpl_head.en.next = self.write_lanes.val(),
            12 => self.r_rx_ring_base_lo.en.next = self.write_lanes.val(),
            14 => self.r_rx_ring_log2.en.next = self.write_lanes.val(),
            15 => self.r_rx_producer.en.next = self.write_lanes.val(),
            17 => self.r_rx_cpl_base_lo.en.next = self.write_lanes.val(),
            19 => self.r_rx_cpl_head.en.next = self.write_lanes.val(),
            20 => self.r_irq_coalesce_count.en.next = self.write_lanes.val(),
            21 => self.r_irq_coalesce_usecs.en.next = self.write_lanes.val(),
            _ => {}
        }
        // The mirror: which lanes of the addressed word are register bits.
        self.lane_rw.next = false;
        self.lane_wide16.next = false;
        self.lane_wide32.next = false;
        self.narrow4.next = false;
        self.narrow3.next = false;
        match self.write_word.val().index() {
            // CONTROL (3 bits)
            2 => {
                self.lane_rw.next = true;
                self.narrow4.next = true;
                self.narrow3.next = true;
            }
            // TX_RING_LOG2, RX_RING_LOG2 (4 bits)
            6 => {
                self.lane_rw.next = true;
                self.narrow4.next = true;
            }
            14 => {
                self.lane_rw.next = true;
                self.narrow4.next = true;
            }
            // IRQ_COALESCE_COUNT, IRQ_COALESCE_USECS (16 bits)
            20 => {
                self.lane_rw.next = true;
                self.lane_wide16.next = true;
            }
            21 => {
                self.lane_rw.next = true;
                self.lane_wide16.next = true;
            }
            // The 32-bit registers.
            4 => {
                self.lane_rw.next = true;
                self.lane_wide16.next = true;
                self.lane_wide32.next = true;
            }
            7 => {
                self.lane_rw.next = true;
                self.lane_wide16.next = true;
                self.lane_wide32.next = true;
            }
            9 => {
                self.lane_rw.next = true;
                self.lane_wide16.next = true;
                self.lane_wide32.next = true;
            }
            11 => {
                self.lane_rw.next = true;
                self.lane_wide16.next = true;
                self.lane_wide32.next = true;
            }
            12 => {
                self.lane_rw.next = true;
                self.lane_wide16.next = true;
                self.lane_wide32.next = true;
            }
            15 => {
                self.lane_rw.next = true;
                self.lane_wide16.next = true;
                self.lane_wide32.next = true;
            }
            17 => {
                self.lane_rw.next = true;
                self.lane_wide16.next = true;
                self.lane_wide32.next = true;
            }
            19 => {
                self.lane_rw.next = true;
                self.lane_wide16.next = true;
                self.lane_wide32.next = true;
            }
            _ => {}
        }
        self.mirror0.write_address.next = self.write_word.val();
        self.mirror1.write_address.next = self.write_word.val();
        self.mirror2.write_address.next = self.write_word.val();
        self.mirror3.write_address.next = self.write_word.val();
        self.mirror0.write_enable.next = self.write_lanes.val().get_bit(0) & self.lane_rw.val();
        self.mirror1.write_enable.next = self.write_lanes.val().get_bit(1) & self.lane_wide16.val();
        self.mirror2.write_enable.next = self.write_lanes.val().get_bit(2) & self.lane_wide32.val();
        self.mirror3.write_enable.next = self.write_lanes.val().get_bit(3) & self.lane_wide32.val();
        self.mirror0.write_data.next = self.s_axil.wdata.val().get_bits::<8>(0);
        if self.narrow4.val() {
            self.mirror0.write_data.next =
                bit_cast::<8, 4>(self.s_axil.wdata.val().get_bits::<4>(0));
        }
        if self.narrow3.val() {
            self.mirror0.write_data.next =
                bit_cast::<8, 3>(self.s_axil.wdata.val().get_bits::<3>(0));
        }
        self.mirror1.write_data.next = self.s_axil.wdata.val().get_bits::<8>(8);
        self.mirror2.write_data.next = self.s_axil.wdata.val().get_bits::<8>(16);
        self.mirror3.write_data.next = self.s_axil.wdata.val().get_bits::<8>(24);

        // Read: the value is latched at the address handshake.
        self.s_axil.arready.next = !self.rvalid.q.val();
        self.read_fire.next = self.s_axil.arvalid.val() & !self.rvalid.q.val();
        self.s_axil.rvalid.next = self.rvalid.q.val();
        self.s_axil.rdata.next = self.rdata.q.val();
        self.s_axil.rresp.next = 0.into();
        if self.rvalid.q.val() & self.s_axil.rready.val() {
            self.rvalid.d.next = false;
        }
        self.read_word.next = self.s_axil.araddr.val().get_bits::<5>(2);
        self.mirror0.read_address_a.next = self.read_word.val();
        self.mirror1.read_address_a.next = self.read_word.val();
        self.mirror2.read_address_a.next = self.read_word.val();
        self.mirror3.read_address_a.next = self.read_word.val();
        // Port B is not built (`with_one_read_port`); its address is tied off.
        self.mirror0.read_address_b.next = 0.into();
        self.mirror1.read_address_b.next = 0.into();
        self.mirror2.read_address_b.next = 0.into();
        self.mirror3.read_address_b.next = 0.into();
        self.mirror_value.next = bit_cast::<32, 8>(self.mirror0.read_data_a.val())
            | (bit_cast::<32, 8>(self.mirror1.read_data_a.val()) << 8)
            | (bit_cast::<32, 8>(self.mirror2.read_data_a.val()) << 16)
            | (bit_cast::<32, 8>(self.mirror3.read_data_a.val()) << 24);
        self.stat_addr.next = self.s_axil.araddr.val().get_bits::<4>(2);
        self.read_value.next = 0.into();
        if !self.s_axil.araddr.val().get_bits::<5>(7).any() {
            // The register page; the mirror holds zero at the live RO words.
            match self.read_word.val().index() {
                3 => self.read_value.next = bit_cast::<32, 3>(self.status.val()),
                8 => self.read_value.next = self.tx_consumer.val(),
                16 => self.read_value.next = self.rx_consumer.val(),
                22 => self.read_value.next = bit_cast::<32, 1>(self.irq_status.val().into()),
                _ => self.read_value.next = self.mirror_value.val(),
            }
        } else if (self.s_axil.araddr.val().get_bits::<6>(6) == 4)
            & (self.s_axil.araddr.val().get_bits::<3>(3) != 7)
        {
            // Statistics, words 64..77 (78 and 79 are unmapped).
            self.read_value.next = self.stat_data.val();
        }
        self.rdata.d.next = self.read_value.val();
        self.rdata.en.next = self.read_fire.val();
        if self.read_fire.val() {
            self.rvalid.d.next = true;
        }
        self.reg_control.next = self.r_control.q.val();
        self.tx_ring.ring_base_lo.next = self.r_tx_ring_base_lo.q.val();
        self.tx_ring.ring_log2.next = self.r_tx_ring_log2.q.val();
        self.tx_ring.producer.next = self.r_tx_producer.q.val();
        self.tx_ring.cpl_base_lo.next = self.r_tx_cpl_base_lo.q.val();
        self.reg_tx_cpl_head.next = self.r_tx_cpl_head.q.val();
        self.rx_ring.ring_base_lo.next = self.r_rx_ring_base_lo.q.val();
        self.rx_ring.ring_log2.next = self.r_rx_ring_log2.q.val();
        self.rx_ring.producer.next = self.r_rx_producer.q.val();
        self.rx_ring.cpl_base_lo.next = self.r_rx_cpl_base_lo.q.val();
        self.reg_rx_cpl_head.next = self.r_rx_cpl_head.q.val();
        self.reg_irq_coalesce_count.next = self.r_irq_coalesce_count.q.val();
        self.reg_irq_coalesce_usecs.next = self.r_irq_coalesce_usecs.q.val();
    }
}

/// The block's Verilog on its own, for its Verilator tests.
pub fn verilog() -> String {
    // The ring registers keep their `reg_*` names as ports.
    crate::emit::top_verilog(
        AxilCsr::default(),
        &[("tx_ring$", "reg_tx_"), ("rx_ring$", "reg_rx_")],
    )
}
