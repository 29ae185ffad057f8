//! `NicDatapath`: everything of the NIC but the MAC (SPEC F2–F8): checksum
//! offload, TSO and the DMA ring engines, behind an AXI4-Lite register window
//! and an AXI4 DMA master, with the MAC's two frame streams and its
//! statistics events as ports. [`crate::nic_core::NicCore`] is this plus
//! `eth_mac_mii`; emitted on its own (`nic_datapath`), it is the part the
//! co-simulation's frame-level fidelity runs in Verilator while a model of
//! the MAC stands in for the rest (issue 14).
//!
//! TX: registers → `tx_ring_engine` (descriptor fetch, buffer read, TSO) →
//! `ip_csum_insert` → `mac_tx` (to the MAC). RX: `mac_rx` (from the MAC,
//! FCS checked) → `axis_register` → `ip_csum_verify` (a tap) →
//! `rx_ring_engine` → host buffers and completions.
//! Reads of the two engines share the AXI4 read port by ID (`axi_read_mux`:
//! TX = 0, RX = 1); their writes share one writer (`dma_write_arbiter`, RX
//! first). `irq` is the coalesced, level-triggered interrupt. Statistics
//! (SPEC F8) are events counted in a `stat_bank` (the MAC's ten, then RX
//! no-buffer drops, bad IP and L4 checksums, TSO segments), which the
//! register window reads through the bank's read port.
//!
//! Ports: `clock` (core, 100 MHz); `mac_tx` (frames to send, no FCS) and
//! `mac_rx` (frames received, FCS checked and removed), byte-wide AXI-Stream;
//! `mac_stat_events` / `mac_stat_tx_bytes` / `mac_stat_rx_bytes` (the MAC's
//! statistics events, as `eth_mac_mii` drives them); AXI4 master
//! (`m_axi_rd`, `m_axi_wr`, with the read ID `m_axi_id`); AXI4-Lite slave
//! (`s_axil`); `irq`.
use crate::bus::axi_read::{AxiReadIdMaster, AxiReadMaster};
use crate::bus::axi_write::AxiWriteMaster;
use crate::bus::axil::AxilSlave;
use crate::bus::axis::{AxisMaster, AxisSlave};
use crate::bus::dma_write::DmaWriteMaster;
use crate::bus::ring::RingConfigMaster;
use crate::csr::axil_csr::AxilCsr;
use crate::csr::stat_bank::StatBank;
use crate::csum::ip_csum_insert::IpCsumInsert;
use crate::csum::ip_csum_verify::IpCsumVerify;
use crate::dma::axi_read_mux::AxiReadMux;
use crate::dma::dma_write_arbiter::DmaWriteArbiter;
use crate::dma::irq_coalesce::IrqCoalesce;
use crate::dma::rx_ring_engine::RxRingEngine;
use crate::dma::tx_ring_engine::TxRingEngine;
use crate::prim::const_bits::ConstBits;
use crate::stream::axis_register::AxisRegister;
use rust_hdl::prelude::*;
use synack_abi::regs::{self, control, stat, status};
use synack_abi::ring::rx_csum;

// The statistics event bits written as literals in `update` (hdl_gen takes
// no named constants there): the MAC's ten, then these four.
const _: () = assert!(regs::consecutive(
    &[
        stat::RX_DROP_NO_BUFFER,
        stat::RX_IP_CSUM_BAD,
        stat::RX_L4_CSUM_BAD,
        stat::TX_TSO_SEGMENTS,
    ],
    10
));
const _: () = assert!(stat::COUNT == 14);

#[derive(LogicBlock, Default)]
pub struct NicDatapath {
    pub clock: Signal<In, Clock>,
    /// Frames to the MAC.
    pub mac_tx: AxisMaster,
    /// Frames from the MAC.
    pub mac_rx: AxisSlave,
    /// The MAC's statistics events (`eth_mac_mii`'s `stat_*` outputs).
    pub mac_stat_events: Signal<In, Bits<10>>,
    pub mac_stat_tx_bytes: Signal<In, Bits<12>>,
    pub mac_stat_rx_bytes: Signal<In, Bits<12>>,
    pub m_axi_rd: AxiReadMaster,
    pub m_axi_id: AxiReadIdMaster,
    pub m_axi_wr: AxiWriteMaster,
    pub s_axil: AxilSlave,
    pub irq: Signal<Out, Bit>,
    csr: AxilCsr,
    tx: TxRingEngine,
    csum_insert: IpCsumInsert,
    csum_verify: IpCsumVerify,
    rx_slice: AxisRegister,
    rx: RxRingEngine,
    reads: AxiReadMux,
    writes: DmaWriteArbiter,
    interrupt: IrqCoalesce,
    stats: StatBank,
    ip_csum_bad: Signal<Local, Bit>,
    l4_csum_bad: Signal<Local, Bit>,
    rx_beat: Signal<Local, Bit>,
    // The checksum tap, one register stage behind the MAC's output (the
    // frame FIFO's block RAM has a slow clock-to-out; see SPEC A2).
    tap_data: DFF<Bits<8>>,
    tap_beat: DFF<Bit>,
    tap_last: DFF<Bit>,
    bit_tx_enable: ConstBits<3, { control::TX_ENABLE as u64 }>,
    bit_rx_enable: ConstBits<3, { control::RX_ENABLE as u64 }>,
    bit_irq_enable: ConstBits<3, { control::IRQ_ENABLE as u64 }>,
    bit_tx_busy: ConstBits<3, { status::TX_BUSY as u64 }>,
    bit_rx_busy: ConstBits<3, { status::RX_BUSY as u64 }>,
    bit_dma_error: ConstBits<3, { status::DMA_ERROR as u64 }>,
    csum_ipv4: ConstBits<8, { rx_csum::IPV4 as u64 }>,
    csum_ip_ok: ConstBits<8, { rx_csum::IP_OK as u64 }>,
    csum_l4: ConstBits<8, { (rx_csum::TCP | rx_csum::UDP) as u64 }>,
    csum_l4_ok: ConstBits<8, { rx_csum::L4_OK as u64 }>,
}

