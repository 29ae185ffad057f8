//! `axil_csr`: the register window as an AXI4-Lite slave (SPEC F7), laid out
//! as `synack_abi::regs` says.
//!
//! Inputs: the AXI4-Lite slave channels (`s_axil_*`, 12-bit byte addresses,
//! 32-bit data, byte strobes), the status values shown by RO registers, and
//! the statistics counters `stat_0..stat_13`. Outputs: the value of every RW
//! register (`reg_*`), zero-extended to 32 bits.
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
//! A register appears in three places, kept in step: the ports, the write
//! decode and the read mux.
use rust_hdl::prelude::*;
use synack_abi::{DEVICE_ID, VERSION};

#[derive(LogicBlock)]
pub struct AxilCsr {
    pub clock: Signal<In, Clock>,
    pub s_axil_awaddr: Signal<In, Bits<12>>,
    pub s_axil_awvalid: Signal<In, Bit>,
    pub s_axil_awready: Signal<Out, Bit>,
    pub s_axil_wdata: Signal<In, Bits<32>>,
    pub s_axil_wstrb: Signal<In, Bits<4>>,
    pub s_axil_wvalid: Signal<In, Bit>,
    pub s_axil_wready: Signal<Out, Bit>,
    pub s_axil_bresp: Signal<Out, Bits<2>>,
    pub s_axil_bvalid: Signal<Out, Bit>,
    pub s_axil_bready: Signal<In, Bit>,
    pub s_axil_araddr: Signal<In, Bits<12>>,
    pub s_axil_arvalid: Signal<In, Bit>,
    pub s_axil_arready: Signal<Out, Bit>,
    pub s_axil_rdata: Signal<Out, Bits<32>>,
    pub s_axil_rresp: Signal<Out, Bits<2>>,
    pub s_axil_rvalid: Signal<Out, Bit>,
    pub s_axil_rready: Signal<In, Bit>,
    pub status: Signal<In, Bits<32>>,
    pub tx_consumer: Signal<In, Bits<32>>,
    pub rx_consumer: Signal<In, Bits<32>>,
    pub irq_status: Signal<In, Bits<32>>,
    pub stat_0: Signal<In, Bits<32>>,
    pub stat_1: Signal<In, Bits<32>>,
    pub stat_2: Signal<In, Bits<32>>,
    pub stat_3: Signal<In, Bits<32>>,
    pub stat_4: Signal<In, Bits<32>>,
    pub stat_5: Signal<In, Bits<32>>,
    pub stat_6: Signal<In, Bits<32>>,
    pub stat_7: Signal<In, Bits<32>>,
    pub stat_8: Signal<In, Bits<32>>,
    pub stat_9: Signal<In, Bits<32>>,
    pub stat_10: Signal<In, Bits<32>>,
    pub stat_11: Signal<In, Bits<32>>,
    pub stat_12: Signal<In, Bits<32>>,
    pub stat_13: Signal<In, Bits<32>>,
    pub reg_control: Signal<Out, Bits<32>>,
    pub reg_tx_ring_base_lo: Signal<Out, Bits<32>>,
    pub reg_tx_ring_log2: Signal<Out, Bits<32>>,
    pub reg_tx_producer: Signal<Out, Bits<32>>,
    pub reg_tx_cpl_base_lo: Signal<Out, Bits<32>>,
    pub reg_tx_cpl_head: Signal<Out, Bits<32>>,
    pub reg_rx_ring_base_lo: Signal<Out, Bits<32>>,
    pub reg_rx_ring_log2: Signal<Out, Bits<32>>,
    pub reg_rx_producer: Signal<Out, Bits<32>>,
    pub reg_rx_cpl_base_lo: Signal<Out, Bits<32>>,
    pub reg_rx_cpl_head: Signal<Out, Bits<32>>,
    pub reg_irq_coalesce_count: Signal<Out, Bits<32>>,
    pub reg_irq_coalesce_usecs: Signal<Out, Bits<32>>,
    r_control: DFF<Bits<3>>,
    r_tx_ring_base_lo: DFF<Bits<32>>,
    r_tx_ring_log2: DFF<Bits<4>>,
    r_tx_producer: DFF<Bits<32>>,
    r_tx_cpl_base_lo: DFF<Bits<32>>,
    r_tx_cpl_head: DFF<Bits<32>>,
    r_rx_ring_base_lo: DFF<Bits<32>>,
    r_rx_ring_log2: DFF<Bits<4>>,
    r_rx_producer: DFF<Bits<32>>,
    r_rx_cpl_base_lo: DFF<Bits<32>>,
    r_rx_cpl_head: DFF<Bits<32>>,
    r_irq_coalesce_count: DFF<Bits<16>>,
    r_irq_coalesce_usecs: DFF<Bits<16>>,
    bvalid: DFF<Bit>,
    rvalid: DFF<Bit>,
    rdata: DFF<Bits<32>>,
    write_fire: Signal<Local, Bit>,
    read_fire: Signal<Local, Bit>,
    write_mask: Signal<Local, Bits<32>>,
    merged: Signal<Local, Bits<32>>,
    read_value: Signal<Local, Bits<32>>,
    device_id: Constant<Bits<32>>,
    version: Constant<Bits<32>>,
    top_byte: Constant<Bits<32>>,
}

