//! `NicCore`: the board-independent NIC (SPEC F1–F8): the MII MAC, checksum
//! offload, TSO and the DMA ring engines, behind an AXI4-Lite register window
//! and an AXI4 DMA master. This is what Verilator simulates; `ArtyTop` adds
//! pins, clocks and resets around it.
//!
//! TX: registers → `tx_ring_engine` (descriptor fetch, buffer read, TSO) →
//! `ip_csum_insert` → `eth_mac_mii` → MII. RX: MII → `eth_mac_mii` (FCS) →
//! `ip_csum_verify` (a tap) → `rx_ring_engine` → host buffers and completions.
//! Reads of the two engines share the AXI4 read port by ID (`axi_read_mux`:
//! TX = 0, RX = 1); their writes share one writer (`dma_write_arbiter`, RX
//! first). `irq` is the coalesced, level-triggered interrupt. Statistics
//! (SPEC F8) are events counted in a `stat_bank` (the MAC's ten, then RX
//! no-buffer drops, bad IP and L4 checksums, TSO segments), which the
//! register window reads through the bank's read port.
//!
//! Ports: `clock` (core, 100 MHz); MII (`mii_*`); AXI4 master (`m_axi_*`,
//! 32-bit address and data, 1-bit ID); AXI4-Lite slave (`s_axil_*`, 12-bit
//! address); `irq`.
use crate::csr::axil_csr::AxilCsr;
use crate::csr::stat_bank::StatBank;
use crate::csum::ip_csum_insert::IpCsumInsert;
use crate::csum::ip_csum_verify::IpCsumVerify;
use crate::dma::axi_read_mux::AxiReadMux;
use crate::dma::dma_write_arbiter::DmaWriteArbiter;
use crate::dma::irq_coalesce::IrqCoalesce;
use crate::dma::rx_ring_engine::RxRingEngine;
use crate::dma::tx_ring_engine::TxRingEngine;
use crate::mac::eth_mac_mii::EthMacMii;
use rust_hdl::prelude::*;
use synack_abi::regs::{control, status};
use synack_abi::ring::rx_csum;

#[derive(LogicBlock)]
pub struct NicCore {
    pub clock: Signal<In, Clock>,
    pub mii_tx_clk: Signal<In, Clock>,
    pub mii_txd: Signal<Out, Bits<4>>,
    pub mii_tx_en: Signal<Out, Bit>,
    pub mii_rx_clk: Signal<In, Clock>,
    pub mii_rxd: Signal<In, Bits<4>>,
    pub mii_rx_dv: Signal<In, Bit>,
    pub mii_rx_er: Signal<In, Bit>,
    pub m_axi_arready: Signal<In, Bit>,
    pub m_axi_rid: Signal<In, Bit>,
    pub m_axi_rdata: Signal<In, Bits<32>>,
    pub m_axi_rresp: Signal<In, Bits<2>>,
    pub m_axi_rlast: Signal<In, Bit>,
    pub m_axi_rvalid: Signal<In, Bit>,
    pub m_axi_awready: Signal<In, Bit>,
    pub m_axi_wready: Signal<In, Bit>,
    pub m_axi_bresp: Signal<In, Bits<2>>,
    pub m_axi_bvalid: Signal<In, Bit>,
    pub s_axil_awaddr: Signal<In, Bits<12>>,
    pub s_axil_awvalid: Signal<In, Bit>,
    pub s_axil_wdata: Signal<In, Bits<32>>,
    pub s_axil_wstrb: Signal<In, Bits<4>>,
    pub s_axil_wvalid: Signal<In, Bit>,
    pub s_axil_bready: Signal<In, Bit>,
    pub s_axil_araddr: Signal<In, Bits<12>>,
    pub s_axil_arvalid: Signal<In, Bit>,
    pub s_axil_rready: Signal<In, Bit>,
    pub m_axi_arid: Signal<Out, Bit>,
    pub m_axi_araddr: Signal<Out, Bits<32>>,
    pub m_axi_arlen: Signal<Out, Bits<8>>,
    pub m_axi_arsize: Signal<Out, Bits<3>>,
    pub m_axi_arburst: Signal<Out, Bits<2>>,
    pub m_axi_arvalid: Signal<Out, Bit>,
    pub m_axi_rready: Signal<Out, Bit>,
    pub m_axi_awaddr: Signal<Out, Bits<32>>,
    pub m_axi_awlen: Signal<Out, Bits<8>>,
    pub m_axi_awsize: Signal<Out, Bits<3>>,
    pub m_axi_awburst: Signal<Out, Bits<2>>,
    pub m_axi_awvalid: Signal<Out, Bit>,
    pub m_axi_wdata: Signal<Out, Bits<32>>,
    pub m_axi_wstrb: Signal<Out, Bits<4>>,
    pub m_axi_wlast: Signal<Out, Bit>,
    pub m_axi_wvalid: Signal<Out, Bit>,
    pub m_axi_bready: Signal<Out, Bit>,
    pub s_axil_awready: Signal<Out, Bit>,
    pub s_axil_wready: Signal<Out, Bit>,
    pub s_axil_bresp: Signal<Out, Bits<2>>,
    pub s_axil_bvalid: Signal<Out, Bit>,
    pub s_axil_arready: Signal<Out, Bit>,
    pub s_axil_rdata: Signal<Out, Bits<32>>,
    pub s_axil_rresp: Signal<Out, Bits<2>>,
    pub s_axil_rvalid: Signal<Out, Bit>,
    pub irq: Signal<Out, Bit>,
    csr: AxilCsr,
    tx: TxRingEngine,
    csum_insert: IpCsumInsert,
    mac: EthMacMii,
    csum_verify: IpCsumVerify,
    rx: RxRingEngine,
    reads: AxiReadMux,
    writes: DmaWriteArbiter,
    interrupt: IrqCoalesce,
    stats: StatBank,
    ip_csum_bad: Signal<Local, Bit>,
    l4_csum_bad: Signal<Local, Bit>,
    rx_beat: Signal<Local, Bit>,
    bit_tx_enable: Constant<Bits<3>>,
    bit_rx_enable: Constant<Bits<3>>,
    bit_irq_enable: Constant<Bits<3>>,
    bit_tx_busy: Constant<Bits<3>>,
    bit_rx_busy: Constant<Bits<3>>,
    bit_dma_error: Constant<Bits<3>>,
    csum_ipv4: Constant<Bits<8>>,
    csum_ip_ok: Constant<Bits<8>>,
    csum_l4: Constant<Bits<8>>,
    csum_l4_ok: Constant<Bits<8>>,
}