impl Logic for NicDatapath {
    #[hdl_gen]
    fn update(&mut self) {
        self.csr.clock.next = self.clock.val();
        self.tx.clock.next = self.clock.val();
        self.csum_insert.clock.next = self.clock.val();
        self.csum_verify.clock.next = self.clock.val();
        self.rx.clock.next = self.clock.val();
        self.rx_slice.clock.next = self.clock.val();
        self.reads.clock.next = self.clock.val();
        self.writes.clock.next = self.clock.val();
        self.interrupt.clock.next = self.clock.val();
        self.stats.clock.next = self.clock.val();
        dff_setup!(self, clock, tap_data, tap_beat, tap_last);

        // Registers.
        AxilSlave::link(&mut self.s_axil, &mut self.csr.s_axil);
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

        // TX: ring engine (with TSO) → checksum insertion → to the MAC.
        self.tx.enable.next = (self.csr.reg_control.val() & self.bit_tx_enable.val()).any();
        RingConfigMaster::join(&mut self.csr.tx_ring, &mut self.tx.ring);
        AxisMaster::join(&mut self.tx.m_axis, &mut self.csum_insert.s_axis);
        self.csum_insert.s_axis_csum.next = self.tx.m_axis_csum.val();
        AxisMaster::link(&mut self.mac_tx, &mut self.csum_insert.m_axis);

        // RX: from the MAC → checksum verification (a tap) → ring engine.
        self.rx.enable.next = (self.csr.reg_control.val() & self.bit_rx_enable.val()).any();
        RingConfigMaster::join(&mut self.csr.rx_ring, &mut self.rx.ring);
        // A register slice after the MAC's frame FIFO: nothing the RX engine
        // decides from a byte adds to the block RAM's clock-to-output time.
        AxisSlave::link(&mut self.mac_rx, &mut self.rx_slice.s_axis);
        AxisMaster::join(&mut self.rx_slice.m_axis, &mut self.rx.s_axis);
        self.rx_beat.next = self.rx_slice.m_axis.tvalid.val() & self.rx.s_axis.tready.val();
        // The verdict comes a cycle later than without the stage: still
        // before the frame's last DMA write response, when the RX engine
        // first needs it.
        self.tap_data.d.next = self.rx_slice.m_axis.tdata.val();
        self.tap_beat.d.next = self.rx_beat.val();
        self.tap_last.d.next = self.rx_slice.m_axis.tlast.val();
        self.csum_verify.tap.tdata.next = self.tap_data.q.val();
        self.csum_verify.tap.beat.next = self.tap_beat.q.val();
        self.csum_verify.tap.tlast.next = self.tap_last.q.val();
        self.rx.csum_valid.next = self.csum_verify.result_valid.val();
        self.rx.csum_result.next = self.csum_verify.result.val();

        // Reads: TX = ID 0, RX = ID 1.
        AxiReadMaster::join(&mut self.tx.axi, &mut self.reads.a);
        AxiReadMaster::join(&mut self.rx.axi, &mut self.reads.b);
        AxiReadMaster::link(&mut self.m_axi_rd, &mut self.reads.m);
        AxiReadIdMaster::link(&mut self.m_axi_id, &mut self.reads.m_id);

        // Writes: RX (data and completions) first, TX completions second.
        DmaWriteMaster::join(&mut self.rx.wr, &mut self.writes.a);
        DmaWriteMaster::join(&mut self.tx.wr, &mut self.writes.b);
        AxiWriteMaster::link(&mut self.m_axi_wr, &mut self.writes.axi);

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
        self.stats.events.next = bit_cast::<14, 10>(self.mac_stat_events.val())
            | (bit_cast::<14, 1>(self.rx.drop_no_buffer.val().into()) << 10)
            | (bit_cast::<14, 1>(self.ip_csum_bad.val().into()) << 11)
            | (bit_cast::<14, 1>(self.l4_csum_bad.val().into()) << 12)
            | (bit_cast::<14, 1>(self.tx.segments.val().into()) << 13);
        self.stats.tx_bytes.next = self.mac_stat_tx_bytes.val();
        self.stats.rx_bytes.next = self.mac_stat_rx_bytes.val();
        self.stats.rd_addr.next = self.csr.stat_addr.val();
        self.csr.stat_data.next = self.stats.rd_data.val();
    }
}

/// The datapath's Verilog, top module `top`, with flat port names (`m_axi_*`
/// for both AXI4 halves, `s_axil_*`, `mac_tx_*`, `mac_rx_*`).
pub fn verilog() -> String {
    crate::emit::top_verilog(NicDatapath::default(), crate::emit::AXI_MASTER_PORTS)
}