impl Default for AxilCsr {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            s_axil_awaddr: Default::default(),
            s_axil_awvalid: Default::default(),
            s_axil_awready: Default::default(),
            s_axil_wdata: Default::default(),
            s_axil_wstrb: Default::default(),
            s_axil_wvalid: Default::default(),
            s_axil_wready: Default::default(),
            s_axil_bresp: Default::default(),
            s_axil_bvalid: Default::default(),
            s_axil_bready: Default::default(),
            s_axil_araddr: Default::default(),
            s_axil_arvalid: Default::default(),
            s_axil_arready: Default::default(),
            s_axil_rdata: Default::default(),
            s_axil_rresp: Default::default(),
            s_axil_rvalid: Default::default(),
            s_axil_rready: Default::default(),
            status: Default::default(),
            tx_consumer: Default::default(),
            rx_consumer: Default::default(),
            irq_status: Default::default(),
            stat_0: Default::default(),
            stat_1: Default::default(),
            stat_2: Default::default(),
            stat_3: Default::default(),
            stat_4: Default::default(),
            stat_5: Default::default(),
            stat_6: Default::default(),
            stat_7: Default::default(),
            stat_8: Default::default(),
            stat_9: Default::default(),
            stat_10: Default::default(),
            stat_11: Default::default(),
            stat_12: Default::default(),
            stat_13: Default::default(),
            reg_control: Default::default(),
            reg_tx_ring_base_lo: Default::default(),
            reg_tx_ring_log2: Default::default(),
            reg_tx_producer: Default::default(),
            reg_tx_cpl_base_lo: Default::default(),
            reg_tx_cpl_head: Default::default(),
            reg_rx_ring_base_lo: Default::default(),
            reg_rx_ring_log2: Default::default(),
            reg_rx_producer: Default::default(),
            reg_rx_cpl_base_lo: Default::default(),
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
            bvalid: Default::default(),
            rvalid: Default::default(),
            rdata: Default::default(),
            write_fire: Default::default(),
            read_fire: Default::default(),
            write_mask: Default::default(),
            merged: Default::default(),
            read_value: Default::default(),
            device_id: Constant::new((DEVICE_ID as u64).to_bits()),
            version: Constant::new((VERSION as u64).to_bits()),
            top_byte: Constant::new(0xFF00_0000u64.to_bits()),
        }
    }
}

