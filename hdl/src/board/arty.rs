//! The Digilent Arty A7 (35T and 100T) top level (SPEC A1), around the
//! board-independent `NicCore`, unchanged.
//!
//! - Clocks (`xilinx::ArtyClocks`): the 100 MHz oscillator (E3) feeds an
//!   MMCM making the core clock (100 MHz, through a BUFGCE) and the PHY's
//!   25 MHz reference (G18, through an ODDR). The MII clocks come from the
//!   PHY (`eth_rx_clk`, `eth_tx_clk`) through BUFGs.
//! - Reset (`reset_seq`, on the oscillator): the core clock runs only once
//!   the MMCM has locked; the PHY's reset (`eth_rstn`) is held low for
//!   10 ms after configuration and after each press of the reset button
//!   (`ck_rst_n`, C2), which also restarts the MMCM. The core-domain logic
//!   (bridge, board registers) and the MII pins' registers are reset
//!   through a synchroniser in each domain, which starts asserted: a domain
//!   is in reset from configuration until its clock runs. `NicCore` has no reset input:
//!   its registers start from their configuration values, and the driver
//!   brings its rings back to a known state (CONTROL = 0 resets them).
//! - MII: every MII pin is registered in its I/O block, in its own clock
//!   domain (`xilinx::IobRegs`), cleared while in reset (so `eth_tx_en` is
//!   low until the core runs). COL and CRS are constrained but unused
//!   (full duplex).
//! - DMA memory: 64 KiB of block RAM (`dma_bram`) serving NicCore's AXI4
//!   master, and the host bridge on its second port.
//! - Host: the USB-UART bridge (`host_bridge`, D10 out / A9 in, 3 Mbaud) to
//!   the NIC's registers, the board's registers (`board_regs`: MDIO, LEDs,
//!   status) and the DMA memory. The NIC's interrupt line is not wired out:
//!   over the bridge the host polls (IRQ_STATUS shows it).
//! - LEDs LD4..LD7 (`led[0..3]`): link, activity, error, heartbeat; all four
//!   lit while the core is held in reset (MMCM not locked, button pressed).
//!
//! `ArtyBoard` is everything but the MDIO pad, whose pin is bidirectional:
//! it has the pad's three sides (`eth_mdio_i`, `eth_mdio_o`, `eth_mdio_t`)
//! as ports. `ArtyTop` adds the pad (an IOBUF) and is what Vivado builds.
//! Both have every other pin as one bundle (`bus::arty_pins::ArtyPins`,
//! flattened at the top to the pins' own names): `ArtyTop` links it through.
//! Verilator simulates `ArtyBoard`: Verilator 5.006 cannot drive a top-level
//! inout from outside while the design drives it too, and the IOBUF is all
//! that differs.
use crate::board::board_regs::BoardRegs;
use crate::board::dma_bram::DmaBram;
use crate::board::host_bridge::HostBridge;
use crate::board::reset_seq::ResetSeq;
use crate::board::xilinx::{ArtyClocks, ClockBuffer, IobRegs, TristatePad};
use crate::bus::arty_pins::ArtyPins;
use crate::bus::axi_read::{AxiReadIdMaster, AxiReadMaster};
use crate::bus::axi_write::AxiWriteMaster;
use crate::bus::axil::AxilMaster;
use crate::bus::mii::MdioPin;
use crate::nic_core::NicCore;
use crate::prim::sync_bit::ResetSync;
use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct ArtyBoard {
    /// Every pin but the MDIO pad's (flattened to their own names).
    pub pins: ArtyPins,
    pub eth_mdio_i: Signal<In, Bit>,
    pub eth_mdio_o: Signal<Out, Bit>,
    pub eth_mdio_t: Signal<Out, Bit>,
    clocks: ArtyClocks,
    resets: ResetSeq,
    tx_clk: ClockBuffer,
    rx_clk: ClockBuffer,
    core_reset: ResetSync,
    tx_reset: ResetSync,
    rx_reset: ResetSync,
    tx_pins: IobRegs<5>,
    rx_pins: IobRegs<6>,
    core: NicCore,
    memory: DmaBram,
    bridge: HostBridge,
    regs: BoardRegs,
}