impl Default for NicCore {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            mii_tx_clk: Default::default(),
            mii_txd: Default::default(),
            mii_tx_en: Default::default(),
            mii_rx_clk: Default::default(),
            mii_rxd: Default::default(),
            mii_rx_dv: Default::default(),
            mii_rx_er: Default::default(),
            m_axi_arready: Default::default(),
            m_axi_rid: Default::default(),
            m_axi_rdata: Default::default(),
            m_axi_rresp: Default::default(),
            m_axi_rlast: Default::default(),
            m_axi_rvalid: Default::default(),
            m_axi_awready: Default::default(),
            m_axi_wready: Default::default(),
            m_axi_bresp: Default::default(),
            m_axi_bvalid: Default::default(),
            s_axil_awaddr: Default::default(),
            s_axil_awvalid: Default::default(),
            s_axil_wdata: Default::default(),
            s_axil_wstrb: Default::default(),
            s_axil_wvalid: Default::default(),
            s_axil_bready: Default::default(),
            s_axil_araddr: Default::default(),
            s_axil_arvalid: Default::default(),
            s_axil_rready: Default::default(),
            m_axi_arid: Default::default(),
            m_axi_araddr: Default::default(),
            m_axi_arlen: Default::default(),
            m_axi_arsize: Default::default(),
            m_axi_arburst: Default::default(),
            m_axi_arvalid: Default::default(),
            m_axi_rready: Default::default(),
            m_axi_awaddr: Default::default(),
            m_axi_awlen: Default::default(),
            m_axi_awsize: Default::default(),
            m_axi_awburst: Default::default(),
            m_axi_awvalid: Default::default(),
            m_axi_wdata: Default::default(),
            m_axi_wstrb: Default::default(),
            m_axi_wlast: Default::default(),
            m_axi_wvalid: Default::default(),
            m_axi_bready: Default::default(),
            s_axil_awready: Default::default(),
            s_axil_wready: Default::default(),
            s_axil_bresp: Default::default(),
            s_axil_bvalid: Default::default(),
            s_axil_arready: Default::default(),
            s_axil_rdata: Default::default(),
            s_axil_rresp: Default::default(),
            s_axil_rvalid: Default::default(),
            irq: Default::default(),
            csr: Default::default(),
            tx: Default::default(),
            csum_insert: Default::default(),
            mac: Default::default(),
            csum_verify: Default::default(),
            rx: Default::default(),
            reads: Default::default(),
            writes: Default::default(),
            interrupt: Default::default(),
            stats: Default::default(),
            ip_csum_bad: Default::default(),
            l4_csum_bad: Default::default(),
            rx_beat: Default::default(),
            bit_tx_enable: Constant::new((control::TX_ENABLE as u64).to_bits()),
            bit_rx_enable: Constant::new((control::RX_ENABLE as u64).to_bits()),
            bit_irq_enable: Constant::new((control::IRQ_ENABLE as u64).to_bits()),
            bit_tx_busy: Constant::new((status::TX_BUSY as u64).to_bits()),
            bit_rx_busy: Constant::new((status::RX_BUSY as u64).to_bits()),
            bit_dma_error: Constant::new((status::DMA_ERROR as u64).to_bits()),
            csum_ipv4: Constant::new((rx_csum::IPV4 as u64).to_bits()),
            csum_ip_ok: Constant::new((rx_csum::IP_OK as u64).to_bits()),
            csum_l4: Constant::new(((rx_csum::TCP | rx_csum::UDP) as u64).to_bits()),
            csum_l4_ok: Constant::new((rx_csum::L4_OK as u64).to_bits()),
        }
    }
}