impl Logic for AxilCsr {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
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
            bvalid,
            rvalid,
            rdata
        );
        // Write: address and data together, one at a time.
        self.write_fire.next =
            self.s_axil_awvalid.val() & self.s_axil_wvalid.val() & !self.bvalid.q.val();
        self.s_axil_awready.next = self.write_fire.val();
        self.s_axil_wready.next = self.write_fire.val();
        self.s_axil_bvalid.next = self.bvalid.q.val();
        self.s_axil_bresp.next = 0.into();
        if self.bvalid.q.val() & self.s_axil_bready.val() {
            self.bvalid.d.next = false;
        }
        if self.write_fire.val() {
            self.bvalid.d.next = true;
        }
        self.write_mask.next = 0.into();
        if self.s_axil_wstrb.val().get_bit(0) {
            self.write_mask.next = self.write_mask.val() | 0xFF;
        }
        if self.s_axil_wstrb.val().get_bit(1) {
            self.write_mask.next = self.write_mask.val() | 0xFF00;
        }
        if self.s_axil_wstrb.val().get_bit(2) {
            self.write_mask.next = self.write_mask.val() | 0xFF_0000;
        }
        if self.s_axil_wstrb.val().get_bit(3) {
            self.write_mask.next = self.write_mask.val() | self.top_byte.val();
        }
        // The written value merged into the addressed register's old value.
        self.merged.next = self.s_axil_wdata.val() & self.write_mask.val();
        match self.s_axil_awaddr.val().get_bits::<10>(2).index() {
            2 => {
                self.merged.next = self.merged.val()
                    | (bit_cast::<32, 3>(self.r_control.q.val()) & !self.write_mask.val());
            }
            4 => {
                self.merged.next =
                    self.merged.val() | (self.r_tx_ring_base_lo.q.val() & !self.write_mask.val());
            }
            6 => {
                self.merged.next = self.merged.val()
                    | (bit_cast::<32, 4>(self.r_tx_ring_log2.q.val()) & !self.write_mask.val());
            }
            7 => {
                self.merged.next =
                    self.merged.val() | (self.r_tx_producer.q.val() & !self.write_mask.val());
            }
            9 => {
                self.merged.next =
                    self.merged.val() | (self.r_tx_cpl_base_lo.q.val() & !self.write_mask.val());
            }
            11 => {
                self.merged.next =
                    self.merged.val() | (self.r_tx_cpl_head.q.val() & !self.write_mask.val());
            }
            12 => {
                self.merged.next =
                    self.merged.val() | (self.r_rx_ring_base_lo.q.val() & !self.write_mask.val());
            }
            14 => {
                self.merged.next = self.merged.val()
                    | (bit_cast::<32, 4>(self.r_rx_ring_log2.q.val()) & !self.write_mask.val());
            }
            15 => {
                self.merged.next =
                    self.merged.val() | (self.r_rx_producer.q.val() & !self.write_mask.val());
            }
            17 => {
                self.merged.next =
                    self.merged.val() | (self.r_rx_cpl_base_lo.q.val() & !self.write_mask.val());
            }
            19 => {
                self.merged.next =
                    self.merged.val() | (self.r_rx_cpl_head.q.val() & !self.write_mask.val());
            }
            20 => {
                self.merged.next = self.merged.val()
                    | (bit_cast::<32, 16>(self.r_irq_coalesce_count.q.val())
                        & !self.write_mask.val());
            }
            21 => {
                self.merged.next = self.merged.val()
                    | (bit_cast::<32, 16>(self.r_irq_coalesce_usecs.q.val())
                        & !self.write_mask.val());
            }
            _ => {}
        }
        if self.write_fire.val() {
            match self.s_axil_awaddr.val().get_bits::<10>(2).index() {
                2 => self.r_control.d.next = self.merged.val().get_bits::<3>(0),
                4 => self.r_tx_ring_base_lo.d.next = self.merged.val(),
                6 => self.r_tx_ring_log2.d.next = self.merged.val().get_bits::<4>(0),
                7 => self.r_tx_producer.d.next = self.merged.val(),
                9 => self.r_tx_cpl_base_lo.d.next = self.merged.val(),
                11 => self.r_tx_cpl_head.d.next = self.merged.val(),
                12 => self.r_rx_ring_base_lo.d.next = self.merged.val(),
                14 => self.r_rx_ring_log2.d.next = self.merged.val().get_bits::<4>(0),
                15 => self.r_rx_producer.d.next = self.merged.val(),
                17 => self.r_rx_cpl_base_lo.d.next = self.merged.val(),
                19 => self.r_rx_cpl_head.d.next = self.merged.val(),
                20 => self.r_irq_coalesce_count.d.next = self.merged.val().get_bits::<16>(0),
                21 => self.r_irq_coalesce_usecs.d.next = self.merged.val().get_bits::<16>(0),
                _ => {}
            }
        }
        // Read: the value is latched at the address handshake.
        self.s_axil_arready.next = !self.rvalid.q.val();
        self.read_fire.next = self.s_axil_arvalid.val() & !self.rvalid.q.val();
        self.s_axil_rvalid.next = self.rvalid.q.val();
        self.s_axil_rdata.next = self.rdata.q.val();
        self.s_axil_rresp.next = 0.into();
        if self.rvalid.q.val() & self.s_axil_rready.val() {
            self.rvalid.d.next = false;
        }
        self.read_value.next = 0.into();
        match self.s_axil_araddr.val().get_bits::<10>(2).index() {
            0 => self.read_value.next = self.device_id.val(),
            1 => self.read_value.next = self.version.val(),
            2 => self.read_value.next = bit_cast::<32, 3>(self.r_control.q.val()),
            4 => self.read_value.next = self.r_tx_ring_base_lo.q.val(),
            6 => self.read_value.next = bit_cast::<32, 4>(self.r_tx_ring_log2.q.val()),
            7 => self.read_value.next = self.r_tx_producer.q.val(),
            9 => self.read_value.next = self.r_tx_cpl_base_lo.q.val(),
            11 => self.read_value.next = self.r_tx_cpl_head.q.val(),
            12 => self.read_value.next = self.r_rx_ring_base_lo.q.val(),
            14 => self.read_value.next = bit_cast::<32, 4>(self.r_rx_ring_log2.q.val()),
            15 => self.read_value.next = self.r_rx_producer.q.val(),
            17 => self.read_value.next = self.r_rx_cpl_base_lo.q.val(),
            19 => self.read_value.next = self.r_rx_cpl_head.q.val(),
            20 => self.read_value.next = bit_cast::<32, 16>(self.r_irq_coalesce_count.q.val()),
            21 => self.read_value.next = bit_cast::<32, 16>(self.r_irq_coalesce_usecs.q.val()),
            3 => self.read_value.next = self.status.val(),
            8 => self.read_value.next = self.tx_consumer.val(),
            16 => self.read_value.next = self.rx_consumer.val(),
            22 => self.read_value.next = self.irq_status.val(),
            64 => self.read_value.next = self.stat_0.val(),
            65 => self.read_value.next = self.stat_1.val(),
            66 => self.read_value.next = self.stat_2.val(),
            67 => self.read_value.next = self.stat_3.val(),
            68 => self.read_value.next = self.stat_4.val(),
            69 => self.read_value.next = self.stat_5.val(),
            70 => self.read_value.next = self.stat_6.val(),
            71 => self.read_value.next = self.stat_7.val(),
            72 => self.read_value.next = self.stat_8.val(),
            73 => self.read_value.next = self.stat_9.val(),
            74 => self.read_value.next = self.stat_10.val(),
            75 => self.read_value.next = self.stat_11.val(),
            76 => self.read_value.next = self.stat_12.val(),
            77 => self.read_value.next = self.stat_13.val(),
            _ => {}
        }
        if self.read_fire.val() {
            self.rvalid.d.next = true;
            self.rdata.d.next = self.read_value.val();
        }
        self.reg_control.next = bit_cast::<32, 3>(self.r_control.q.val());
        self.reg_tx_ring_base_lo.next = self.r_tx_ring_base_lo.q.val();
        self.reg_tx_ring_log2.next = bit_cast::<32, 4>(self.r_tx_ring_log2.q.val());
        self.reg_tx_producer.next = self.r_tx_producer.q.val();
        self.reg_tx_cpl_base_lo.next = self.r_tx_cpl_base_lo.q.val();
        self.reg_tx_cpl_head.next = self.r_tx_cpl_head.q.val();
        self.reg_rx_ring_base_lo.next = self.r_rx_ring_base_lo.q.val();
        self.reg_rx_ring_log2.next = bit_cast::<32, 4>(self.r_rx_ring_log2.q.val());
        self.reg_rx_producer.next = self.r_rx_producer.q.val();
        self.reg_rx_cpl_base_lo.next = self.r_rx_cpl_base_lo.q.val();
        self.reg_rx_cpl_head.next = self.r_rx_cpl_head.q.val();
        self.reg_irq_coalesce_count.next = bit_cast::<32, 16>(self.r_irq_coalesce_count.q.val());
        self.reg_irq_coalesce_usecs.next = bit_cast::<32, 16>(self.r_irq_coalesce_usecs.q.val());
    }
}

/// The block's Verilog on its own, for its Verilator tests.
pub fn verilog() -> String {
    let mut block = AxilCsr::default();
    block.connect_all();
    generate_verilog(&block)
}