impl Logic for ArtyBoard {
    #[hdl_gen]
    fn update(&mut self) {
        // Clocks and resets.
        self.clocks.clk100.next = self.pins.clk100.val();
        self.clocks.mmcm_reset.next = self.resets.mmcm_reset.val();
        self.clocks.core_enable.next = self.resets.core_enable.val();
        self.pins.eth_ref_clk.next = self.clocks.eth_ref_clk.val();
        self.resets.clock.next = self.clocks.sys_clock.val();
        self.resets.button_n.next = self.pins.ck_rst_n.val();
        self.resets.locked.next = self.clocks.locked.val();
        self.pins.eth_rstn.next = self.resets.phy_reset_n.val();
        self.tx_clk.i.next = self.pins.eth_tx_clk.val();
        self.rx_clk.i.next = self.pins.eth_rx_clk.val();
        self.core_reset.clock.next = self.clocks.core_clock.val();
        self.core_reset.d.next = self.resets.core_reset.val();
        self.tx_reset.clock.next = self.tx_clk.o.val();
        self.tx_reset.d.next = self.resets.core_reset.val();
        self.rx_reset.clock.next = self.rx_clk.o.val();
        self.rx_reset.d.next = self.resets.core_reset.val();

        // MII, registered at the pins.
        self.core.clock.next = self.clocks.core_clock.val();
        self.core.mii.tx_clk.next = self.tx_clk.o.val();
        self.core.mii.rx_clk.next = self.rx_clk.o.val();
        self.tx_pins.clock.next = self.tx_clk.o.val();
        self.tx_pins.reset.next = self.tx_reset.q.val();
        self.tx_pins.d.next = bit_cast::<5, 4>(self.core.mii.txd.val())
            | (bit_cast::<5, 1>(self.core.mii.tx_en.val().into()) << 4);
        self.pins.eth_txd.next = self.tx_pins.q.val().get_bits::<4>(0);
        self.pins.eth_tx_en.next = self.tx_pins.q.val().get_bit(4);
        self.rx_pins.clock.next = self.rx_clk.o.val();
        self.rx_pins.reset.next = self.rx_reset.q.val();
        self.rx_pins.d.next = bit_cast::<6, 4>(self.pins.eth_rxd.val())
            | (bit_cast::<6, 1>(self.pins.eth_rx_dv.val().into()) << 4)
            | (bit_cast::<6, 1>(self.pins.eth_rxerr.val().into()) << 5);
        self.core.mii.rxd.next = self.rx_pins.q.val().get_bits::<4>(0);
        self.core.mii.rx_dv.next = self.rx_pins.q.val().get_bit(4);
        self.core.mii.rx_er.next = self.rx_pins.q.val().get_bit(5);

        // DMA memory on the NIC's AXI4 master.
        self.memory.clock.next = self.clocks.core_clock.val();
        AxiReadMaster::join(&mut self.core.m_axi_rd, &mut self.memory.axi_rd);
        AxiWriteMaster::join(&mut self.core.m_axi_wr, &mut self.memory.axi_wr);
        AxiReadIdMaster::join(&mut self.core.m_axi_id, &mut self.memory.axi_id);

        // The host bridge: NIC registers, board registers, DMA memory.
        self.bridge.clock.next = self.clocks.core_clock.val();
        self.bridge.reset.next = self.core_reset.q.val();
        self.bridge.rxd.next = self.pins.uart_txd_in.val();
        self.pins.uart_rxd_out.next = self.bridge.txd.val();
        AxilMaster::join(&mut self.bridge.axil, &mut self.core.s_axil);
        self.memory.b_en.next = self.bridge.mem_en.val();
        self.memory.b_write.next = self.bridge.mem_write.val();
        self.memory.b_addr.next = self.bridge.mem_addr.val();
        self.memory.b_wdata.next = self.bridge.mem_wdata.val();
        self.bridge.mem_rdata.next = self.memory.b_rdata.val();

        // Board registers: MDIO, status, LEDs.
        self.regs.clock.next = self.clocks.core_clock.val();
        self.regs.reset.next = self.core_reset.q.val();
        self.regs.addr.next = self.bridge.local_addr.val();
        self.regs.wdata.next = self.bridge.local_wdata.val();
        self.regs.write.next = self.bridge.local_write.val();
        self.bridge.local_rdata.next = self.regs.rdata.val();
        self.regs.locked.next = self.clocks.locked.val();
        self.regs.phy_reset_n.next = self.resets.phy_reset_n.val();
        self.regs.tx_en.next = self.tx_pins.q.val().get_bit(4);
        self.regs.rx_dv.next = self.rx_pins.q.val().get_bit(4);
        self.regs.bridge_error.next = self.bridge.error.val();
        self.pins.eth_mdc.next = self.regs.mdc.val();
        self.eth_mdio_o.next = self.regs.mdio_o.val();
        self.eth_mdio_t.next = self.regs.mdio_t.val();
        self.regs.mdio_i.next = self.eth_mdio_i.val();
        self.pins.led.next = self.regs.led.val();
    }
}

/// `ArtyBoard` with the MDIO pad: the board's pins, for Vivado.
#[derive(LogicBlock, Default)]
pub struct ArtyTop {
    /// The pins `ArtyBoard` has too, passed through.
    pub pins: ArtyPins,
    /// `eth_mdio` at the top (a one-pin bundle, see `bus::mii::MdioPin`).
    pub eth: MdioPin,
    board: ArtyBoard,
    mdio_pad: TristatePad,
}

impl Logic for ArtyTop {
    #[hdl_gen]
    fn update(&mut self) {
        ArtyPins::link(&mut self.pins, &mut self.board.pins);
        MdioPin::link(&mut self.eth, &mut self.mdio_pad.pad);
        self.mdio_pad.i.next = self.board.eth_mdio_o.val();
        self.mdio_pad.t.next = self.board.eth_mdio_t.val();
        self.board.eth_mdio_i.next = self.mdio_pad.o.val();
    }
}

/// The `pins` bundle's ports keep the board's pin names (`clk100`, `eth_txd`, …).
const PIN_PORTS: &[(&str, &str)] = &[("pins$", "")];

/// `ArtyTop`'s Verilog, top module `top`: the design Vivado builds.
pub fn verilog() -> String {
    crate::emit::top_verilog(ArtyTop::default(), PIN_PORTS)
}

/// `ArtyBoard`'s Verilog, top module `top`: what Verilator simulates.
pub fn board_verilog() -> String {
    crate::emit::top_verilog(ArtyBoard::default(), PIN_PORTS)
}