impl Logic for NicCore {
    #[hdl_gen]
    fn update(&mut self) {
        self.csr.clock.next = self.clock.val();
        self.tx.clock.next = self.clock.val();
        self.csum_insert.clock.next = self.clock.val();
        self.mac.clock.next = self.clock.val();
        self.csum_verify.clock.next = self.clock.val();
        self.rx.clock.next = self.clock.val();
        self.reads.clock.next = self.clock.val();
        self.writes.clock.next = self.clock.val();
        self.interrupt.clock.next = self.clock.val();
        self.stats.clock.next = self.clock.val();

        // Registers.
        self.csr.s_axil_awaddr.next = self.s_axil_awaddr.val();
        self.csr.s_axil_awvalid.next = self.s_axil_awvalid.val();
        self.csr.s_axil_wdata.next = self.s_axil_wdata.val();
        self.csr.s_axil_wstrb.next = self.s_axil_wstrb.val();
        self.csr.s_axil_wvalid.next = self.s_axil_wvalid.val();
        self.csr.s_axil_bready.next = self.s_axil_bready.val();
        self.csr.s_axil_araddr.next = self.s_axil_araddr.val();
        self.csr.s_axil_arvalid.next = self.s_axil_arvalid.val();
        self.csr.s_axil_rready.next = self.s_axil_rready.val();
        self.s_axil_awready.next = self.csr.s_axil_awready.val();
        self.s_axil_wready.next = self.csr.s_axil_wready.val();
        self.s_axil_bresp.next = self.csr.s_axil_bresp.val();
        self.s_axil_bvalid.next = self.csr.s_axil_bvalid.val();
        self.s_axil_arready.next = self.csr.s_axil_arready.val();
        self.s_axil_rdata.next = self.csr.s_axil_rdata.val();
        self.s_axil_rresp.next = self.csr.s_axil_rresp.val();
        self.s_axil_rvalid.next = self.csr.s_axil_rvalid.val();
        self.csr.status.next = 0.into();
        if self.tx.busy.val() {
            self.csr.status.next = self.csr.status.val() | self.bit_tx_busy.val();
        }
        if self.rx.busy.val() {
            self.csr.status.next = self.csr.status.val() | self.bit_rx_busy.val();
        }
        if self.tx.dma_error.val() | self.rx.dma_error.val() {
            self.csr.status.next = self.csr.status.val() | self.bit_dma_error.val();
        }
        self.csr.tx_consumer.next = self.tx.consumer.val();
        self.csr.rx_consumer.next = self.rx.consumer.val();
        self.csr.irq_status.next = self.interrupt.irq.val();

        // TX: ring engine (with TSO) → checksum insertion → MAC.
        self.tx.enable.next = (self.csr.reg_control.val() & self.bit_tx_enable.val()).any();
        self.tx.ring_base.next = self.csr.reg_tx_ring_base_lo.val();
        self.tx.ring_log2.next = self.csr.reg_tx_ring_log2.val();
        self.tx.producer.next = self.csr.reg_tx_producer.val();
        self.tx.cpl_base.next = self.csr.reg_tx_cpl_base_lo.val();
        self.csum_insert.s_axis_tdata.next = self.tx.m_axis_tdata.val();
        self.csum_insert.s_axis_tvalid.next = self.tx.m_axis_tvalid.val();
        self.csum_insert.s_axis_tlast.next = self.tx.m_axis_tlast.val();
        self.csum_insert.s_axis_csum.next = self.tx.m_axis_csum.val();
        self.tx.m_axis_tready.next = self.csum_insert.s_axis_tready.val();
        self.mac.s_axis_tdata.next = self.csum_insert.m_axis_tdata.val();
        self.mac.s_axis_tvalid.next = self.csum_insert.m_axis_tvalid.val();
        self.mac.s_axis_tlast.next = self.csum_insert.m_axis_tlast.val();
        self.csum_insert.m_axis_tready.next = self.mac.s_axis_tready.val();

        // MII.
        self.mac.mii_tx_clk.next = self.mii_tx_clk.val();
        self.mac.mii_rx_clk.next = self.mii_rx_clk.val();
        self.mac.mii_rxd.next = self.mii_rxd.val();
        self.mac.mii_rx_dv.next = self.mii_rx_dv.val();
        self.mac.mii_rx_er.next = self.mii_rx_er.val();
        self.mii_txd.next = self.mac.mii_txd.val();
        self.mii_tx_en.next = self.mac.mii_tx_en.val();

        // RX: MAC → checksum verification (a tap) → ring engine.
        self.rx.enable.next = (self.csr.reg_control.val() & self.bit_rx_enable.val()).any();
        self.rx.ring_base.next = self.csr.reg_rx_ring_base_lo.val();
        self.rx.ring_log2.next = self.csr.reg_rx_ring_log2.val();
        self.rx.producer.next = self.csr.reg_rx_producer.val();
        self.rx.cpl_base.next = self.csr.reg_rx_cpl_base_lo.val();
        self.rx.s_axis_tdata.next = self.mac.m_axis_tdata.val();
        self.rx.s_axis_tvalid.next = self.mac.m_axis_tvalid.val();
        self.rx.s_axis_tlast.next = self.mac.m_axis_tlast.val();
        self.mac.m_axis_tready.next = self.rx.s_axis_tready.val();
        self.rx_beat.next = self.mac.m_axis_tvalid.val() & self.rx.s_axis_tready.val();
        self.csum_verify.tdata.next = self.mac.m_axis_tdata.val();
        self.csum_verify.beat.next = self.rx_beat.val();
        self.csum_verify.tlast.next = self.mac.m_axis_tlast.val();
        self.rx.csum_valid.next = self.csum_verify.result_valid.val();
        self.rx.csum_result.next = self.csum_verify.result.val();

        // Reads: TX = ID 0, RX = ID 1.
        self.reads.a_araddr.next = self.tx.araddr.val();
        self.reads.a_arlen.next = self.tx.arlen.val();
        self.reads.a_arsize.next = self.tx.arsize.val();
        self.reads.a_arburst.next = self.tx.arburst.val();
        self.reads.a_arvalid.next = self.tx.arvalid.val();
        self.tx.arready.next = self.reads.a_arready.val();
        self.tx.rvalid.next = self.reads.a_rvalid.val();
        self.reads.a_rready.next = self.tx.rready.val();
        self.reads.b_araddr.next = self.rx.araddr.val();
        self.reads.b_arlen.next = self.rx.arlen.val();
        self.reads.b_arsize.next = self.rx.arsize.val();
        self.reads.b_arburst.next = self.rx.arburst.val();
        self.reads.b_arvalid.next = self.rx.arvalid.val();
        self.rx.arready.next = self.reads.b_arready.val();
        self.rx.rvalid.next = self.reads.b_rvalid.val();
        self.reads.b_rready.next = self.rx.rready.val();
        self.tx.rdata.next = self.m_axi_rdata.val();
        self.tx.rresp.next = self.m_axi_rresp.val();
        self.tx.rlast.next = self.m_axi_rlast.val();
        self.rx.rdata.next = self.m_axi_rdata.val();
        self.rx.rresp.next = self.m_axi_rresp.val();
        self.rx.rlast.next = self.m_axi_rlast.val();
        self.m_axi_arid.next = self.reads.m_arid.val();
        self.m_axi_araddr.next = self.reads.m_araddr.val();
        self.m_axi_arlen.next = self.reads.m_arlen.val();
        self.m_axi_arsize.next = self.reads.m_arsize.val();
        self.m_axi_arburst.next = self.reads.m_arburst.val();
        self.m_axi_arvalid.next = self.reads.m_arvalid.val();
        self.reads.m_arready.next = self.m_axi_arready.val();
        self.reads.m_rid.next = self.m_axi_rid.val();
        self.reads.m_rvalid.next = self.m_axi_rvalid.val();
        self.m_axi_rready.next = self.reads.m_rready.val();

        // Writes: RX (data and completions) first, TX completions second.
        self.writes.a_cmd_valid.next = self.rx.wr_cmd_valid.val();
        self.writes.a_cmd_addr.next = self.rx.wr_cmd_addr.val();
        self.rx.wr_cmd_ready.next = self.writes.a_cmd_ready.val();
        self.writes.a_tdata.next = self.rx.wr_tdata.val();
        self.writes.a_tvalid.next = self.rx.wr_tvalid.val();
        self.writes.a_tlast.next = self.rx.wr_tlast.val();
        self.rx.wr_tready.next = self.writes.a_tready.val();
        self.rx.wr_done.next = self.writes.a_done.val();
        self.rx.wr_error.next = self.writes.a_error.val();
        self.writes.b_cmd_valid.next = self.tx.wr_cmd_valid.val();
        self.writes.b_cmd_addr.next = self.tx.wr_cmd_addr.val();
        self.tx.wr_cmd_ready.next = self.writes.b_cmd_ready.val();
        self.writes.b_tdata.next = self.tx.wr_tdata.val();
        self.writes.b_tvalid.next = self.tx.wr_tvalid.val();
        self.writes.b_tlast.next = self.tx.wr_tlast.val();
        self.tx.wr_tready.next = self.writes.b_tready.val();
        self.tx.wr_done.next = self.writes.b_done.val();
        self.m_axi_awaddr.next = self.writes.awaddr.val();
        self.m_axi_awlen.next = self.writes.awlen.val();
        self.m_axi_awsize.next = self.writes.awsize.val();
        self.m_axi_awburst.next = self.writes.awburst.val();
        self.m_axi_awvalid.next = self.writes.awvalid.val();
        self.writes.awready.next = self.m_axi_awready.val();
        self.m_axi_wdata.next = self.writes.wdata.val();
        self.m_axi_wstrb.next = self.writes.wstrb.val();
        self.m_axi_wlast.next = self.writes.wlast.val();
        self.m_axi_wvalid.next = self.writes.wvalid.val();
        self.writes.wready.next = self.m_axi_wready.val();
        self.writes.bresp.next = self.m_axi_bresp.val();
        self.writes.bvalid.next = self.m_axi_bvalid.val();
        self.m_axi_bready.next = self.writes.bready.val();

        // Interrupt.
        self.interrupt.enable.next = (self.csr.reg_control.val() & self.bit_irq_enable.val()).any();
        self.interrupt.tx_consumer.next = self.tx.consumer.val();
        self.interrupt.tx_head.next = self.csr.reg_tx_cpl_head.val();
        self.interrupt.rx_consumer.next = self.rx.consumer.val();
        self.interrupt.rx_head.next = self.csr.reg_rx_cpl_head.val();
        self.interrupt.count.next = self.csr.reg_irq_coalesce_count.val();
        self.interrupt.usecs.next = self.csr.reg_irq_coalesce_usecs.val();
        self.irq.next = self.interrupt.irq.val();

        // Statistics (SPEC F8): events into the bank, bit i for counter i in
        // synack_abi::regs::stat order (the MAC's are 0..=9); read by the CSR.
        self.ip_csum_bad.next = self.csum_verify.result_valid.val()
            & (self.csum_verify.result.val() & self.csum_ipv4.val()).any()
            & !(self.csum_verify.result.val() & self.csum_ip_ok.val()).any();
        self.l4_csum_bad.next = self.csum_verify.result_valid.val()
            & (self.csum_verify.result.val() & self.csum_l4.val()).any()
            & !(self.csum_verify.result.val() & self.csum_l4_ok.val()).any();
        self.stats.events.next = bit_cast::<14, 10>(self.mac.stat_events.val())
            | (bit_cast::<14, 1>(self.rx.drop_no_buffer.val().into()) << 10)
            | (bit_cast::<14, 1>(self.ip_csum_bad.val().into()) << 11)
            | (bit_cast::<14, 1>(self.l4_csum_bad.val().into()) << 12)
            | (bit_cast::<14, 1>(self.tx.segments.val().into()) << 13);
        self.stats.tx_bytes.next = self.mac.stat_tx_bytes.val();
        self.stats.rx_bytes.next = self.mac.stat_rx_bytes.val();
        self.stats.rd_addr.next = self.csr.stat_addr.val();
        self.csr.stat_data.next = self.stats.rd_data.val();
    }
}

/// The NIC core's Verilog, top module `top`.
pub fn verilog() -> String {
    let mut core = NicCore::default();
    core.connect_all();
    generate_verilog(&core)
}
