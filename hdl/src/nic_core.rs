//! `NicCore`: the board-independent NIC (SPEC F1–F8): the MII MAC, checksum
//! offload, TSO and the DMA ring engines, behind an AXI4-Lite register window
//! and an AXI4 DMA master. This is what Verilator simulates; a board top level adds
//! pins, clocks and resets around it.
//!
//! TX: registers → `tx_ring_engine` (descriptor fetch, buffer read, TSO) →
//! `ip_csum_insert` → `eth_mac_mii` → MII. RX: MII → `eth_mac_mii` (FCS) →
//! `axis_register` → `ip_csum_verify` (a tap) → `rx_ring_engine` → host
//! buffers and completions.
//! Built as two blocks: [`NicDatapath`] (everything but the MAC, also a
//! top of its own for the co-simulation's frame-level fidelity) and
//! `eth_mac_mii`, joined by the two frame streams and the MAC's statistics
//! events.
//!
//! Reads of the two engines share the AXI4 read port by ID (`axi_read_mux`:
//! TX = 0, RX = 1); their writes share one writer (`dma_write_arbiter`, RX
//! first). `irq` is the coalesced, level-triggered interrupt. Statistics
//! (SPEC F8) are events counted in a `stat_bank` (the MAC's ten, then RX
//! no-buffer drops, bad IP and L4 checksums, TSO segments), which the
//! register window reads through the bank's read port.
//!
//! Ports: `clock` (core, 100 MHz); MII (`mii`); AXI4 master (`m_axi_rd`,
//! `m_axi_wr`: 32-bit address and data; reads carry a 1-bit ID, `m_axi_id`:
//! `m_axi_arid`/`m_axi_rid`); AXI4-Lite slave (`s_axil`, 12-bit address);
//! `irq`. Blocks are joined through the bundles of `crate::bus`; emitted as
//! a top (`verilog`), the ports have their flat standard names (`mii_txd`,
//! `m_axi_araddr`, `m_axi_awaddr`, `s_axil_wdata`, …), which the Verilator
//! harness and the board constraints use.
use crate::bus::axi_read::{AxiReadIdMaster, AxiReadMaster};
use crate::bus::axi_write::AxiWriteMaster;
use crate::bus::axil::AxilSlave;
use crate::bus::axis::AxisMaster;
use crate::bus::mii::Mii;
use crate::mac::eth_mac_mii::EthMacMii;
use crate::nic_datapath::NicDatapath;
use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct NicCore {
    pub clock: Signal<In, Clock>,
    pub mii: Mii,
    pub m_axi_rd: AxiReadMaster,
    pub m_axi_id: AxiReadIdMaster,
    pub m_axi_wr: AxiWriteMaster,
    pub s_axil: AxilSlave,
    pub irq: Signal<Out, Bit>,
    datapath: NicDatapath,
    mac: EthMacMii,
}

impl Logic for NicCore {
    #[hdl_gen]
    fn update(&mut self) {
        self.datapath.clock.next = self.clock.val();
        self.mac.clock.next = self.clock.val();
        AxiReadMaster::link(&mut self.m_axi_rd, &mut self.datapath.m_axi_rd);
        AxiReadIdMaster::link(&mut self.m_axi_id, &mut self.datapath.m_axi_id);
        AxiWriteMaster::link(&mut self.m_axi_wr, &mut self.datapath.m_axi_wr);
        AxilSlave::link(&mut self.s_axil, &mut self.datapath.s_axil);
        self.irq.next = self.datapath.irq.val();
        AxisMaster::join(&mut self.datapath.mac_tx, &mut self.mac.s_axis);
        AxisMaster::join(&mut self.mac.m_axis, &mut self.datapath.mac_rx);
        Mii::link(&mut self.mii, &mut self.mac.mii);
        self.datapath.mac_stat_events.next = self.mac.stat_events.val();
        self.datapath.mac_stat_tx_bytes.next = self.mac.stat_tx_bytes.val();
        self.datapath.mac_stat_rx_bytes.next = self.mac.stat_rx_bytes.val();
    }
}

/// The NIC core's Verilog, top module `top`, with flat port names (`m_axi_*`
/// for both AXI4 halves, `s_axil_*`, `mii_*`).
pub fn verilog() -> String {
    crate::emit::top_verilog(NicCore::default(), crate::emit::AXI_MASTER_PORTS)
}
